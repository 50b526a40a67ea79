import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { loadModel } from '../models/load-model.js';

/** Python with torch that runs the trainer; CI installs Debian's python3-torch for /usr/bin/python3. */
export const testPython = process.env.CTMSR_PYTHON ?? '/usr/bin/python3';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export type TestModelKind = 'ctmsr' | 'feedforward';

/**
 * Writes `out` (.onnx) and its manifest with the trainer's `make-test-model`. `checkpoint`: also its weights as
 * `<id>.pt` beside it, so the app can fine-tune it. `steps`: the manifest's σ list instead of the trainer's `[1]`,
 * for a model whose own sampling takes several steps.
 */
export function writeTestModel(kind: TestModelKind, out: string, options: { scale?: number; seed?: number; checkpoint?: boolean; steps?: number[] } = {}): void {
  mkdirSync(dirname(out), { recursive: true });
  try {
    const args = ['-m', 'trainer', 'make-test-model', '--kind', kind, '--scale', String(options.scale ?? 4), '--seed', String(options.seed ?? 0), '--out', out];
    execFileSync(testPython, options.checkpoint ? [...args, '--checkpoint'] : args, {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`Could not make the ${kind} test model with ${testPython} -m trainer (needs PyTorch; set CTMSR_PYTHON): ${stderr.slice(-600)}`);
  }
  if (options.steps) {
    const manifest = manifestOf(out);
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), steps: options.steps }, null, 2));
  }
}

const manifestOf = (onnx: string) => onnx.replace(/\.onnx$/, '.json');

/**
 * A small random-weight model made by the project's own trainer, cached per kind, scale, seed and σ list
 * for the life of the temp folder so the suite builds each only once.
 */
export async function makeTestModel(kind: TestModelKind, options: { scale?: number; seed?: number; dir?: string; steps?: number[] } = {}): Promise<LoadedModel> {
  const scale = options.scale ?? 4;
  const seed = options.seed ?? 0;
  const dir = options.dir ?? join(tmpdir(), 'ctmsr-test-models');
  const sigmas = options.steps ? `-sigmas${options.steps.join('_')}` : '';
  const onnx = join(dir, `test-${kind}-x${scale}-s${seed}${sigmas}.onnx`);
  if (!existsSync(onnx) || !existsSync(manifestOf(onnx))) writeWhole(kind, onnx, { scale, seed, steps: options.steps });
  return loadModel(onnx);
}

/**
 * Made in a folder of its own and moved into place, manifest last: test files run side by side, and one
 * must not load a manifest another is still writing or has yet to give its σ list.
 */
function writeWhole(kind: TestModelKind, onnx: string, options: { scale: number; seed: number; steps?: number[] }): void {
  mkdirSync(dirname(onnx), { recursive: true });
  const making = mkdtempSync(join(dirname(onnx), '.making-'));
  try {
    const draft = join(making, basename(onnx));
    writeTestModel(kind, draft, options);
    renameSync(draft, onnx);
    renameSync(manifestOf(draft), manifestOf(onnx));
  } finally {
    rmSync(making, { recursive: true, force: true });
  }
}
