import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { PreviewResult } from '../../shared/api/types.js';
import { mediaPath } from '../../shared/api/media.js';
import type { ProviderChoice } from '../../shared/engine/providers.js';
import type { Engine } from '../engine/engine.js';
import type { PlanarImage } from '../../shared/engine/image.js';
import { decodeImage, type DecodedImage } from '../imaging/decode.js';
import { regionPng } from '../imaging/display-png.js';
import type { LoadedModel } from '../../shared/models/manifest.js';

export interface PreviewRequest {
  path: string;
  model: LoadedModel;
  rect: { x: number; y: number; width: number; height: number };
  /** Left out: the model's own. */
  steps?: number;
  seed: number;
  /** LR tile side; omitted: from the engine's memory budget. */
  tileSize?: number;
}

/** The crop is enhanced with this much context around it, so its edges match a whole-image run. */
const contextPx = 16;
const keptPreviews = 32;

/**
 * Quick previews: one region of an image through a model, kept in memory as PNG for the viewer to
 * fetch. The last decoded image is kept, so moving around one photo decodes it once.
 */
export class PreviewService {
  private readonly results = new Map<string, Buffer>();
  private decoded: { key: string; image: Promise<DecodedImage> } | null = null;

  constructor(private readonly engine: () => Engine) {}

  /** The preview, and the provider the engine actually ran it on. */
  async region(request: PreviewRequest): Promise<{ result: PreviewResult; choice: ProviderChoice }> {
    const image = await this.decode(request.path);
    const rect = clampRect(request.rect, image);
    const outer = {
      x: Math.max(0, rect.x - contextPx),
      y: Math.max(0, rect.y - contextPx),
      x1: Math.min(image.width, rect.x + rect.width + contextPx),
      y1: Math.min(image.height, rect.y + rect.height + contextPx),
    };
    const crop = cropPlanar(image.rgb, outer.x, outer.y, outer.x1 - outer.x, outer.y1 - outer.y);
    const { image: enhanced, stats } = await this.engine().enhance(request.model, crop, { seed: request.seed, steps: request.steps, tileSize: request.tileSize });
    const s = request.model.manifest.scale;
    const png = await regionPng(enhanced, { left: (rect.x - outer.x) * s, top: (rect.y - outer.y) * s, width: rect.width * s, height: rect.height * s });
    const key = randomUUID();
    this.results.set(key, png);
    while (this.results.size > keptPreviews) this.results.delete(this.results.keys().next().value!);
    return {
      result: { media: mediaPath({ kind: 'preview', key }), rect, width: rect.width * s, height: rect.height * s, modelId: request.model.manifest.id },
      choice: stats.provider,
    };
  }

  get(key: string): Buffer | undefined {
    return this.results.get(key);
  }

  private async decode(file: string): Promise<DecodedImage> {
    const info = await stat(file);
    const key = `${file}:${info.size}:${info.mtimeMs}`;
    if (this.decoded?.key !== key) {
      const image = decodeImage(file);
      this.decoded = { key, image };
      image.catch(() => {
        if (this.decoded?.image === image) this.decoded = null;
      });
    }
    return this.decoded.image;
  }
}

export function clampRect(rect: PreviewRequest['rect'], size: { width: number; height: number }) {
  const width = Math.min(rect.width, size.width);
  const height = Math.min(rect.height, size.height);
  return { x: Math.min(Math.max(0, rect.x), size.width - width), y: Math.min(Math.max(0, rect.y), size.height - height), width, height };
}

function cropPlanar(source: PlanarImage, x: number, y: number, width: number, height: number): PlanarImage {
  const data = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++) {
    for (let row = 0; row < height; row++) {
      const from = c * source.width * source.height + (y + row) * source.width + x;
      data.set(source.data.subarray(from, from + width), c * width * height + row * width);
    }
  }
  return { width, height, data };
}
