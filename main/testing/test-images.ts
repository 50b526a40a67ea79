// Small images for the library and queue tests: a cheap pattern, with camera EXIF and orientation
// when a test needs them. Photo-like content (and the mixed-format photo folder) is in photos.ts.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export interface TestImageOptions {
  width?: number;
  height?: number;
  format?: 'jpeg' | 'png' | 'webp';
  /** Seeds the pixel pattern, so images differ. */
  seed?: number;
  camera?: { make: string; model: string };
  takenAt?: string; // 'YYYY:MM:DD HH:MM:SS'
  orientation?: number;
}

/** Writes a real image with a deterministic, non-flat pattern (encoders do real work on it). */
export async function writeTestImage(file: string, options: TestImageOptions = {}): Promise<void> {
  const { width = 48, height = 32, format = 'jpeg', seed = 0 } = options;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 5 + seed * 37) & 255;
      pixels[i + 1] = (y * 7 + seed * 11) & 255;
      pixels[i + 2] = ((x ^ y) * 3 + seed) & 255;
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (options.camera || options.takenAt) {
    image = image.withExif({
      IFD0: options.camera ? { Make: options.camera.make, Model: options.camera.model } : {},
      IFD2: options.takenAt ? { DateTimeOriginal: options.takenAt } : {},
    });
  }
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  await image.toFormat(format).toFile(file);
}

/** A file named like an image whose content is not one (a truncated JPEG header and junk). */
export function writeCorruptImage(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('this is not the rest of a jpeg')]));
}
