import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { writePhoto } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';

const cli = join(import.meta.dirname, '../enhance.ts');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: join(import.meta.dirname, '../../..') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let work: string;
let input: string;
let model: LoadedModel;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ctmsr-cli-workers-'));
  input = join(work, 'in');
  await mkdir(input);
  for (let i = 0; i < 3; i++) await writePhoto(join(input, `p${i}.png`), 90, 70, 'png', i);
  model = await makeTestModel('ctmsr');
});

describe('npm run enhance on CPU workers', () => {
  it('runs a folder on two worker sessions and writes exactly what one session writes', async () => {
    const common = [input, '--model', model.onnxPath, '--tile-size', '40', '--format', 'png'];
    const one = await runCli([...common, '--out', join(work, 'one'), '--workers', '1', '--threads', '1']);
    const two = await runCli([...common, '--out', join(work, 'two'), '--workers', '2']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stderr).toMatch(/2 CPU workers × 1 thread/);
    expect(two.stderr).toMatch(/2 CPU workers ran the tiles/);
    expect(one.stderr).not.toMatch(/CPU worker/);
    const names = (await readdir(join(work, 'two'))).filter((n) => !n.startsWith('.')).sort(); // .ctmsr-outputs lists what the CLI wrote
    expect(names).toEqual(['p0_x4.png', 'p1_x4.png', 'p2_x4.png']);
    for (const name of names) expect((await readFile(join(work, 'two', name))).equals(await readFile(join(work, 'one', name)))).toBe(true);
  });

  it('refuses a worker count that is not a number or auto', async () => {
    const { code, stderr } = await runCli([input, '--out', join(work, 'bad'), '--workers', 'many']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--workers.*auto/);
  });
});
