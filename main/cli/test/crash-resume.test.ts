import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
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
  work = await mkdtemp(join(tmpdir(), 'ctmsr-crash-'));
  model = await makeTestModel('ctmsr');
});

async function photos(name: string, count: number): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  for (let i = 0; i < count; i++) await writePhoto(join(dir, `p${String(i).padStart(2, '0')}.png`), 40, 30, 'png', i);
  return dir;
}

describe('a batch killed with kill -9 and run again', () => {
  for (const policy of [['--skip-existing'], ['--on-conflict', 'skip'], ['--on-conflict', 'fail']]) {
    it(`converges to every image written with ${policy.join(' ')}, leaving no temporary file`, async () => {
      const input = await photos(`in${policy.join('')}`, 6);
      const out = join(work, `out${policy.join('')}`);
      const args = [input, '--out', out, '--model', model.onnxPath, '--threads', '1', ...policy];
      // Killed outright twice: once two images are written, then once the rerun writes one more.
      const killed = await runCli(args, (text, kill) => {
        if (text.includes('[2/6] done')) kill('SIGKILL');
      }, { timeoutMs: 120_000 });
      expect(killed.signal).toBe('SIGKILL');
      if (!policy.includes('fail')) {
        const rerun = await runCli(args, (text, kill) => {
          if (/\] done/.test(text)) kill('SIGKILL');
        }, { timeoutMs: 120_000 });
        expect(rerun.stderr).not.toMatch(/Cannot destructure/);
        expect(rerun.signal).toBe('SIGKILL');
      }
      const written = (await listFiles(out)).filter((f) => f.endsWith('.png'));
      expect(written.length).toBeGreaterThanOrEqual(2);
      expect(written.length).toBeLessThan(6);
      // What a kill during a write leaves, beside an output the rerun will not write again.
      await writeFile(join(out, 'p00_x4.png.tmp'), 'half an image');

      const again = await runCli(args, undefined, { timeoutMs: 120_000 });
      expect(again.stderr).not.toMatch(/Cannot destructure/);
      if (policy.includes('fail')) {
        // outputs of the killed run are there: the policy reports each, and writes all the others
        expect(again.stdout).toMatch(new RegExp(`failed\\s+${written.length}\\b`));
        expect(again.stdout.match(/already exists/g)).toHaveLength(written.length);
        expect(again.code).toBe(1);
      } else {
        expect(again.stdout).toMatch(/failed\s+0/);
        expect(again.code).toBe(0);
      }
      const files = await listFiles(out);
      expect(files).toEqual(['p00_x4.png', 'p01_x4.png', 'p02_x4.png', 'p03_x4.png', 'p04_x4.png', 'p05_x4.png']);
      for (const f of files) expect(await sharp(join(out, f)).metadata()).toMatchObject({ width: 160, height: 120 });
    }, 240_000);
  }
});
