import { dirname } from 'node:path';
import type { EnhanceSettings } from '../../shared/enhance/settings.js';
import { cancelledError } from '../../shared/errors.js';
import { reason, type Reason } from '../../shared/refusals.js';
import type { Engine, EnhanceStats } from '../engine/engine.js';
import type { Rgb16Image } from '../../shared/engine/image.js';
import { decodeImage, type DecodedImage } from '../imaging/decode.js';
import { encodeImage, type EncodeOptions } from '../imaging/encode.js';
import { pngStripEncoder } from '../imaging/encode-strips.js';
import { formatOfOutputPath } from '../imaging/formats.js';
import { checkOutputSize, isStreamedOutput } from '../imaging/limits.js';
import { outputSize } from '../imaging/size.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { writeAtomically } from './atomic-write.js';
import { ensureFolder } from './ensure-folder.js';

export interface EnhanceContext {
  engine: Engine;
  model: LoadedModel;
  signal?: AbortSignal;
  /** Fraction of the model work done, 0–1, per tile. */
  onProgress?: (fraction: number) => void;
  /** CPU workers this image may spread its tiles over (see EnhanceOptions.workerShare). */
  workerShare?: number;
}

interface EnhancedBase {
  source: DecodedImage;
  width: number;
  height: number;
  stats: EnhanceStats;
}

/**
 * The model's output, held whole; or, for outputs too large for that, a run still to be made that
 * writes its rows to the file as they are finished (`writeOutput` runs it).
 */
export type EnhancedInMemory = EnhancedBase & { image: Rgb16Image; streamed?: undefined };
export type EnhancedImage = EnhancedInMemory | (EnhancedBase & { streamed: (onRows: (rows: Rgb16Image) => Promise<void>) => Promise<void> });

/** The model sees one frame: an animation's others are not in the output, and the user is told so. */
export function animationNote(frames: number): Reason | undefined {
  return frames > 1 ? reason('output.animation', { frames }) : undefined;
}

/** Where an input is going: what its size is checked against before it is decoded. */
export interface OutputTarget {
  settings: EnhanceSettings;
  modelScale: number;
  outputPath: string;
}

/**
 * Decodes an input; with a target, first checks from its header alone that the output will fit the
 * app and the chosen format, so a photo that cannot be written costs nothing.
 */
export function decodeInput(path: string, target?: OutputTarget): Promise<DecodedImage> {
  if (!target) return decodeImage(path);
  return decodeImage(path, { checkHeader: (size) => checkTarget(path, size, target) });
}

function checkTarget(path: string, input: { width: number; height: number }, target: OutputTarget): void {
  const scale = target.modelScale;
  const native = { width: input.width * scale, height: input.height * scale };
  checkOutputSize(path, formatOfOutputPath(target.outputPath), input, native, outputSize(input, scale, target.settings));
}

/**
 * Runs the model over a decoded image and works out the final size; nothing is written. An output
 * written in strips is only prepared here: its run happens as it is written.
 */
export async function enhanceDecoded(decoded: DecodedImage, settings: EnhanceSettings, ctx: EnhanceContext): Promise<EnhancedInMemory>;
export async function enhanceDecoded(decoded: DecodedImage, settings: EnhanceSettings, ctx: EnhanceContext, outputPath?: string): Promise<EnhancedImage>;
export async function enhanceDecoded(decoded: DecodedImage, settings: EnhanceSettings, ctx: EnhanceContext, outputPath?: string): Promise<EnhancedImage> {
  const { scale } = ctx.model.manifest;
  const size = outputSize(decoded, scale, settings);
  const native = { width: decoded.width * scale, height: decoded.height * scale };
  const format = outputPath ? formatOfOutputPath(outputPath) : 'png';
  checkOutputSize(decoded.path, format, decoded, native, size);
  const run = (onRows?: (rows: Rgb16Image) => Promise<void>) =>
    ctx.engine.enhance(ctx.model, decoded.rgb, {
      seed: settings.seed,
      steps: settings.steps,
      tileSize: settings.tileSize,
      signal: ctx.signal,
      workerShare: ctx.workerShare,
      onProgress: ctx.onProgress ? ({ done, total }) => ctx.onProgress!(done / total) : undefined,
      onRows,
    });
  if (outputPath && size.width === native.width && size.height === native.height && isStreamedOutput(format, size)) {
    const { choice } = await ctx.engine.open(ctx.model);
    const stats: EnhanceStats = { tiles: 0, tileSize: 0, tileHeight: 0, batches: 0, runMs: 0, workers: 0, retries: 0, provider: choice };
    return {
      source: decoded,
      ...size,
      stats,
      streamed: async (onRows) => {
        Object.assign(stats, (await run(onRows)).stats);
      },
    };
  }
  const { image, stats } = await run();
  return { image, source: decoded, ...size, stats };
}

/** Encodes to `outputPath` (format from its extension) through a temporary file and a rename. */
export async function writeOutput(enhanced: EnhancedImage, outputPath: string, settings: EnhanceSettings): Promise<void> {
  await ensureFolder(dirname(outputPath));
  const options: EncodeOptions = {
    format: formatOfOutputPath(outputPath),
    quality: settings.quality,
    compression: settings.compression,
    keepMetadata: settings.keepMetadata,
    width: enhanced.width,
    height: enhanced.height,
  };
  await writeAtomically(
    outputPath,
    async (tmp) => {
      if (!enhanced.streamed) return encodeImage(enhanced.image, enhanced.source, tmp, options);
      const encoder = pngStripEncoder(enhanced.source, tmp, options);
      try {
        await enhanced.streamed((rows) => encoder.writeBand(rows));
        await encoder.finish();
      } catch (e) {
        await encoder.abort();
        throw e;
      }
    },
    { maxBytes: maxEncodedBytes(enhanced.width, enhanced.height) },
  );
}

/** No encoder we offer writes more than 16-bit RGBA uncompressed, plus room for metadata. */
function maxEncodedBytes(width: number, height: number): number {
  return width * height * 8 + 1024 * 1024;
}

export async function enhanceFile(input: string, output: string, settings: EnhanceSettings, ctx: EnhanceContext): Promise<EnhancedImage> {
  const decoded = await decodeInput(input, { settings, modelScale: ctx.model.manifest.scale, outputPath: output });
  const enhanced = await enhanceDecoded(decoded, settings, ctx, output);
  if (ctx.signal?.aborted) throw cancelledError();
  await writeOutput(enhanced, output, settings);
  return enhanced;
}
