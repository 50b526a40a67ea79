import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Generated "photos" for the end-to-end tests: landscapes (sky, sun, hills, texture) that differ
 * by hue and layout, so thumbnails and comparisons look like the real thing.
 */
export async function makePhoto(file: string, width: number, height: number, seed: number): Promise<void> {
  const hue = (seed * 47) % 360;
  const sunX = 0.2 + ((seed * 37) % 60) / 100;
  const hill = (k: number) =>
    Array.from({ length: 9 }, (_, i) => {
      const x = (i / 8) * width;
      const y = height * (0.55 + 0.12 * k + 0.08 * Math.sin(i * 1.3 + seed + k));
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    }).join(' ');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs>
      <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="hsl(${hue},70%,45%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},80%,80%)"/>
      </linearGradient>
    </defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="${sunX * width}" cy="${height * 0.3}" r="${Math.min(width, height) * 0.12}" fill="hsl(${(hue + 180) % 360},90%,70%)"/>
    <polygon points="0,${height} ${hill(0)} ${width},${height}" fill="hsl(${(hue + 90) % 360},40%,35%)"/>
    <polygon points="0,${height} ${hill(1)} ${width},${height}" fill="hsl(${(hue + 120) % 360},45%,22%)"/>
    ${Array.from({ length: 12 }, (_, i) => `<rect x="${((i * 53 + seed * 11) % 100) / 100 * width}" y="${height * (0.75 + (i % 4) * 0.05)}" width="${width * 0.02}" height="${height * 0.1}" fill="hsl(${(hue + 150) % 360},30%,${15 + (i % 3) * 8}%)"/>`).join('')}
  </svg>`;
  const image = sharp(Buffer.from(svg));
  await mkdir(path.dirname(file), { recursive: true });
  if (file.endsWith('.png')) await image.png().toFile(file);
  else await image.jpeg({ quality: 90 }).toFile(file);
}

/** A file named like a JPEG that is not one: a header, then garbage. */
export async function makeCorruptJpeg(file: string): Promise<void> {
  const bytes = Buffer.alloc(2048, 0x5a);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}
