// npx tsx bench/pipeline/big-output.ts [--model <path.onnx>] [--width 6000] [--height 4000]
// Writes a 24 MP photo at ×4 (384 MP) as PNG in strips through the enhance CLI and, as the baseline
// of the same run, a photo of half its area at ×4 (192 MP) encoded from memory. Prints each run's
// peak resident memory (/usr/bin/time -v) and time, and their ratios.
// Default model: the trainer's small ×4 feed-forward test model. The write path is what is
// measured; a real model adds engine time, not memory (tiles are bounded by the memory budget).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { storedSize, writeLargePhoto } from '../../main/testing/photos.js';
import { makeTestModel } from '../../main/testing/test-models.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, width: { type: 'string', default: '6000' }, height: { type: 'string', default: '4000' } } });
const modelPath = values.model ?? (await makeTestModel('feedforward', { scale: 4 })).onnxPath;
const dir = await mkdtemp(join(tmpdir(), 'ctmsr-big-output-'));
const repoRoot = join(import.meta.dirname, '../..');

async function photo(width: number, height: number, name: string): Promise<string> {
  const path = join(dir, name);
  await writeLargePhoto(path, width, height);
  return path;
}

interface Run {
  label: string;
  outputMP: number;
  peakMB: number;
  seconds: number;
  fileMB: number;
}

async function enhance(label: string, input: string): Promise<Run> {
  const out = join(dir, label);
  const t0 = performance.now();
  const child = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', 'main/cli/enhance.ts', input, '--out', out, '--format', 'png', '--model', modelPath], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  if (child.status !== 0) throw new Error(`${label}: enhance failed:\n${child.stdout}\n${child.stderr.slice(-3000)}`);
  const peakKB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1]);
  const file = join(out, input.split('/').pop()!.replace(/\.jpg$/, '.png'));
  const size = await storedSize(file);
  return { label, outputMP: (size.width * size.height) / 1e6, peakMB: peakKB / 1024, seconds, fileMB: (await stat(file)).size / 2 ** 20 };
}

const width = Number(values.width);
const height = Number(values.height);
const halfWidth = Math.round(width / Math.SQRT2);
const halfHeight = Math.round(height / Math.SQRT2);
const baseline = await enhance('in-memory', await photo(halfWidth, halfHeight, `photo-${halfWidth}x${halfHeight}.jpg`));
await rm(join(dir, 'in-memory'), { recursive: true, force: true });
const strips = await enhance('strips', await photo(width, height, `photo-${width}x${height}.jpg`));
await rm(dir, { recursive: true, force: true });

console.log(`model ${modelPath}`);
console.log('path       output MP  peak MB  seconds  PNG MB  peak MB per output MP  ratio to in-memory');
for (const r of [baseline, strips]) {
  const perMP = r.peakMB / r.outputMP;
  console.log(
    `${r.label.padEnd(10)} ${r.outputMP.toFixed(0).padStart(9)}  ${r.peakMB.toFixed(0).padStart(7)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.fileMB.toFixed(0).padStart(6)}  ${perMP.toFixed(2).padStart(21)}  ${(perMP / (baseline.peakMB / baseline.outputMP)).toFixed(2).padStart(18)}`,
  );
}
