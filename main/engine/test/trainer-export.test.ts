import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
const slim = join(repoRoot, 'trainer/checkpoints/ctmsr-s-x4-clean-warm11412.pt');

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

/** Exports with the trainer (`extra`: --preset … or --checkpoint …) plus PyTorch's reference, and runs the graph. */
async function exportAndCompare(dir: string, name: string, extra: string[]) {
  const onnx = join(dir, `${name}.onnx`);
  const refDir = join(dir, `${name}-reference`);
  try {
    execFileSync(python, ['-m', 'trainer', 'export', ...extra, '--out', onnx, '--reference', refDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`trainer export failed with ${python} (needs PyTorch; set CTMSR_PYTHON): ${stderr.slice(-800)}`);
  }
  const manifest = parseModelManifest(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')), `${name}.json`);
  const ref = JSON.parse(readFileSync(join(refDir, 'reference.json'), 'utf8')) as Reference;
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    expect([...session.inputNames].sort()).toEqual(['lr', 'noise', 'sigma', 'x0_prev']);
    expect(session.outputNames).toEqual(['x0']);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [input, t] of Object.entries(ref.inputs)) feeds[input] = new ort.Tensor('float32', readFloat32(join(refDir, t.file)), t.shape);
    const got = (await session.run(feeds)).x0;
    const want = readFloat32(join(refDir, ref.outputs.x0.file));
    expect(got.dims).toEqual(ref.outputs.x0.shape);
    const data = got.data as Float32Array;
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < want.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(data[i] - want[i]));
      maxAbs = Math.max(maxAbs, Math.abs(want[i]));
    }
    return { manifest, maxDiff, maxAbs, bytes: statSync(onnx).size };
  } finally {
    await session.release();
  }
}

describe('trainer ONNX export', () => {
  it('one consistency step of a random S model in onnxruntime-node matches PyTorch (max abs diff <= 1e-4)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmsr-trainer-export-'));
    try {
      const { manifest, maxDiff, maxAbs } = await exportAndCompare(dir, 'ctmsr-s-random', ['--preset', 'S', '--scale', '4', '--seed', '0']);
      expect(manifest.kind).toBe('ctmsr');
      expect(manifest.scale).toBe(4);
      expect(manifest.multiple).toBe(8);
      expect(manifest.inputRange).toEqual([-1, 1]);
      expect(manifest.params).toBeGreaterThan(1_000_000);
      expect(maxAbs).toBeGreaterThan(1e-2); // the reference is not trivially zero
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(slim))('a slim checkpoint (float16 weights) exports at half the size and computes the same step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmsr-trainer-export-'));
    try {
      const { manifest, maxDiff, maxAbs, bytes } = await exportAndCompare(dir, 'ctmsr-s-slim', ['--checkpoint', slim]);
      // 3.9 M parameters: 15.6 MB as float32, 7.8 MB as float16
      expect(bytes).toBeLessThan(manifest.params! * 2 + 500_000);
      expect(maxAbs).toBeGreaterThan(1e-2);
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
