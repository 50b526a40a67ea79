import { useTranslation } from 'react-i18next';
import { canvasTransform, type Rect, type Size, type View } from './viewport';

export interface Patch {
  url: string;
  /** Where it goes, in source pixels (the canvas scale may change when another model is chosen). */
  rect: Rect;
}

export interface Layer {
  label: string;
  base: string;
  /** A model's layer: its base is a plain upscale, shown hatched and never under the model's name. */
  unprocessed: boolean;
  patches: Patch[];
}

/** One side of the comparison at the shared view: its base image, and the enhanced tiles over it. */
export function LayerView({ layer, canvas, source, view, viewport, clipLeft }: { layer: Layer; canvas: Size; source: Size; view: View; viewport: Size; clipLeft?: number }) {
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
