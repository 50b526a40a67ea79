import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { photoPixels } from '../../main/testing/photos.js';

/** BSD100's photos (../shared/data), the benchmark's real images where the checkout has them. */
const bsd100 = join(import.meta.dirname, '../../../shared/data/eval/BSD100/HR');

/**
 * `count` photos of `width`×`height` in `dir`: BSD100 photos cropped to that shape where present
 * (so the model sees real content), else synthetic ones. Returns their paths and where they came from.
 */
export async function benchPhotos(dir: string, count: number, width: number, height: number): Promise<{ paths: string[]; source: string }> {
  await mkdir(dir, { recursive: true });
  const real = existsSync(bsd100) ? readdirSync(bsd100).filter((f) => f.endsWith('.png')).sort() : [];
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `photo-${String(i + 1).padStart(2, '0')}.png`);
    const source = real.length > 0 ? sharp(join(bsd100, real[i % real.length])) : sharp(photoPixels(width, height, 3, i), { raw: { width, height, channels: 3 } });
    await source.resize({ width, height, fit: 'cover' }).png().toFile(path);
    paths.push(path);
  }
  return { paths, source: real.length > 0 ? `BSD100 photos (../shared/data), cropped to ${width}×${height}` : `synthetic ${width}×${height} photos (../shared/data absent)` };
}
