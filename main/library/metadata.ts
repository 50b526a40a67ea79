import sharp from 'sharp';
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
