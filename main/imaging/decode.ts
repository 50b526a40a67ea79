import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { readableFormatNames } from '../../shared/enhance/image-formats.js';
import type { StudioError } from '../../shared/errors.js';
import { explainError } from '../../shared/explain-error.js';
import { refusal } from '../../shared/refusals.js';
import type { PlanarImage } from '../../shared/engine/image.js';
import { withDeadline } from './deadline.js';
import { notAnImageFile } from './file-kind.js';

export interface ImageMetadataSource {
  /** The original file: encoders copy EXIF/XMP/IPTC from it. */
  path: string;
  /** Embedded ICC profile, when not plain sRGB. */
  icc?: Buffer;
  hasExif: boolean;
  /** The EXIF block as sharp gives it, for writers that carry it themselves. */
  exif?: Buffer;
  hasXmp: boolean;
  hasIptc: boolean;
  orientation?: number;
}

export interface DecodedImage {
  path: string;
  /** sharp's format id of the input (jpeg, png, webp, tiff, heif, gif…). */
  format: string;
  /** Frames (pages) in the file; only the first is enhanced. */
  frames: number;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** Colour in [0, 1], converted to sRGB for the model (16-bit inputs stay in their own space: see notes). */
  rgb: PlanarImage;
  /** Alpha at input size, 8 or 16 bits per sample as `bitDepth`. */
  alpha?: Uint8Array | Uint16Array;
  bitDepth: 8 | 16;
  grey: boolean;
  metadata: ImageMetadataSource;
}

/** Above this an image is refused before decoding, so a bad file cannot exhaust memory. */
export const maxInputPixels = 200_000_000;

/** libvips repeats its decoder's complaints; keep each once. */
function condense(message: string): string {
  const parts = message.split(/\n|(?=Vips\w+:)/).map((p) => p.trim()).filter(Boolean);
  return [...new Set(parts)].join(' ');
}

function readError(path: string, e: unknown): StudioError {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' || err?.code === 'EACCES' || err?.code === 'EPERM') return explainError(e, { file: path, stage: 'input' });
  const message = String(err?.message ?? e);
  if (/unsupported image format/i.test(message))
    return refusal('unsupported-format', 'files.unsupportedFormat', { file: path, formats: readableFormatNames() }, { file: path, cause: e });
  if (/pixel limit/i.test(message))
    return refusal('image-too-large', 'files.overPixelLimit', { file: path, megapixels: maxInputPixels / 1e6 }, { file: path, cause: e });
  return refusal('unreadable-image', 'files.undecodable', { file: path, detail: condense(message) }, { file: path, cause: e });
}

export interface DecodeOptions {
  /**
   * Called with the size the header declares (after EXIF orientation), before any pixel is
   * decoded: throwing refuses the image at the cost of reading its header only.
   */
  checkHeader?: (size: { width: number; height: number; frames: number }) => void;
  /** A decode that has not finished by then fails its image (default 5 minutes). */
  deadlineMs?: number;
}

export const defaultDecodeDeadlineMs = 5 * 60_000;

/** The profile's text (description tags are often UTF-16: NULs dropped so names can be matched). */
export function iccText(icc: Buffer): string {
  return icc.toString('latin1').replace(/\0/g, '');
}

/**
 * Reads an image for the model: first frame, EXIF orientation applied, colour as planar float.
 * The file is only ever opened for reading.
 */
export async function decodeImage(path: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw readError(path, e);
  }
  if (!info.isFile()) throw notAnImageFile(path, info);
  // libvips reports a file it may not open as an unsupported format: ask the file system first
  await access(path, constants.R_OK).catch((e: unknown) => Promise.reject(readError(path, e)));
  const deadlineMs = options.deadlineMs ?? defaultDecodeDeadlineMs;
  return withDeadline(decodeFile(path, options), deadlineMs, () =>
    refusal('unreadable-image', 'files.readTimeout', { file: path, seconds: Math.round(deadlineMs / 1000) }, { file: path }),
  );
}

async function decodeFile(path: string, options: DecodeOptions): Promise<DecodedImage> {
  const input = () => sharp(path, { limitInputPixels: maxInputPixels, failOn: 'error', pages: 1 });
  let meta: Metadata;
  try {
    meta = await input().metadata();
  } catch (e) {
    throw readError(path, e);
  }
  if (options.checkHeader && meta.width && meta.height) {
    const turned = (meta.orientation ?? 1) >= 5;
    options.checkHeader({ width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height, frames: meta.pages ?? 1 });
  }
  const bitDepth: 8 | 16 = meta.depth === 'ushort' ? 16 : 8;
  const grey = meta.channels !== undefined && meta.channels <= 2 && meta.space !== 'cmyk';
  const hasAlpha = meta.hasAlpha === true;
  // 16-bit images keep their own colour space (sharp would move them to P3, not sRGB).
  const iccIsSrgb = !meta.icc || /sRGB/i.test(iccText(meta.icc));
  const icc = iccIsSrgb ? undefined : meta.icc;

  let data: Buffer;
  let info: OutputInfo;
  try {
    let pipeline = input().rotate();
    if (bitDepth === 16) pipeline = pipeline.keepIccProfile().toColourspace('rgb16');
    else pipeline = pipeline.toColourspace('srgb');
    pipeline = hasAlpha ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    ({ data, info } = await pipeline.raw({ depth: bitDepth === 16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw readError(path, e);
  }

  const { width, height, channels } = info;
  const samples = bitDepth === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const max = bitDepth === 16 ? 65535 : 255;
  const rgb: PlanarImage = { width, height, data: new Float32Array(3 * width * height) };
  const plane = width * height;
  const alpha = hasAlpha ? (bitDepth === 16 ? new Uint16Array(plane) : new Uint8Array(plane)) : undefined;
  for (let p = 0; p < plane; p++) {
    const s = p * channels;
    rgb.data[p] = samples[s] / max;
    rgb.data[p + plane] = samples[s + 1] / max;
    rgb.data[p + 2 * plane] = samples[s + 2] / max;
    if (alpha) alpha[p] = samples[s + 3];
  }
  return {
    path,
    format: meta.format ?? 'unknown',
    frames: meta.pages ?? 1,
    width,
    height,
    rgb,
    alpha,
    bitDepth,
    grey,
    metadata: { path, icc, hasExif: !!meta.exif, exif: meta.exif, hasXmp: !!meta.xmp, hasIptc: !!meta.iptc, orientation: meta.orientation },
  };
}
