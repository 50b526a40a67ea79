import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { bundledModelsDir } from '../../../models/bundled.js';
import { makeTestModel } from '../../../testing/test-models.js';
import { phaseWeights, rewriteCubicUpsample } from '../cubic-upsample.js';

async function outputs(graph: Uint8Array, h: number, w: number, scale: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(graph, { intraOpNumThreads: 1 });
  const hr = [1, 3, h * scale, w * scale];
  const lr = new Float32Array(3 * h * w).map((_, i) => Math.sin(i / 5) * 0.9 + (i % 3) * 0.03);
  const result = await session.run({
    lr: new ort.Tensor('float32', lr, [1, 3, h, w]),
    x0_prev: new ort.Tensor('float32', new Float32Array(hr[1] * hr[2] * hr[3]), hr),
    noise: new ort.Tensor('float32', new Float32Array(hr[1] * hr[2] * hr[3]).map((_, i) => Math.cos(i / 3)), hr),
    sigma: new ort.Tensor('float32', new Float32Array([1]), [1]),
  });
  const data = result[session.outputNames[0]].data as Float32Array;
  await session.release();
  return data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('the in-graph bicubic as a convolution', () => {
  it('has cubic weights that sum to one in every phase, on at most four of the five taps', () => {
    for (const scale of [2, 3, 4]) {
      for (const w of phaseWeights(scale, -0.75)) {
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
        expect(w.filter((v) => v !== 0).length).toBeLessThanOrEqual(4);
      }
    }
    // ×2, phase 0 sits a quarter pixel before its input pixel: Keys' weights at 1.25, 0.25, 0.75, 1.75
    expect(phaseWeights(2, -0.75)[0].map((v) => Number(v.toFixed(6)))).toEqual([-0.03515625, 0.26171875, 0.87890625, -0.10546875, 0].map((v) => Number(v.toFixed(6))));
  });

  it('gives the same model output as ONNX Runtime’s cubic Resize (to float rounding), edges included', async () => {
    for (const scale of [2, 4]) {
      const model = await makeTestModel('ctmsr', { scale });
      const original = await readFile(model.onnxPath);
      const { model: rewritten, rewritten: count } = rewriteCubicUpsample(original, { rgbInput: 'lr', scale });
      expect(count).toBe(1);
      expect(rewriteCubicUpsample(rewritten, { rgbInput: 'lr', scale }).rewritten).toBe(0);
      expect(maxAbsDiff(await outputs(original, 19, 13, scale), await outputs(rewritten, 19, 13, scale))).toBeLessThan(1e-5);
    }
  });

  it('leaves a graph without that Resize byte for byte as it was', async () => {
    const model = await makeTestModel('feedforward');
    const original = await readFile(model.onnxPath);
    const result = rewriteCubicUpsample(original, { rgbInput: 'lr', scale: 4 });
    expect(result.rewritten).toBe(0);
    expect(result.model).toBe(original);
  });

  const shipped = join(bundledModelsDir(), 'ctmsr-s-x4-real.onnx');
  it.skipIf(!existsSync(shipped))('keeps the shipped model’s output to within 1e-5', async () => {
    const original = await readFile(shipped);
    const { model: rewritten, rewritten: count } = rewriteCubicUpsample(original, { rgbInput: 'lr', scale: 4 });
    expect(count).toBe(1);
    expect(maxAbsDiff(await outputs(original, 24, 32, 4), await outputs(rewritten, 24, 32, 4))).toBeLessThan(1e-5);
  });
});
