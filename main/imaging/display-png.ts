import sharp from 'sharp';
import type { Rgb16Image } from '../../shared/engine/image.js';

/**
 * A file browsers cannot show as it is (TIFF, HEIF…) as a 16-bit-safe PNG to display: first frame,
 * upright; fast compression, since it is made on demand and not kept.
 */
export function displayPng(file: string): Promise<Buffer> {
  return sharp(file, { pages: 1 }).rotate().png({ compressionLevel: 1 }).toBuffer();
}

/** One region of an engine output as an 8-bit PNG, for the viewer's quick previews. */
export function regionPng(image: Rgb16Image, region: { left: number; top: number; width: number; height: number }): Promise<Buffer> {
  const eight = new Uint8Array(image.data.length);
  for (let i = 0; i < eight.length; i++) eight[i] = (image.data[i] + 128) / 257;
  return sharp(eight, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract(region)
    .png({ compressionLevel: 3 })
    .toBuffer();
}

/** A picture enlarged ×`scale` with plain bicubic interpolation, as PNG: what any viewer would show without a model. */
export async function bicubicPng(file: string, scale: number): Promise<Buffer> {
  const { width, height } = await sharp(file).metadata();
  return sharp(file).resize(width * scale, height * scale, { kernel: 'cubic' }).png({ compressionLevel: 3 }).toBuffer();
}
