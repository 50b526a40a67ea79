import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { StudioError } from '../../shared/errors.js';
import { withDeadline } from '../imaging/deadline.js';
import { notAnImageFile } from '../imaging/file-kind.js';
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

/** A header that takes longer than this (a stalled network drive) is not waited for. */
const headerDeadlineMs = 5_000;

/**
 * `readImageInfo` for a path anyone may have put there: links are followed, and only a regular file
 * is opened (a named pipe or a device would hold a thread of the pool for ever, and with it every
 * later read of the process); a header that does not come within the deadline is given up.
 */
export async function readImageHeader(file: string, deadlineMs = headerDeadlineMs): Promise<ImageInfo> {
  const info = await stat(file);
  if (!info.isFile()) throw notAnImageFile(file, info);
  return withDeadline(readImageInfo(file), deadlineMs, () =>
    new StudioError('unreadable-image', `${file}: its header was still being read after ${Math.round(deadlineMs / 1000)} s. If it is on a network or removable drive, check the drive and try again.`, { file }),
  );
}

/**
 * An image's pixel count from its header, or null when it is not a regular file or its header
 * cannot be read at once: for sizing work ahead (ETA, how many photos at once), never to judge the
 * file, whose own decode says what is wrong with it.
 */
export async function readPixelCount(file: string): Promise<number | null> {
  const image = await readImageHeader(file).catch(() => undefined);
  return image ? image.width * image.height : null;
}
