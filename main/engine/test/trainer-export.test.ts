import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { parseModelManifest } from '../../../shared/models/manifest.js';

/**
 * The trainer's ONNX export (one consistency step: bicubic, re-noising, preconditioning, UNet) must compute
 * what PyTorch computes. `python -m trainer export --preset S --reference DIR` exports a random-init S model
 * and writes reference inputs and PyTorch outputs as raw float32 files; here onnxruntime-node runs the graph.
 */
const python = process.env.CTMSR_PYTHON ?? '/usr/bin/python3';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

interface TensorRef {
  file: string;
  shape: number[];
}
interface Reference {
  inputs: Record<string, TensorRef>;
  outputs: Record<string, TensorRef>;
}

function readFloat32(path: string): Float32Array {
  const buf = readFileSync(path);
  // copy into a fresh, aligned ArrayBuffer (the files are little-endian float32)
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  return new Float32Array(bytes.buffer);
}

describe('trainer ONNX export', () => {
  it('one consistency step of a random S model in onnxruntime-node matches PyTorch (max abs diff <= 1e-4)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmsr-trainer-export-'));
    try {
      const onnx = join(dir, 'ctmsr-s-random.onnx');
      const refDir = join(dir, 'reference');
      try {
        execFileSync(python, ['-m', 'trainer', 'export', '--preset', 'S', '--scale', '4', '--seed', '0', '--out', onnx, '--reference', refDir], {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
        throw new Error(`trainer export failed with ${python} (needs PyTorch; set CTMSR_PYTHON): ${stderr.slice(-800)}`);
      }

      const manifest = parseModelManifest(JSON.parse(readFileSync(join(dir, 'ctmsr-s-random.json'), 'utf8')), 'ctmsr-s-random.json');
      expect(manifest.kind).toBe('ctmsr');
      expect(manifest.scale).toBe(4);
      expect(manifest.multiple).toBe(8);
      expect(manifest.inputRange).toEqual([-1, 1]);
      expect(manifest.params).toBeGreaterThan(1_000_000);

      const ref = JSON.parse(readFileSync(join(refDir, 'reference.json'), 'utf8')) as Reference;
      const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
      expect([...session.inputNames].sort()).toEqual(['lr', 'noise', 'sigma', 'x0_prev']);
      expect(session.outputNames).toEqual(['x0']);

      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(ref.inputs)) {
        feeds[name] = new ort.Tensor('float32', readFloat32(join(refDir, t.file)), t.shape);
      }
      const result = await session.run(feeds);
      const got = result.x0;
      const want = readFloat32(join(refDir, ref.outputs.x0.file));
      expect(got.dims).toEqual(ref.outputs.x0.shape);
      const data = got.data as Float32Array;
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < want.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(data[i] - want[i]));
        maxAbs = Math.max(maxAbs, Math.abs(want[i]));
      }
      expect(maxAbs).toBeGreaterThan(1e-2); // the reference is not trivially zero
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
