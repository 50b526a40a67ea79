import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayPng, regionPng } from '../display-png.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctmsr-display-png-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('displayPng', () => {
  it('shows a TIFF stored sideways as an upright PNG', async () => {
    const file = join(dir, 'sideways.tif');
    // 6 wide × 4 high as stored; EXIF orientation 6 turns it a quarter, so it shows 4 × 6
    await sharp(Buffer.alloc(6 * 4 * 3, 0x80), { raw: { width: 6, height: 4, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .tiff()
      .toFile(file);
    const meta = await sharp(await displayPng(file)).metadata();
    expect([meta.format, meta.width, meta.height, meta.orientation]).toEqual(['png', 4, 6, undefined]);
  });

  it('fails on a file that is not an image', async () => {
    await expect(displayPng(join(dir, 'missing.tif'))).rejects.toThrow();
  });
});

describe('regionPng', () => {
  it('cuts the region out of an engine output as 8-bit PNG', async () => {
    // 4 × 2, pixel (x, y) has red = x * 257 * 60 and green = y * 65535: 16-bit values that map exactly to 8 bits
    const data = new Uint16Array(4 * 2 * 3);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) data.set([x * 60 * 257, y * 65535, 0], (y * 4 + x) * 3);
    const png = await regionPng({ width: 4, height: 2, data }, { left: 1, top: 1, width: 2, height: 1 });
    const { data: pixels, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([2, 1, 3]);
    expect([...pixels]).toEqual([60, 255, 0, 120, 255, 0]);
  });
});
