import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp, { type OutputInfo } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceSettingsSchema } from '../../../shared/enhance/settings.js';
import { Engine } from '../../engine/engine.js';
import { decodeImage } from '../../imaging/decode.js';
import { encodeImage } from '../../imaging/encode.js';
import { pngStripEncoder } from '../../imaging/encode-strips.js';
import { checkOutputSize, isStreamedOutput, maxInMemoryOutputPixels } from '../../imaging/limits.js';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { makePhotoFolder, type PhotoFolder } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';
import { decodeInput } from '../enhance-file.js';

let dir: string;
let folder: PhotoFolder;
let model: LoadedModel;
const engine = new Engine({ providers: ['cpu'], threads: 1, memoryBudgetMB: 64 });
const settings = (extra: object = {}) => enhanceSettingsSchema.parse(extra);
const repoRoot = join(import.meta.dirname, '../../..');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctmsr-big-'));
  folder = await makePhotoFolder(join(dir, 'in'));
  model = await makeTestModel('ctmsr');
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

/** A flat PNG of any size: a few hundred KB on disk however many pixels its header declares. */
async function flatPng(path: string, width: number, height: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: '#808080' }, limitInputPixels: false }).png({ compressionLevel: 9 }).toFile(path);
}

describe('sizes refused before any work', () => {
  it('refuses a 14,000² PNG at ×4 from its header, without decoding its 196 MP', async () => {
    const png = join(dir, 'huge.png');
    await flatPng(png, 14000, 14000);
    // In a process of its own, so its peak memory is the decode's alone.
    const script = join(dir, 'refuse.mts');
    await writeFile(
      script,
      `import { decodeInput } from ${JSON.stringify(join(repoRoot, 'main/pipeline/enhance-file.ts'))};
       import { enhanceSettingsSchema } from ${JSON.stringify(join(repoRoot, 'shared/enhance/settings.ts'))};
       const settings = enhanceSettingsSchema.parse({});
       const error = await decodeInput(${JSON.stringify(png)}, { settings, modelScale: 4, outputPath: '/tmp/x.png' }).then(() => null, (e) => e);
       console.log(JSON.stringify({ code: error?.code, message: error?.message, maxRssMB: process.resourceUsage().maxRSS / 1024 }));`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { code: string; message: string; maxRssMB: number };
    expect(result.code).toBe('image-too-large');
    expect(result.message).toMatch(/14,000 × 14,000: the model would make 3136 MP of it, more than the 400 MP/);
    // decoding it would take 196 MP × 12 bytes of planar float, 2.3 GB
    expect(result.maxRssMB).toBeLessThan(1000);
  }, 120_000);

  it('names what works when the format cannot hold the output: WebP side, the 268 MP in-memory encoders', async () => {
    const photo = join(dir, 'camera.png');
    await flatPng(photo, 4500, 4200); // 18.9 MP: 302 MP at ×4
    const target = (outputPath: string, extra: object = {}) => ({ settings: settings(extra), modelScale: 4, outputPath });
    const webp = await decodeInput(photo, target(join(dir, 'camera.webp'))).catch((e) => e);
    expect(webp.code).toBe('image-too-large');
    expect(webp.message).toMatch(/would be 18,000 × 16,800 \(302 MP\), and WebP images can be at most 16,383 px per side/);
    expect(webp.message).toMatch(/Choose PNG as the format, or a width of at most 16,383 px \(scale ×3\.64\)/);
    const jpeg = await decodeInput(photo, target(join(dir, 'camera.jpg'))).catch((e) => e);
    expect(jpeg.message).toMatch(/JPEG images can be at most 268 MP. Choose PNG as the format, or a width of at most 16,95\d px/);
    const avif = await decodeInput(photo, target(join(dir, 'camera.avif'))).catch((e) => e);
    expect(avif.message).toMatch(/AVIF images can be at most 16,384 px per side/);
    // what the messages offer is accepted
    await expect(decodeInput(photo, target(join(dir, 'camera.jpg'), { scale: 3 }))).resolves.toMatchObject({ width: 4500 });
    await expect(decodeInput(photo, target(join(dir, 'camera.webp'), { width: 16383 }))).resolves.toMatchObject({ width: 4500 });
    await expect(decodeInput(photo, target(join(dir, 'camera.png')))).resolves.toMatchObject({ width: 4500 });
  }, 120_000);

  it('writes PNG in strips above the in-memory limit, and every format at or below it', () => {
    const side = Math.floor(Math.sqrt(maxInMemoryOutputPixels));
    expect(isStreamedOutput('png', { width: side + 1, height: side + 1 })).toBe(true);
    expect(isStreamedOutput('png', { width: side, height: side })).toBe(false);
    expect(() => checkOutputSize('a.png', 'png', { width: 6000, height: 4000 }, { width: 24000, height: 16000 }, { width: 24000, height: 16000 })).not.toThrow();
    expect(() => checkOutputSize('a.tif', 'tiff', { width: 6000, height: 4000 }, { width: 24000, height: 16000 }, { width: 24000, height: 16000 })).toThrow(/TIFF images can be at most 268 MP/);
  });
});

describe('PNG written in strips from the engine\u2019s row bands', () => {
  /** The same output encoded from memory and in strips, decoded to raw samples. */
  /** The folder's photo, three times larger, so the engine finishes its rows in several bands. */
  async function larger(file: keyof PhotoFolder['files']): Promise<string> {
    const meta = await sharp(folder.files[file]).metadata();
    const path = join(dir, `larger-${file}.png`);
    await sharp(folder.files[file]).resize(meta.width * 3, meta.height * 3, { kernel: 'nearest' }).png().toFile(path);
    return path;
  }

  async function both(input: string): Promise<{ memory: { data: Buffer; info: OutputInfo }; strips: { data: Buffer; info: OutputInfo } }> {
    const decoded = await decodeImage(input);
    const size = { width: decoded.width * 4, height: decoded.height * 4 };
    const options = { format: 'png' as const, quality: 92, compression: 6, keepMetadata: true, ...size };
    const whole = await engine.enhance(model, decoded.rgb, { seed: 3 });
    const memoryPath = join(dir, `${decoded.width}-memory.png`);
    await encodeImage(whole.image, decoded, memoryPath, options);
    const stripsPath = join(dir, `${decoded.width}-strips.png`);
    const encoder = pngStripEncoder(decoded, stripsPath, options);
    let bands = 0;
    const streamed = await engine.enhance(model, decoded.rgb, { seed: 3, tileSize: 32, onRows: (rows) => (bands++, encoder.writeBand(rows)) });
    await encoder.finish();
    expect(bands).toBeGreaterThan(1);
    expect(streamed.image.data.length).toBe(0); // nothing held whole
    const read = (p: string) => sharp(p).raw({ depth: decoded.bitDepth === 16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    return { memory: await read(memoryPath), strips: await read(stripsPath) };
  }

  function maxDifference(a: Buffer, b: Buffer, sixteen: boolean, channels = 1): number[] {
    const x = sixteen ? new Uint16Array(a.buffer, a.byteOffset, a.length / 2) : a;
    const y = sixteen ? new Uint16Array(b.buffer, b.byteOffset, b.length / 2) : b;
    const max = new Array<number>(channels).fill(0);
    for (let i = 0; i < x.length; i++) max[i % channels] = Math.max(max[i % channels], Math.abs(x[i] - y[i]));
    return max;
  }

  it.each([
    ['8-bit RGB', 'webp', 1],
    ['RGBA', 'rgba', 1],
    ['16-bit RGB', 'sixteen', 257], // one 8-bit step
    ['grey', 'grey', 3],
  ] as const)('%s comes out as the in-memory encoder makes it', async (_, file, tolerance) => {
    const { memory, strips } = await both(await larger(file));
    const { width, channels } = memory.info;
    expect(strips.info).toMatchObject({ width, height: memory.info.height, channels });
    const differences = maxDifference(memory.data, strips.data, file === 'sixteen', channels);
    expect(Math.max(...differences.slice(0, file === 'rgba' ? 3 : channels))).toBeLessThanOrEqual(tolerance);
    if (file === 'rgba') {
      // alpha is upsampled bilinear in strips, Lanczos from memory: they differ only across the
      // edge of the transparent half (x = 192)
      for (let i = 3; i < memory.data.length; i += 4) {
        const x = ((i - 3) / 4) % width;
        if (Math.abs(x - 192) > 6) expect(Math.abs(memory.data[i] - strips.data[i])).toBeLessThanOrEqual(1);
      }
    }
  }, 60_000);

  it('keeps EXIF with the orientation reset', async () => {
    const decoded = await decodeImage(folder.files.oriented);
    const path = join(dir, 'oriented-strips.png');
    const encoder = pngStripEncoder(decoded, path, { format: 'png', quality: 92, compression: 6, keepMetadata: true, width: decoded.width * 4, height: decoded.height * 4 });
    await engine.enhance(model, decoded.rgb, { onRows: (rows) => encoder.writeBand(rows) });
    await encoder.finish();
    const meta = await sharp(path).metadata();
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([120, 160, 1]);
    expect(meta.exif?.toString('latin1')).toContain('CTMSRTestCam');
  }, 60_000);
});
