import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const xmp =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:title="ctmsr-test-title"/></rdf:RDF></x:xmpmeta>';

/** A deterministic photo-like RGB(A) pattern, 8-bit interleaved. */
export function photoPixels(width: number, height: number, channels: 3 | 4 = 3, seed = 0): Buffer {
  const buf = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      buf[i] = 128 + 100 * Math.sin((x + seed) / 6) * Math.cos(y / 9);
      buf[i + 1] = 128 + 90 * Math.sin((x * y + seed) / 200);
      buf[i + 2] = (x * 3 + y * 2 + seed * 17) % 256;
      if (channels === 4) buf[i + 3] = x < width / 2 ? 255 : 0;
    }
  return buf;
}

export async function writePhoto(path: string, width: number, height: number, format: 'jpeg' | 'png' | 'webp' | 'tiff', seed = 0): Promise<void> {
  const img = sharp(photoPixels(width, height, 3, seed), { raw: { width, height, channels: 3 } });
  await img.toFormat(format).toFile(path);
}

/** A photo-like JPEG of any size, the pattern tiled (building a large one pixel by pixel is slow). */
export async function writeLargePhoto(path: string, width: number, height: number): Promise<void> {
  const tile = 500;
  const pattern = await sharp(photoPixels(tile, tile), { raw: { width: tile, height: tile, channels: 3 } }).png().toBuffer();
  const tiles = [];
  for (let y = 0; y < height; y += tile) for (let x = 0; x < width; x += tile) tiles.push({ input: pattern, left: x, top: y });
  await sharp({ create: { width, height, channels: 3, background: '#777' } }).composite(tiles).jpeg({ quality: 92 }).toFile(path);
}

/** An image file's stored size, however many pixels it has (outputs can exceed what the app reads). */
export async function storedSize(path: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(path, { limitInputPixels: false }).metadata();
  return { width: meta.width, height: meta.height };
}

export interface PhotoFolder {
  root: string;
  files: {
    oriented: string; // JPEG 40×30 stored, EXIF orientation 6 (30×40 shown), EXIF Make, XMP
    icc: string; // JPEG with a Display P3 profile
    rgba: string; // PNG with alpha: left half opaque, right half transparent
    sixteen: string; // 16-bit RGB PNG
    grey: string; // 8-bit greyscale PNG
    webp: string;
    tiff: string;
    corrupt: string; // a truncated JPEG
  };
}

/**
 * The folder of the foundation issue's acceptance check: nested subfolders of JPEG/PNG/WebP/TIFF
 * photos including one with EXIF orientation 6, one with an ICC profile, one RGBA PNG, one 16-bit
 * PNG, one grey image and one corrupt file.
 */
export async function makePhotoFolder(root: string): Promise<PhotoFolder> {
  await mkdir(join(root, 'trip/day1'), { recursive: true });
  await mkdir(join(root, 'scans'), { recursive: true });
  const files: PhotoFolder['files'] = {
    oriented: join(root, 'trip/day1/portrait.jpg'),
    icc: join(root, 'trip/p3-sunset.jpg'),
    rgba: join(root, 'logo.png'),
    sixteen: join(root, 'scans/scan16.png'),
    grey: join(root, 'scans/grey.png'),
    webp: join(root, 'trip/day1/street.webp'),
    tiff: join(root, 'scans/print.tif'),
    corrupt: join(root, 'trip/broken.jpg'),
  };
  await sharp(photoPixels(40, 30), { raw: { width: 40, height: 30, channels: 3 } })
    .withExif({ IFD0: { Make: 'CTMSRTestCam', Model: 'Unit 1' } })
    .withXmp(xmp)
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 95 })
    .toFile(files.oriented);
  await sharp(photoPixels(36, 28, 3, 3), { raw: { width: 36, height: 28, channels: 3 } }).withIccProfile('p3').jpeg({ quality: 95 }).toFile(files.icc);
  await sharp(photoPixels(32, 24, 4), { raw: { width: 32, height: 24, channels: 4 } }).png().toFile(files.rgba);
  const sixteen = new Uint16Array(30 * 20 * 3);
  for (let i = 0; i < sixteen.length; i++) sixteen[i] = (i * 2654435761) % 65536;
  await sharp(sixteen, { raw: { width: 30, height: 20, channels: 3 } }).toColourspace('rgb16').png().toFile(files.sixteen);
  await sharp(photoPixels(34, 26, 3, 5), { raw: { width: 34, height: 26, channels: 3 } }).toColourspace('b-w').png().toFile(files.grey);
  await writePhoto(files.webp, 38, 30, 'webp', 7);
  await writePhoto(files.tiff, 30, 30, 'tiff', 9);
  const good = await sharp(photoPixels(64, 48), { raw: { width: 64, height: 48, channels: 3 } }).jpeg().toBuffer();
  await writeFile(files.corrupt, good.subarray(0, Math.floor(good.length / 3)));
  return { root, files };
}

/**
 * A generated landscape (sky, sun, hills, texture) that differs by hue and layout with `seed`, for the end-to-end
 * tests: their thumbnails, viewer and screenshots should look like photos, not like a test pattern. PNG or JPEG by
 * the file's extension.
 */
export async function writeLandscape(file: string, width: number, height: number, seed: number): Promise<void> {
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
  await mkdir(dirname(file), { recursive: true });
  if (file.endsWith('.png')) await image.png().toFile(file);
  else await image.jpeg({ quality: 90 }).toFile(file);
}
