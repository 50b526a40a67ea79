import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceSettingsSchema } from '../../../shared/enhance/settings.js';
import { isStudioError } from '../../../shared/errors.js';
import { Engine } from '../../engine/engine.js';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { makePhotoFolder, type PhotoFolder } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';
import { enhanceFile } from '../enhance-file.js';
import { iccText } from '../../imaging/decode.js';

let folder: PhotoFolder;
let out: string;
let model: LoadedModel;
const engine = new Engine({ providers: ['cpu'], threads: 1 });
const settings = (extra: object = {}) => enhanceSettingsSchema.parse(extra);

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ctmsr-pipe-'));
  folder = await makePhotoFolder(join(dir, 'in'));
  out = join(dir, 'out');
  model = await makeTestModel('ctmsr');
});
afterAll(() => engine.close());

describe('enhanceFile', () => {
  it('applies EXIF orientation, resets the tag and keeps EXIF and XMP', async () => {
    const dest = join(out, 'portrait.jpg');
    await enhanceFile(folder.files.oriented, dest, settings(), { engine, model });
    const m = await sharp(dest).metadata();
    expect([m.width, m.height]).toEqual([120, 160]); // stored 40×30, shown 30×40, ×4
    expect(m.orientation ?? 1).toBe(1);
    expect(m.exif?.toString('latin1')).toContain('CTMSRTestCam');
    expect(m.xmp?.toString()).toContain('ctmsr-test-title');
  });

  it('keeps an RGB photo with EXIF RGB when it becomes a PNG: no added alpha channel', async () => {
    const dest = join(out, 'portrait-exif.png');
    await enhanceFile(folder.files.oriented, dest, settings({ format: 'png' }), { engine, model });
    const m = await sharp(dest).metadata();
    expect([m.channels, m.hasAlpha]).toEqual([3, false]);
    expect(m.exif?.toString('latin1')).toContain('CTMSRTestCam');
  });

  it('drops metadata when asked', async () => {
    const dest = join(out, 'portrait-bare.jpg');
    await enhanceFile(folder.files.oriented, dest, settings({ keepMetadata: false }), { engine, model });
    const m = await sharp(dest).metadata();
    expect(m.exif).toBeUndefined();
    expect(m.xmp).toBeUndefined();
    expect([m.width, m.height]).toEqual([120, 160]);
  });

  it('keeps the ICC profile, with colours converted back into it', async () => {
    const dest = join(out, 'p3.png');
    await enhanceFile(folder.files.icc, dest, settings({ seed: 3 }), { engine, model });
    const m = await sharp(dest).metadata();
    expect(m.icc).toBeDefined();
    expect(iccText(m.icc!)).toMatch(/P3/);
    // The same photo converted to sRGB first gives the same picture once both are read as sRGB.
    const srgbCopy = join(out, 'p3-as-srgb.png');
    await sharp(folder.files.icc).toColourspace('srgb').png().toFile(srgbCopy);
    const ref = join(out, 'ref.png');
    await enhanceFile(srgbCopy, ref, settings({ seed: 3 }), { engine, model });
    const a = await sharp(dest).toColourspace('srgb').raw().toBuffer();
    const b = await sharp(ref).toColourspace('srgb').raw().toBuffer();
    const meanDiff = (x: Buffer, y: Buffer) => x.reduce((sum, v, i) => sum + Math.abs(v - y[i]), 0) / x.length;
    // 8-bit round trips through a wider gamut cost about a level on average.
    expect(meanDiff(a, b)).toBeLessThan(2.5);
    // Stored values are the sRGB result transformed into P3 (the random model's output is greyish,
    // where the two spaces are close, so the margins are small but clear).
    const stored = await sharp(dest).keepIccProfile().raw().toBuffer();
    const { width, height } = await sharp(ref).metadata();
    const expected = await sharp(b, { raw: { width: width!, height: height!, channels: 3 } }).withIccProfile('p3').raw().toBuffer();
    expect(meanDiff(stored, expected)).toBeLessThan(0.5);
    expect(meanDiff(stored, b)).toBeGreaterThan(1);
  });

  it('keeps alpha (resized), 16-bit depth and grey', async () => {
    await enhanceFile(folder.files.rgba, join(out, 'logo.png'), settings(), { engine, model });
    const rgba = sharp(join(out, 'logo.png'));
    const rm = await rgba.metadata();
    expect([rm.width, rm.height, rm.channels]).toEqual([128, 96, 4]);
    const { data } = await rgba.raw().toBuffer({ resolveWithObject: true });
    expect(data[(40 * 128 + 10) * 4 + 3]).toBe(255);
    expect(data[(40 * 128 + 120) * 4 + 3]).toBe(0);

    await enhanceFile(folder.files.sixteen, join(out, 'scan16.png'), settings(), { engine, model });
    const sm = await sharp(join(out, 'scan16.png')).metadata();
    expect([sm.width, sm.height, sm.depth]).toEqual([120, 80, 'ushort']);
    await enhanceFile(folder.files.sixteen, join(out, 'scan16.jpg'), settings({ format: 'jpeg' }), { engine, model });
    expect((await sharp(join(out, 'scan16.jpg')).metadata()).depth).toBe('uchar');

    await enhanceFile(folder.files.grey, join(out, 'grey.png'), settings(), { engine, model });
    const gm = await sharp(join(out, 'grey.png')).metadata();
    expect([gm.width, gm.height, gm.channels, gm.space]).toEqual([136, 104, 1, 'b-w']);
  });

  it('reaches 2× and exact sizes with a high-quality downscale', async () => {
    await enhanceFile(folder.files.webp, join(out, 'x2.webp'), settings({ scale: 2 }), { engine, model });
    expect(await sharp(join(out, 'x2.webp')).metadata()).toMatchObject({ width: 76, height: 60, format: 'webp' });
    await enhanceFile(folder.files.tiff, join(out, 'w100.tif'), settings({ width: 100 }), { engine, model });
    expect(await sharp(join(out, 'w100.tif')).metadata()).toMatchObject({ width: 100, height: 100, format: 'tiff' });
    await expect(enhanceFile(folder.files.tiff, join(out, 'x8.png'), settings({ scale: 8 }), { engine, model })).rejects.toSatisfy((e) => isStudioError(e, 'invalid-settings'));
  });

  it('reads the first frame of an animated GIF and writes AVIF', async () => {
    const frames = Buffer.concat([Buffer.alloc(20 * 16 * 4, 200), Buffer.alloc(20 * 16 * 4, 30)]);
    const gif = join(out, 'anim.gif');
    await sharp(frames, { raw: { width: 20, height: 32, channels: 4, pageHeight: 16 } }).gif({ loop: 0 }).toFile(gif);
    expect((await sharp(gif).metadata()).pages).toBe(2);
    await enhanceFile(gif, join(out, 'anim.png'), settings(), { engine, model });
    expect(await sharp(join(out, 'anim.png')).metadata()).toMatchObject({ width: 80, height: 64, format: 'png' });
    await enhanceFile(folder.files.webp, join(out, 'street.avif'), settings({ quality: 60 }), { engine, model });
    expect(await sharp(join(out, 'street.avif')).metadata()).toMatchObject({ width: 152, height: 120, format: 'heif' });
  });

  it('names a corrupt file with a clear reason and leaves no output behind', async () => {
    const dest = join(out, 'broken', 'broken.png');
    const err = await enhanceFile(folder.files.corrupt, dest, settings(), { engine, model }).catch((e) => e);
    expect(isStudioError(err, 'unreadable-image')).toBe(true);
    expect(err.message).toContain(folder.files.corrupt);
    expect(err.message).toMatch(/corrupt or truncated/);
    const notImage = join(out, 'notes.png');
    await writeFile(notImage, 'hello, I am text');
    expect(await enhanceFile(notImage, join(out, 'n.png'), settings(), { engine, model }).catch((e) => e.code)).toBe('unsupported-format');
  });

  it('leaves no file at all when cancelled mid-image', async () => {
    const dir = join(out, 'cancelled');
    const controller = new AbortController();
    const run = enhanceFile(folder.files.webp, join(dir, 'c.png'), settings({ tileSize: 32 }), {
      engine,
      model,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toSatisfy((e) => isStudioError(e, 'cancelled'));
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });
});
