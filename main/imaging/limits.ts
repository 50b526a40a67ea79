import type { Said } from '../../shared/errors.js';
import { refusal, said } from '../../shared/refusals.js';
import type { WritableFormat } from './formats.js';

/**
 * The largest output the app makes at all: the engine holds the input and works through it tile by
 * tile, and time grows with the area.
 */
export const maxOutputPixels = 400_000_000;

/**
 * libvips' own pixel limit (0x3FFF², 268 MP). Outputs up to this size are encoded from one image in
 * memory; larger ones are only written where the format can be written in strips (PNG).
 */
export const maxInMemoryOutputPixels = 16383 * 16383;

export interface FormatLimits {
  /** Longest side the encoder takes. */
  maxSide: number;
  /** Whether the output can be written in strips as the engine finishes rows (above maxInMemoryOutputPixels). */
  streamed: boolean;
}

/** What each encoder takes, as measured with the bundled libvips (see README, "Output sizes"). */
export const formatLimits: Record<WritableFormat, FormatLimits> = {
  png: { maxSide: 2 ** 31 - 1, streamed: true },
  jpeg: { maxSide: 65500, streamed: false },
  webp: { maxSide: 16383, streamed: false },
  avif: { maxSide: 16384, streamed: false },
  tiff: { maxSide: 2 ** 31 - 1, streamed: false },
};

const formatLabel: Record<WritableFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', avif: 'AVIF', tiff: 'TIFF' };
const mp = (pixels: number) => `${Math.round(pixels / 1e6)} MP`;

/** "PNG or TIFF", said in parts so that "or" is the UI's word. */
function either(names: string[]): string | Said {
  return names.length === 1 ? names[0] : said('sizes.or', { first: names[0], rest: either(names.slice(1)) });
}

/** The largest pixel count a format can be written at. */
export function maxPixelsFor(format: WritableFormat): number {
  return formatLimits[format].streamed ? maxOutputPixels : maxInMemoryOutputPixels;
}

/** Whether an output of this size is written in strips rather than encoded from memory. */
export function isStreamedOutput(format: WritableFormat, size: { width: number; height: number }): boolean {
  return formatLimits[format].streamed && size.width * size.height > maxInMemoryOutputPixels;
}

/** The largest output (same aspect) within `maxSide` and `maxPixels`. */
function largestWithin(size: { width: number; height: number }, maxSide: number, maxPixels: number): { width: number; height: number } {
  const k = Math.min(1, maxSide / Math.max(size.width, size.height), Math.sqrt(maxPixels / (size.width * size.height)));
  return { width: Math.max(1, Math.floor(size.width * k)), height: Math.max(1, Math.floor(size.height * k)) };
}

/**
 * Refuses, before any work, an output the chosen format (or the app) cannot hold, saying what
 * would work: a smaller scale, an exact width, or another format.
 * `input` is the photo's size, `native` what the model makes of it, `output` the final size.
 */
export function checkOutputSize(
  file: string,
  format: WritableFormat,
  input: { width: number; height: number },
  native: { width: number; height: number },
  output: { width: number; height: number },
): void {
  const area = output.width * output.height;
  const nativeArea = native.width * native.height;
  if (nativeArea > maxOutputPixels) {
    const scale = Math.floor(Math.sqrt(maxOutputPixels / (input.width * input.height)) * 10) / 10;
    const advice = scale >= 1 ? said('sizes.downscaleTo', { percent: Math.round(Math.sqrt(maxOutputPixels / nativeArea) * 100) }) : said('sizes.cropOrDownscale');
    const params = { file, width: input.width, height: input.height, made: mp(nativeArea), limit: mp(maxOutputPixels), advice };
    throw refusal('image-too-large', 'files.tooLargeToEnhance', params, { file });
  }
  const limits = formatLimits[format];
  const maxPixels = maxPixelsFor(format);
  const tooWide = Math.max(output.width, output.height) > limits.maxSide;
  if (!tooWide && area <= maxPixels) return;
  const fits = largestWithin(output, limits.maxSide, maxPixels);
  const scale = Math.floor((fits.width / input.width) * 100) / 100;
  const others = (Object.keys(formatLimits) as WritableFormat[]).filter(
    (f) => f !== format && Math.max(output.width, output.height) <= formatLimits[f].maxSide && area <= maxPixelsFor(f),
  );
  const limit = tooWide ? said('sizes.perSide', { side: limits.maxSide }) : mp(maxPixels);
  const width = scale >= 1 ? said('sizes.widthAtScale', { width: fits.width, scale }) : said('sizes.width', { width: fits.width });
  const choice = others.length > 0 ? said('sizes.formatOrWidth', { formats: either(others.map((f) => formatLabel[f])), width }) : width;
  const params = { file, width: output.width, height: output.height, area: mp(area), format: formatLabel[format], limit, choice };
  throw refusal('image-too-large', 'files.tooLargeForFormat', params, { file });
}
