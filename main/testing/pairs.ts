import { mkdir, writeFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import { join } from 'node:path';
import sharp from 'sharp';
import { photoPixels } from './photos.js';

/**
 * A pairs folder as a user would make one: HR/<name>.png and LR/<name>.png, the LR a bicubic ×scale reduction
 * of the HR. Each picture differs by its pattern's seed.
 */
export async function makePairsFolder(root: string, options: { count: number; scale?: number; width?: number; height?: number; first?: number }): Promise<string[]> {
  const scale = options.scale ?? 4;
  const width = options.width ?? 96;
  const height = options.height ?? 64;
  await mkdir(join(root, 'HR'), { recursive: true });
  await mkdir(join(root, 'LR'), { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const seed = (options.first ?? 0) + i;
    const name = `pair-${String(seed).padStart(2, '0')}`;
    const hr = sharp(photoPixels(width, height, 3, seed * 7), { raw: { width, height, channels: 3 } }).png();
    const png = await hr.toBuffer();
    await writeFile(join(root, 'HR', `${name}.png`), png);
    await sharp(png).resize(width / scale, height / scale, { kernel: 'cubic' }).png().toFile(join(root, 'LR', `${name}.png`));
    names.push(name);
  }
  return names;
}

/** An image of the given size (for pairs whose sizes do not fit). */
export async function writeSizedPng(file: string, width: number, height: number, seed = 1): Promise<void> {
  await sharp(photoPixels(width, height, 3, seed), { raw: { width, height, channels: 3 } }).png().toFile(file);
}

/** A file named like a PNG that is not one. */
export async function writeBrokenPng(file: string): Promise<void> {
  await writeFile(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 0x33)]));
}

/**
 * A PNG whose header declares `width`×`height` and that holds (almost) no pixels: a photo too large to make for real in a
 * test, for limits that are checked from the header.
 */
export async function writePngHeader(file: string, width: number, height: number): Promise<void> {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // 8 bits
  ihdr.writeUInt8(2, 9); // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const firstRow = chunk('IDAT', deflateSync(Buffer.alloc(1 + 3 * Math.min(width, 64))));
  await writeFile(file, Buffer.concat([signature, chunk('IHDR', ihdr), firstRow, chunk('IEND', Buffer.alloc(0))]));
}
