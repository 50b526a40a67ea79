import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { makePhotoFolder, writePhoto, type PhotoFolder } from '../../testing/photos.js';
import { makeTestModel, writeTestModel } from '../../testing/test-models.js';
import { canMountTmpfs, mountTmpfs, unmount } from '../../testing/small-disk.js';
import { buildProgram } from '../enhance.js';
import { listFiles, runCli } from './run-cli.js';

let folder: PhotoFolder;
let work: string;
let model: LoadedModel;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ctmsr-cli-'));
  folder = await makePhotoFolder(join(work, 'photos'));
  model = await makeTestModel('ctmsr');
});

describe('npm run enhance', () => {
  it('turns a nested folder into a mirrored tree, reporting the corrupt file by name', async () => {
    const out = join(work, 'out');
    const { code, stdout } = await runCli([folder.root, '--out', out, '--recursive', '--model', model.onnxPath]);
    expect(code).toBe(1); // one image failed
    expect(await listFiles(out)).toEqual([
      'logo_x4.png',
      'scans/grey_x4.png',
      'scans/print_x4.tif',
      'scans/scan16_x4.png',
      'trip/day1/portrait_x4.jpg',
      'trip/day1/street_x4.webp',
      'trip/p3-sunset_x4.jpg',
    ]);
    expect(stdout).toMatch(/done\s+7/);
    expect(stdout).toMatch(/failed\s+1/);
    expect(stdout).toContain(`${folder.files.corrupt} | failed |`);
    expect(stdout).toMatch(/corrupt or truncated/);

    const portrait = await sharp(join(out, 'trip/day1/portrait_x4.jpg')).metadata();
    expect([portrait.width, portrait.height, portrait.orientation ?? 1]).toEqual([120, 160, 1]);
    expect(portrait.exif?.toString('latin1')).toContain('CTMSRTestCam');
    expect((await sharp(join(out, 'trip/p3-sunset_x4.jpg')).metadata()).icc).toBeDefined();
    expect(await sharp(join(out, 'logo_x4.png')).metadata()).toMatchObject({ width: 128, height: 96, channels: 4 });
    expect(await sharp(join(out, 'scans/scan16_x4.png')).metadata()).toMatchObject({ width: 120, height: 80, depth: 'ushort' });
    expect(await sharp(join(out, 'scans/grey_x4.png')).metadata()).toMatchObject({ width: 136, height: 104, channels: 1 });
    expect(await sharp(join(out, 'scans/print_x4.tif')).metadata()).toMatchObject({ width: 120, height: 120, format: 'tiff' });
    expect(await sharp(join(out, 'trip/day1/street_x4.webp')).metadata()).toMatchObject({ width: 152, height: 120, format: 'webp' });

    // A second run: skip-existing skips them all; rename writes beside them; inputs are untouched
    // (named as the input, on purpose, to collide with it).
    const again = await runCli([folder.root, '--out', out, '--recursive', '--model', model.onnxPath, '--skip-existing']);
    expect(again.stdout).toMatch(/skipped\s+7/);
    const renamed = await runCli([folder.files.webp, '--out', join(out, 'trip/day1'), '--model', model.onnxPath, '--format', 'png', '--scale', '2']);
    expect(renamed.code).toBe(0);
    expect(await listFiles(join(out, 'trip/day1'))).toEqual(['portrait_x4.jpg', 'street_x2.png', 'street_x4.webp']);
    const intoSource = await runCli([folder.files.grey, '--out', join(folder.root, 'scans'), '--model', model.onnxPath, '--on-conflict', 'overwrite', '--name', '{name}']);
    expect(intoSource.code).toBe(0);
    expect(await listFiles(join(folder.root, 'scans'))).toEqual(['grey (1).png', 'grey.png', 'print.tif', 'scan16.png']);
    expect(await sharp(folder.files.grey).metadata()).toMatchObject({ width: 34, height: 26 });
  });

  it('stops on Ctrl+C between tiles and leaves no partial output', async () => {
    const input = join(work, 'big');
    await mkdir(input);
    for (let i = 0; i < 4; i++) await writePhoto(join(input, `p${i}.png`), 160, 120, 'png', i);
    const out = join(work, 'cancelled');
    let interrupted = false;
    const result = await runCli([input, '--out', out, '--model', model.onnxPath, '--tile-size', '32', '--threads', '1'], (text, kill) => {
      if (!interrupted && text.includes('[1/4] done')) {
        interrupted = true; // one Ctrl+C: a second one means "quit at once"
        kill();
      }
    });
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/cancelled\s+[1-3]/);
    const files = await listFiles(out);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(files.length).toBeLessThan(4);
    for (const f of files) expect(await sharp(join(out, f)).metadata()).toMatchObject({ width: 640, height: 480 });
  });

  it.skipIf(!canMountTmpfs())('stops at a read-only output disk instead of failing every image (needs root for tmpfs)', async () => {
    const input = join(work, 'ro-in');
    await mkdir(input);
    for (let i = 0; i < 3; i++) await writePhoto(join(input, `r${i}.png`), 24, 16, 'png', i);
    const out = join(work, 'readonly');
    await mkdir(out);
    mountTmpfs(out, '256k', { readOnly: true });
    try {
      const r = await runCli([input, '--out', out, '--model', model.onnxPath]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/failed\s+1/);
      expect(r.stdout).toMatch(/skipped\s+2/);
      expect(r.stdout).toMatch(/read-only or not writable/);
      expect(r.stdout).toMatch(/not attempted: Cannot write/);
    } finally {
      unmount(out);
    }
  });

  it("samples a model in its manifest's own step count unless --steps says otherwise", async () => {
    // the same graph as `model`; only its manifest's σ list says two steps
    const twoStep = await makeTestModel('ctmsr', { steps: [1, 0.5] });
    const photo = join(work, 'steps-in', 'photo.png');
    await mkdir(join(work, 'steps-in'));
    await writePhoto(photo, 40, 30, 'png', 3);
    const run = async (name: string, chosen: LoadedModel, ...args: string[]) => {
      const out = join(work, 'steps-out', name);
      const r = await runCli([photo, '--out', out, '--model', chosen.onnxPath, ...args]);
      expect(r.code, r.stderr).toBe(0);
      return { stderr: r.stderr, pixels: await sharp(join(out, 'photo_x4.png')).raw().toBuffer() };
    };
    const own = await run('own', twoStep);
    const two = await run('two', twoStep, '--steps', '2');
    const one = await run('one', twoStep, '--steps', '1');
    expect(own.pixels.equals(two.pixels)).toBe(true);
    expect(own.pixels.equals(one.pixels)).toBe(false);
    expect(own.stderr).toMatch(/^model \S+ \(×4, 2 steps\) on cpu/m);
    expect(one.stderr).toMatch(/^model \S+ \(×4, 1 step\) on cpu/m);
    // a model whose own is one step is sampled as before
    const plain = await run('plain', model);
    expect(plain.pixels.equals(one.pixels)).toBe(true);
    expect(plain.stderr).toMatch(/\(×4, 1 step\)/);
    expect(buildProgram().helpInformation().replace(/\s+/g, ' ')).toContain("--steps <n> sampling steps for CTMSR models (default: the model's own, see its manifest; 1 for most)");
  });

  it('exits with a clear message for a missing model or folder', async () => {
    const r = await runCli([join(work, 'nope'), '--out', join(work, 'x'), '--model', model.onnxPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope does not exist');
    const m = await runCli([folder.root, '--out', join(work, 'x'), '--model', 'no-such-model']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/Model "no-such-model" not found/);
  });

  it("finds a model imported or fine-tuned in the app by its id, in the app's data folder", async () => {
    const data = join(work, 'app-data');
    writeTestModel('feedforward', join(data, 'models', 'my-tuned.onnx'), { seed: 5 });
    const photo = join(work, 'one', 'photo.png');
    await mkdir(join(work, 'one'));
    await writePhoto(photo, 24, 16, 'png');
    const given = await runCli([photo, '--out', join(work, 'tuned-out'), '--model', 'my-tuned', '--data-dir', data]);
    expect(given.code).toBe(0);
    expect(await listFiles(join(work, 'tuned-out'))).toEqual(['photo_x4.png']);
    const fromEnv = await runCli([photo, '--out', join(work, 'tuned-env'), '--model', 'my-tuned'], undefined, { env: { CTMSR_DATA_DIR: data } });
    expect(fromEnv.code).toBe(0);
    const elsewhere = await runCli([photo, '--out', join(work, 'x'), '--model', 'my-tuned', '--data-dir', join(work, 'other-data')]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/Model "my-tuned" not found \(installed: /);
  });
});
