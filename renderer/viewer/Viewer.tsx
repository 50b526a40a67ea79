import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mediaPath } from '../../shared/api/media';
import type { BatchItem, ImageSummary, ModelInfo } from '../../shared/api/types';
import { useLoad, useStudio } from '../state/studio-context';
import { Field, ProgressBar } from '../ui/fields';
import { LayerView, type Layer } from './LayerView';
import { splitDrag, usePanZoom } from './use-pointer';
import { usePreview } from './use-preview';
import { useImageSize, useSize } from './use-sizes';
import { useView } from './use-view';
import { useViewerKeys } from './use-viewer-keys';
import { coverage, visibleRect, type Size } from './viewport';

export type ViewerSource = { kind: 'image'; image: ImageSummary } | { kind: 'item'; item: BatchItem };

const panStep = 64;

/**
 * Before/after of one image. For a library image, "after" is a quick preview of the visible region
 * with one or two models (compare on the same crop); for a finished batch item, the real output.
 * Slider or side-by-side; every pane shares one zoom/pan (up to 800 %).
 */
export function Viewer({ source, onClose }: { source: ViewerSource; onClose: () => void }) {
  const { t } = useTranslation();
  const studio = useStudio();
  const models = useLoad(() => studio.models.list(), []);
  const [mode, setMode] = useState<'slider' | 'side'>('slider');
  const [split, setSplit] = useState(0.5);
  const [modelA, setModelA] = useState('');
  const [modelB, setModelB] = useState('');
  const previews = usePreview();
  const { progress, busy } = previews;
  const stageRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const stage = useSize(stageRef);
  const paneSize = mode === 'side' ? { width: Math.max(1, (stage.width - 4) / 2), height: stage.height } : stage;

  const defaultModel = models.data?.find((m) => m.isDefault) ?? models.data?.[0];
  const chosenA = models.data?.find((m) => m.manifest.id === modelA) ?? defaultModel;
  const chosenB = models.data?.find((m) => m.manifest.id === modelB);

  const inputUrl = source.kind === 'image' ? studio.mediaUrl(mediaPath({ kind: 'image', id: source.image.id, version: source.image.version })) : studio.mediaUrl(mediaPath({ kind: 'item-input', id: source.item.id }));
  const outputUrl = source.kind === 'item' ? studio.mediaUrl(mediaPath({ kind: 'item-output', id: source.item.id, version: String(source.item.attempts) })) : null;
  const inputSize = useImageSize(inputUrl, source.kind === 'image' && source.image.width && source.image.height ? { width: source.image.width, height: source.image.height } : null);
  const outputSize = useImageSize(outputUrl, null);
  const scale = source.kind === 'item' ? (inputSize && outputSize ? outputSize.width / inputSize.width : null) : (chosenA?.manifest.scale ?? null);
  const canvas: Size | null = inputSize && scale ? (outputSize ?? { width: inputSize.width * scale, height: inputSize.height * scale }) : null;

  const { view, fit, actualSize, zoomBy, zoomAround, pan } = useView(canvas, paneSize);
  const pointer = usePanZoom({ pan, zoomAround });

  const visible = canvas && view ? visibleRect(view, canvas, paneSize) : null;
  const layers = buildLayers();
  function buildLayers(): [Layer, Layer] {
    if (source.kind === 'item') return [{ label: t('viewer.before'), base: inputUrl, unprocessed: false, patches: [] }, { label: t('viewer.after'), base: outputUrl ?? inputUrl, unprocessed: false, patches: [] }];
    const a = modelLayer(chosenA);
    if (chosenB) return [a, modelLayer(chosenB)];
    return [{ label: t('viewer.before'), base: inputUrl, unprocessed: false, patches: [] }, a];
  }
  /** Labelled with the model only where every visible pixel came from it; otherwise says how much did. */
  function modelLayer(model: ModelInfo | undefined): Layer {
    const tiles = Object.values(previews.patches[model?.manifest.id ?? ''] ?? {});
    const share = visible && scale ? coverage(visible, scale, tiles.map((p) => p.rect)) : 0;
    const name = model?.manifest.name ?? t('viewer.after');
    const label = share >= 1 ? name : share > 0 ? t('viewer.partlyEnhanced', { name, percent: Math.floor(share * 100) }) : t('viewer.notEnhanced', { name });
    return { label, base: inputUrl, unprocessed: true, patches: tiles };
  }

  function preview() {
    if (source.kind !== 'image' || !visible || !inputSize || !scale || !chosenA) return;
    void previews.run(source.image.id, chosenB ? [chosenA, chosenB] : [chosenA], visible, scale, inputSize);
  }

  useViewerKeys(
    rootRef,
    onClose,
    canvas && {
      '+': () => zoomBy(1.25),
      '=': () => zoomBy(1.25),
      '-': () => zoomBy(0.8),
      '0': fit,
      '1': actualSize,
      ArrowLeft: () => pan(panStep, 0),
      ArrowRight: () => pan(-panStep, 0),
      ArrowUp: () => pan(0, panStep),
      ArrowDown: () => pan(0, -panStep),
      p: preview,
    },
  );
  const splitHandle = splitDrag(setSplit);

  const title = source.kind === 'image' ? source.image.name : source.item.input.split(/[\\/]/).pop();
  const zoomText = view ? `${Math.round(view.zoom * 100)} %` : '—';

  return (
    <div className="viewer" role="dialog" aria-modal="true" aria-label={t('viewer.title', { name: title })} tabIndex={-1} ref={rootRef}>
      <div className="toolbar viewer-toolbar" role="toolbar" aria-label={t('viewer.tools')}>
        <h2 className="viewer-title">{title}</h2>
        <div className="segmented" role="group" aria-label={t('viewer.mode')}>
          <button type="button" aria-pressed={mode === 'slider'} onClick={() => setMode('slider')}>
            {t('viewer.slider')}
          </button>
          <button type="button" aria-pressed={mode === 'side'} onClick={() => setMode('side')}>
            {t('viewer.sideBySide')}
          </button>
        </div>
        {source.kind === 'image' && (
          <>
            <Field label={t('viewer.modelA')}>
              {(id) => (
                <select id={id} value={modelA} onChange={(e) => setModelA(e.target.value)}>
                  <option value="">{defaultModel?.manifest.name ?? '—'}</option>
                  {models.data?.filter((m) => m !== defaultModel).map((m) => (
                    <option key={m.manifest.id} value={m.manifest.id}>
                      {m.manifest.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('viewer.modelB')}>
              {(id) => (
                <select id={id} value={modelB} onChange={(e) => setModelB(e.target.value)}>
                  <option value="">{t('viewer.noComparison')}</option>
                  {models.data?.filter((m) => m !== chosenA).map((m) => (
                    <option key={m.manifest.id} value={m.manifest.id}>
                      {m.manifest.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="button" className="primary" onClick={preview} disabled={busy || !view || !chosenA} aria-keyshortcuts="P">
              {t('viewer.preview')}
            </button>
          </>
        )}
        <span className="spacer" />
        <button type="button" onClick={() => zoomBy(0.8)} aria-label={t('viewer.zoomOut')} aria-keyshortcuts="-">
          −
        </button>
        <output className="zoom-level" aria-label={t('viewer.zoom')}>
          {zoomText}
        </output>
        <button type="button" onClick={() => zoomBy(1.25)} aria-label={t('viewer.zoomIn')} aria-keyshortcuts="+">
          +
        </button>
        <button type="button" onClick={fit} aria-keyshortcuts="0">
          {t('viewer.fit')}
        </button>
        <button type="button" onClick={actualSize} aria-keyshortcuts="1">
          100 %
        </button>
        <button type="button" onClick={onClose} aria-keyshortcuts="Escape">
          {t('common.close')}
        </button>
      </div>

      <div className={`viewer-stage mode-${mode}`} ref={stageRef}>
        {!canvas || !view || !inputSize ? (
          <p className="empty">{t('common.loading')}</p>
        ) : mode === 'slider' ? (
          <div className="pane" {...pointer} data-testid="pane-slider">
            <LayerView layer={layers[0]} canvas={canvas} source={inputSize} view={view} viewport={paneSize} />
            <LayerView layer={layers[1]} canvas={canvas} source={inputSize} view={view} viewport={paneSize} clipLeft={split} />
            <div className="split-line" style={{ left: `${split * 100}%` }} aria-hidden="true">
              <div className="split-handle" data-testid="split-handle" {...splitHandle} />
            </div>
            <span className="pane-label left">{layers[0].label}</span>
            <span className="pane-label right">{layers[1].label}</span>
          </div>
        ) : (
          layers.map((layer, i) => (
            <div key={i} className="pane" {...pointer} data-testid={`pane-${i}`}>
              <LayerView layer={layer} canvas={canvas} source={inputSize} view={view} viewport={paneSize} />
              <span className="pane-label left">{layer.label}</span>
            </div>
          ))
        )}
      </div>
      {progress && (
        // over the image rather than in the toolbar, so the toolbar (and with it the view) keeps its size
        <div className="preview-progress" role="status">
          <span>{progress.cancelling ? t('viewer.cancellingPreview') : t('viewer.previewing', { done: progress.done, total: progress.total })}</span>
          <ProgressBar value={progress.done / progress.total} label={t('viewer.previewProgress')} />
          <button type="button" onClick={previews.cancel} disabled={progress.cancelling}>
            {t('viewer.cancelPreview')}
          </button>
        </div>
      )}
      {mode === 'slider' && (
        <div className="split-control">
          <label htmlFor="viewer-split">{t('viewer.split')}</label>
          <input id="viewer-split" type="range" min={0} max={100} value={Math.round(split * 100)} onChange={(e) => setSplit(Number(e.target.value) / 100)} />
        </div>
      )}
      <p className="viewer-hint">{t('viewer.hint')}</p>
    </div>
  );
}
