import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent, type RefObject, type WheelEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { mediaPath } from '../../shared/api/media';
import type { BatchItem, ImageSummary, ModelInfo } from '../../shared/api/types';
import { useLoad, useStudio } from '../state/studio-context';
import { Field, ProgressBar } from '../ui/fields';
import { useNotify } from '../ui/notices';
import { canvasTransform, clampView, coverage, fitView, panBy, previewTiles, tileKey, visibleRect, zoomAt, type Rect, type Size, type View } from './viewport';

export type ViewerSource = { kind: 'image'; image: ImageSummary } | { kind: 'item'; item: BatchItem };

interface Patch {
  url: string;
  /** Where it goes, in source pixels (the canvas scale may change when another model is chosen). */
  rect: Rect;
}

interface Layer {
  label: string;
  base: string;
  /** A model's layer: its base is a plain upscale, shown hatched and never under the model's name. */
  unprocessed: boolean;
  patches: Patch[];
}

/** Enhanced tiles kept per model (oldest dropped first); each is a few hundred kB of decoded image. */
const maxTilesPerModel = 64;
const panStep = 64;

/**
 * Before/after of one image. For a library image, "after" is a quick preview of the visible region
 * with one or two models (compare on the same crop); for a finished batch item, the real output.
 * Slider or side-by-side; every pane shares one zoom/pan (up to 800 %).
 */
export function Viewer({ source, onClose }: { source: ViewerSource; onClose: () => void }) {
  const { t } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const models = useLoad(() => studio.models.list(), []);
  const [mode, setMode] = useState<'slider' | 'side'>('slider');
  const [split, setSplit] = useState(0.5);
  const [modelA, setModelA] = useState('');
  const [modelB, setModelB] = useState('');
  /** Enhanced tiles by model id, then by tile key. */
  const [patches, setPatches] = useState<Record<string, Record<string, Patch>>>({});
  const [progress, setProgress] = useState<{ done: number; total: number; cancelling: boolean } | null>(null);
  const cancelPreview = useRef(false);
  const busy = progress !== null;
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

  const [view, setView] = useState<View | null>(null);
  // Until the user zooms or pans, the image follows the pane's size (the toolbar may wrap, the
  // mode may change); after that, their view is left alone.
  const userMoved = useRef(false);
  const canvasKey = canvas ? `${canvas.width}x${canvas.height}` : '';
  useEffect(() => {
    if (canvas && paneSize.width > 1 && !userMoved.current) setView(fitView(canvas, paneSize));
  }, [canvasKey, paneSize.width, paneSize.height]);
  useEffect(() => rootRef.current?.focus(), []);

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
    const tiles = Object.values(patches[model?.manifest.id ?? ''] ?? {});
    const share = visible && scale ? coverage(visible, scale, tiles.map((p) => p.rect)) : 0;
    const name = model?.manifest.name ?? t('viewer.after');
    const label = share >= 1 ? name : share > 0 ? t('viewer.partlyEnhanced', { name, percent: Math.floor(share * 100) }) : t('viewer.notEnhanced', { name });
    return { label, base: inputUrl, unprocessed: true, patches: tiles };
  }

  /** Enhances the visible tiles each model still lacks, one tile per request, so progress shows and cancel is quick. */
  async function preview() {
    if (source.kind !== 'image' || !canvas || !visible || !inputSize || !scale || !chosenA || busy) return;
    const tiles = previewTiles(visible, scale, inputSize);
    const wanted: ModelInfo[] = chosenB ? [chosenA, chosenB] : [chosenA];
    const jobs = wanted.flatMap((model) => tiles.filter((tile) => !patches[model.manifest.id]?.[tileKey(tile)]).map((tile) => ({ model, tile })));
    if (jobs.length === 0) return;
    cancelPreview.current = false;
    setProgress({ done: 0, total: jobs.length, cancelling: false });
    try {
      for (const [i, { model, tile }] of jobs.entries()) {
        if (cancelPreview.current) break;
        const result = await studio.preview.region({ imageId: source.image.id, modelId: model.manifest.id, rect: tile });
        const patch: Patch = { url: studio.mediaUrl(result.media), rect: result.rect };
        setPatches((p) => {
          const kept = Object.entries(p[model.manifest.id] ?? {}).filter(([key]) => key !== tileKey(tile)).slice(-(maxTilesPerModel - 1));
          return { ...p, [model.manifest.id]: { ...Object.fromEntries(kept), [tileKey(tile)]: patch } };
        });
        setProgress((s) => s && { ...s, done: i + 1 });
      }
    } catch (e) {
      notify.error(e);
    } finally {
      setProgress(null);
    }
  }
  function stopPreview() {
    cancelPreview.current = true;
    setProgress((s) => s && { ...s, cancelling: true });
  }

  const update = (next: (v: View) => View) => {
    if (!canvas) return;
    userMoved.current = true;
    setView((v) => (v ? clampView(next(v), canvas, paneSize) : v));
  };
  const fit = () => {
    if (!canvas) return;
    userMoved.current = false;
    setView(fitView(canvas, paneSize));
  };
  const zoomBy = (factor: number) => canvas && update((v) => zoomAt(v, factor, { x: paneSize.width / 2, y: paneSize.height / 2 }, canvas, paneSize));

  // The viewer is modal: its shortcuts work wherever focus is (a button that just got disabled
  // drops focus to the page), except that typing in a field stays typing.
  const onKey = useRef<(e: globalThis.KeyboardEvent) => void>(() => undefined);
  onKey.current = (e) => {
    if (e.key === 'Escape') return onClose();
    if (e.key === 'Tab') return keepFocusInside(e);
    if (!canvas) return;
    const keys: Record<string, () => void> = {
      '+': () => zoomBy(1.25),
      '=': () => zoomBy(1.25),
      '-': () => zoomBy(0.8),
      '0': fit,
      '1': () => update((v) => ({ ...v, zoom: 1 })),
      ArrowLeft: () => update((v) => panBy(v, panStep, 0, canvas, paneSize)),
      ArrowRight: () => update((v) => panBy(v, -panStep, 0, canvas, paneSize)),
      ArrowUp: () => update((v) => panBy(v, 0, panStep, canvas, paneSize)),
      ArrowDown: () => update((v) => panBy(v, 0, -panStep, canvas, paneSize)),
      p: () => void preview(),
    };
    const inField = e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement;
    const action = inField ? undefined : keys[e.key];
    if (action && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      action();
    }
  };
  /** The viewer is modal: Tab and Shift+Tab cycle through its own controls. */
  function keepFocusInside(e: globalThis.KeyboardEvent) {
    const root = rootRef.current;
    if (!root) return;
    const focusable = [...root.querySelectorAll<HTMLElement>('button, select, input, [tabindex]:not([tabindex="-1"])')].filter((el) => !el.hasAttribute('disabled'));
    if (focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const inside = root.contains(document.activeElement);
    if (e.shiftKey && (!inside || document.activeElement === first || document.activeElement === root)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (!inside || document.activeElement === last)) {
      e.preventDefault();
      first.focus();
    }
  }
  useEffect(() => {
    const listener = (e: globalThis.KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  const drag = useRef<{ x: number; y: number } | null>(null);
  const pointer = {
    onPointerDown: (e: PointerEvent<HTMLDivElement>) => {
      drag.current = { x: e.clientX, y: e.clientY };
      e.currentTarget.setPointerCapture(e.pointerId);
    },
    onPointerMove: (e: PointerEvent<HTMLDivElement>) => {
      if (!drag.current || !canvas) return;
      const dx = e.clientX - drag.current.x;
      const dy = e.clientY - drag.current.y;
      drag.current = { x: e.clientX, y: e.clientY };
      update((v) => panBy(v, dx, dy, canvas, paneSize));
    },
    onPointerUp: () => (drag.current = null),
    onWheel: (e: WheelEvent<HTMLDivElement>) => {
      if (!canvas) return;
      const box = e.currentTarget.getBoundingClientRect();
      update((v) => zoomAt(v, e.deltaY < 0 ? 1.15 : 1 / 1.15, { x: e.clientX - box.left, y: e.clientY - box.top }, canvas, paneSize));
    },
  };

  // The split line is dragged on the image itself (the slider below does the same from the keyboard).
  const splitDrag = {
    onPointerDown: (e: PointerEvent<HTMLDivElement>) => {
      e.stopPropagation();
      e.currentTarget.setPointerCapture(e.pointerId);
    },
    onPointerMove: (e: PointerEvent<HTMLDivElement>) => {
      if (!e.currentTarget.hasPointerCapture(e.pointerId)) return;
      e.stopPropagation();
      const pane = e.currentTarget.closest('.pane')!.getBoundingClientRect();
      setSplit(Math.min(1, Math.max(0, (e.clientX - pane.left) / pane.width)));
    },
    onPointerUp: (e: PointerEvent<HTMLDivElement>) => e.stopPropagation(),
  };

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
            <button type="button" className="primary" onClick={() => void preview()} disabled={busy || !view || !chosenA} aria-keyshortcuts="P">
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
        <button type="button" onClick={() => update((v) => ({ ...v, zoom: 1 }))} aria-keyshortcuts="1">
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
              <div className="split-handle" data-testid="split-handle" {...splitDrag} />
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
          <button type="button" onClick={stopPreview} disabled={progress.cancelling}>
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

function LayerView({ layer, canvas, source, view, viewport, clipLeft }: { layer: Layer; canvas: Size; source: Size; view: View; viewport: Size; clipLeft?: number }) {
  const { t } = useTranslation();
  const ratio = canvas.width / source.width;
  return (
    <div className="layer" style={clipLeft !== undefined ? { clipPath: `inset(0 0 0 ${clipLeft * 100}%)` } : undefined}>
      <div className="canvas" style={{ width: canvas.width, height: canvas.height, transform: canvasTransform(view, viewport) }}>
        <img
          className={`layer-base${layer.unprocessed ? ' unprocessed' : ''}`}
          src={layer.base}
          alt={layer.unprocessed ? t('viewer.plainUpscale') : layer.label}
          draggable={false}
          style={{ width: canvas.width, height: canvas.height }}
        />
        {layer.unprocessed && <div className="unprocessed-hatch" style={{ width: canvas.width, height: canvas.height }} aria-hidden="true" />}
        {layer.patches.map((p) => (
          <img key={p.url} className="patch" src={p.url} alt="" draggable={false} style={{ left: p.rect.x * ratio, top: p.rect.y * ratio, width: p.rect.width * ratio, height: p.rect.height * ratio }} />
        ))}
      </div>
    </div>
  );
}

function useSize(ref: RefObject<HTMLElement | null>): Size {
  const [size, setSize] = useState<Size>({ width: 1, height: 1 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setSize({ width: Math.max(1, element.clientWidth), height: Math.max(1, element.clientHeight) });
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    measure();
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/** Natural size of an image URL, or `known` when the library already has it. */
function useImageSize(url: string | null, known: Size | null): Size | null {
  const [size, setSize] = useState<Size | null>(known);
  useEffect(() => {
    if (known || !url) return;
    const image = new Image();
    image.onload = () => setSize({ width: image.naturalWidth, height: image.naturalHeight });
    image.src = url;
    return () => {
      image.onload = null;
    };
  }, [url, known?.width, known?.height]);
  return known ?? size;
}
