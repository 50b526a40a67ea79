import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { withDeadline } from '../imaging/deadline.js';
import { cameraName, parseExif, takenAtMs } from './exif.js';

export interface ImageInfo {
  format: string;
  width: number;
  height: number;
  orientation: number | null;
  camera: string | null;
  takenAt: string | null;
  takenAtMs: number | null;
}

/**
 * Dimensions (as displayed) and basic metadata from the file's header; pixels are not decoded.
 * Throws sharp's error for files that are not readable images.
 */
export async function readImageInfo(file: string): Promise<ImageInfo> {
  const meta = await sharp(file).metadata();
  if (meta.width === undefined || meta.height === undefined || meta.format === undefined) {
    throw new Error('no image dimensions in the file');
  }
  const exif = meta.exif ? parseExif(meta.exif) : {};
  const orientation = meta.orientation ?? exif.orientation ?? null;
  // orientations 5–8 turn the picture a quarter, so it displays with width and height swapped
  const swap = orientation !== null && orientation >= 5;
  const takenAt = exif.takenAt ?? null;
  return {
    format: meta.format,
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    orientation,
    camera: cameraName(exif.make, exif.model) ?? null,
    takenAt,
    takenAtMs: takenAt === null ? null : takenAtMs(takenAt),
  };
}

/** A header that takes longer than this (a stalled network drive) is not waited for by `readPixelCount`. */
const headerDeadlineMs = 5_000;

/**
 * An image's pixel count from its header, or null when it is not a regular file or its header
 * cannot be read at once: for sizing work ahead (ETA, how many photos at once), never to judge the
 * file, whose own decode says what is wrong with it.
 */
export async function readPixelCount(file: string): Promise<number | null> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return null;
  const image = await withDeadline(readImageInfo(file), headerDeadlineMs, () => new Error('header read timed out')).catch(() => undefined);
  return image ? image.width * image.height : null;
}
