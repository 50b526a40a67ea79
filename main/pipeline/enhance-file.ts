import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EnhanceSettings } from '../../shared/enhance/settings.js';
import { StudioError } from '../../shared/errors.js';
import type { Engine, EnhanceStats } from '../engine/engine.js';
import type { Rgb16Image } from '../engine/image.js';
import { decodeImage, type DecodedImage } from '../imaging/decode.js';
import { encodeImage } from '../imaging/encode.js';
import { formatOfOutputPath } from '../imaging/formats.js';
import { outputSize } from '../imaging/size.js';
import type { LoadedModel } from '../models/registry.js';
import { writeAtomically } from './atomic-write.js';

export interface EnhanceContext {
  engine: Engine;
  model: LoadedModel;
  signal?: AbortSignal;
  /** Fraction of the model work done, 0–1, per tile. */
  onProgress?: (fraction: number) => void;
  /** CPU workers this image may spread its tiles over (see EnhanceOptions.workerShare). */
  workerShare?: number;
}

export interface EnhancedImage {
  image: Rgb16Image;
  source: DecodedImage;
  width: number;
  height: number;
  stats: EnhanceStats;
}

/** Larger outputs are refused up front: they would not fit the encoders' or the machine's memory. */
export const maxOutputPixels = 400_000_000;

export const decodeInput = decodeImage;

/** Runs the model over a decoded image and works out the final size; nothing is written. */
export async function enhanceDecoded(decoded: DecodedImage, settings: EnhanceSettings, ctx: EnhanceContext): Promise<EnhancedImage> {
  const { scale } = ctx.model.manifest;
  const size = outputSize(decoded, scale, settings);
  const native = decoded.width * decoded.height * scale * scale;
  if (Math.max(native, size.width * size.height) > maxOutputPixels)
    throw new StudioError('image-too-large', `${decoded.path} would become ${Math.round(native / 1e6)} megapixels at ×${scale}, more than the ${maxOutputPixels / 1e6} MP limit. Crop or downscale it first.`, { file: decoded.path });
  const { image, stats } = await ctx.engine.enhance(ctx.model, decoded.rgb, {
    seed: settings.seed,
    steps: settings.steps,
    tileSize: settings.tileSize,
    signal: ctx.signal,
    workerShare: ctx.workerShare,
    onProgress: ctx.onProgress ? ({ done, total }) => ctx.onProgress!(done / total) : undefined,
  });
  return { image, source: decoded, ...size, stats };
}

/** Encodes to `outputPath` (format from its extension) through a temporary file and a rename. */
export async function writeOutput(enhanced: EnhancedImage, outputPath: string, settings: EnhanceSettings): Promise<void> {
  await writeAtomically(outputPath, async (tmp) => {
    await mkdir(dirname(outputPath), { recursive: true });
    await encodeImage(enhanced.image, enhanced.source, tmp, {
      format: formatOfOutputPath(outputPath),
      quality: settings.quality,
      compression: settings.compression,
      keepMetadata: settings.keepMetadata,
      width: enhanced.width,
      height: enhanced.height,
    });
  }, { maxBytes: maxEncodedBytes(enhanced.width, enhanced.height) });
}

/** No encoder we offer writes more than 16-bit RGBA uncompressed, plus room for metadata. */
function maxEncodedBytes(width: number, height: number): number {
  return width * height * 8 + 1024 * 1024;
}

export async function enhanceFile(input: string, output: string, settings: EnhanceSettings, ctx: EnhanceContext): Promise<EnhancedImage> {
  const decoded = await decodeInput(input);
  const enhanced = await enhanceDecoded(decoded, settings, ctx);
  if (ctx.signal?.aborted) throw new StudioError('cancelled', 'Cancelled by the user.');
  await writeOutput(enhanced, output, settings);
  return enhanced;
}
