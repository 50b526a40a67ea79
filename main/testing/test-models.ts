import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { loadModel } from '../models/load-model.js';

/** Python with torch that runs the trainer; CI installs Debian's python3-torch for /usr/bin/python3. */
export const testPython = process.env.CTMSR_PYTHON ?? '/usr/bin/python3';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export type TestModelKind = 'ctmsr' | 'feedforward';

/** Writes `out` (.onnx) and its manifest with the trainer's `make-test-model`. */
/** `checkpoint`: also its weights as `<id>.pt` beside it, so the app can fine-tune it. */
export function writeTestModel(kind: TestModelKind, out: string, options: { scale?: number; seed?: number; checkpoint?: boolean } = {}): void {
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
}

/**
 * A small random-weight model made by the project's own trainer, cached per kind, scale and seed
 * for the life of the temp folder so the suite builds each only once.
 */
export async function makeTestModel(kind: TestModelKind, options: { scale?: number; seed?: number; dir?: string } = {}): Promise<LoadedModel> {
  const scale = options.scale ?? 4;
  const seed = options.seed ?? 0;
  const dir = options.dir ?? join(tmpdir(), 'ctmsr-test-models');
  const onnx = join(dir, `test-${kind}-x${scale}-s${seed}.onnx`);
  if (!existsSync(onnx) || !existsSync(onnx.replace(/\.onnx$/, '.json'))) writeTestModel(kind, onnx, { scale, seed });
  return loadModel(onnx);
}
