import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { writePhoto } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';
import { listFiles, runCli } from './run-cli.js';

let work: string;
let model: LoadedModel;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ctmsr-hostile-'));
  model = await makeTestModel('ctmsr');
});

async function folderOf(name: string, count: number): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) await writePhoto(join(dir, `p${i}.png`), 24, 16, 'png', i);
  return dir;
}

describe('npm run enhance with hostile inputs', () => {
  it('skips a named pipe given as an input, saying what it is, and enhances the rest', async () => {
    const dir = await folderOf('fifo', 1);
    const fifo = join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli([fifo, join(dir, 'p0.png'), '--out', join(work, 'fifo-out'), '--model', model.onnxPath], undefined, { timeoutMs: 60_000 });
    expect(r.signal).toBeNull(); // it did not hang until killed
    expect(r.stderr).toContain(`${fifo} is a named pipe (FIFO), not an image file. Only regular image files are read. Skipped.`);
    expect(r.code).toBe(0);
    expect(await listFiles(join(work, 'fifo-out'))).toEqual(['p0_x4.png']);
  }, 90_000);

  it('ends at once with a clear error for an output folder under /proc', async () => {
    const dir = await folderOf('proc', 1);
    const r = await runCli([dir, '--out', '/proc/ctmsr-test/out', '--model', model.onnxPath], undefined, { timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot create the output folder \/proc\/ctmsr-test\/out: \/proc does not accept new folders/);
  }, 90_000);

  it('never enhances its own outputs: an output folder inside the input tree, or the input folder itself', async () => {
    const dir = await folderOf('tree', 2);
    await mkdir(join(dir, 'sub'));
    await writePhoto(join(dir, 'sub', 'q.png'), 24, 16, 'png', 9);
    const args = [dir, '--out', join(dir, 'out'), '--recursive', '--model', model.onnxPath];
    const first = await runCli(args);
    expect(first.stdout).toMatch(/done\s+3/);
    const second = await runCli([...args, '--skip-existing']);
    expect(second.stdout).toMatch(/done\s+0/);
    expect(second.stdout).toMatch(/skipped\s+3/);
    const third = await runCli(args); // rename policy: the originals again, never out/…
    expect(third.stdout).toMatch(/done\s+3/);
    expect((await listFiles(join(dir, 'out'))).filter((f) => f.endsWith('.png'))).toEqual(['p0_x4 (1).png', 'p0_x4.png', 'p1_x4 (1).png', 'p1_x4.png', 'sub/q_x4 (1).png', 'sub/q_x4.png']);

    // input = output, named as the inputs: outputs land beside the originals under new names, and
    // are not inputs next time
    const same = await folderOf('same', 2);
    const sameArgs = [same, '--out', same, '--model', model.onnxPath, '--name', '{name}'];
    expect((await runCli(sameArgs)).stdout).toMatch(/done\s+2/);
    const again = await runCli([...sameArgs, '--skip-existing']);
    expect(again.stdout).toMatch(/done\s+0/);
    expect(again.stdout).toMatch(/skipped\s+2/);
    expect((await listFiles(same)).filter((f) => f.endsWith('.png'))).toEqual(['p0 (1).png', 'p0.png', 'p1 (1).png', 'p1.png']);
    expect(await sharp(join(same, 'p0 (1).png')).metadata()).toMatchObject({ width: 96, height: 64 });
  }, 180_000);

  it('escapes control characters of file names in everything it prints', async () => {
    const dir = join(work, 'names');
    await mkdir(dir);
    const hostile = 'evil\u001b]0;pwned\u0007\u001b[2J\nname.png';
    fs.writeFileSync(join(dir, hostile), 'not an image'); // fails: its name is printed in the reason too
    await writePhoto(join(dir, 'fine\u001b[31m.png'), 24, 16, 'png', 1);
    const r = await runCli([dir, '--out', join(work, 'names-out'), '--model', model.onnxPath]);
    const printed = r.stdout + r.stderr;
    expect(printed).not.toMatch(/\u001b|\u0007/);
    expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J\\nname.png | failed |');
    expect(r.stderr).toContain('fine\\x1b[31m.png');
    // one line per failed file in the summary
    expect(r.stdout.split('\n').filter((l) => l.includes('| failed |'))).toHaveLength(1);
  }, 90_000);

  it('takes a file name starting with "-" after "--", and says so in --help', async () => {
    const dir = await folderOf('dash', 0);
    await writePhoto(join(dir, '-x.png'), 24, 16, 'png', 3);
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('File names that start with "-" go after "--"');
    const r = await runCli(['--out', join(work, 'dash-out'), '--model', model.onnxPath, '--', '-x.png'], undefined, { cwd: dir });
    expect(r.code).toBe(0);
    expect(await listFiles(join(work, 'dash-out'))).toContain('-x_x4.png');
  }, 90_000);

  it('says when an animated input had only its first frame enhanced', async () => {
    const dir = await folderOf('animated', 0);
    const frames = await Promise.all(
      [0, 1, 2].map((i) => sharp({ create: { width: 16, height: 12, channels: 4, background: { r: 40 + 80 * i, g: 40, b: 40, alpha: 1 } } }).png().toBuffer()),
    );
    await sharp(frames, { join: { animated: true } }).gif().toFile(join(dir, 'spin.gif'));
    expect((await sharp(join(dir, 'spin.gif')).metadata()).pages).toBe(3);
    const r = await runCli([dir, '--out', join(work, 'animated-out'), '--model', model.onnxPath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/spin\.gif \| done \| animated: only the first of its 3 frames was enhanced/);
  }, 90_000);
});
