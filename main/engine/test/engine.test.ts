import { describe, expect, it, afterAll } from 'vitest';
import { Engine } from '../engine.js';
import { fillNoise, gaussianAt, planeKey } from '../noise.js';
import { sigmaSchedule } from '../schedule.js';
import { planarImage, type PlanarImage, type Rgb16Image } from '../../../shared/engine/image.js';
import { makeTestModel } from '../../testing/test-models.js';
import { isStudioError } from '../../../shared/errors.js';

/** A smooth photo-like test pattern with some texture, deterministic. */
function pattern(width: number, height: number): PlanarImage {
  const img = planarImage(width, height);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = 0.5 + 0.3 * Math.sin(x / (5 + c) + y / 7) + 0.2 * Math.cos((x * y) / 97 + c);
        img.data[c * width * height + y * width + x] = Math.min(1, Math.max(0, v));
      }
  return img;
}

function maxDiff(a: Rgb16Image, b: Rgb16Image): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m / 65535;
}

const engine = new Engine({ providers: ['cpu'], threads: 1 });
afterAll(() => engine.close());

describe('engine tiling', () => {
  it('tiled output equals untiled output for a deterministic (feed-forward) model', async () => {
    const model = await makeTestModel('feedforward');
    const img = pattern(70, 53);
    const whole = await engine.enhance(model, img, { tileSize: 256 });
    const tiled = await engine.enhance(model, img, { tileSize: 40 });
    expect(whole.stats.tiles).toBe(1);
    expect(tiled.stats.tiles).toBeGreaterThan(4);
    expect(whole.image.width).toBe(280);
    expect(maxDiff(whole.image, tiled.image)).toBeLessThanOrEqual(1 / 255);
  });

  it('tiled output equals untiled output for a ctmsr model with the same seed, 1 and 2 steps', async () => {
    const model = await makeTestModel('ctmsr');
    const img = pattern(61, 47);
    for (const steps of [1, 2]) {
      const whole = await engine.enhance(model, img, { tileSize: 256, seed: 7, steps });
      const tiled = await engine.enhance(model, img, { tileSize: 36, seed: 7, steps });
      expect(tiled.stats.tiles).toBeGreaterThan(4);
      expect(maxDiff(whole.image, tiled.image)).toBeLessThanOrEqual(1 / 255);
    }
    // The seed matters: a different one changes the output, so the comparison above is not vacuous.
    const a = await engine.enhance(model, img, { tileSize: 256, seed: 7 });
    const b = await engine.enhance(model, img, { tileSize: 256, seed: 8 });
    expect(maxDiff(a.image, b.image)).toBeGreaterThan(1 / 255);
  });

  it("samples a model in its manifest's own step count when none is chosen", async () => {
    // the same graph twice: only the manifests' σ lists differ
    const twoStep = await makeTestModel('ctmsr', { steps: [1, 0.5] });
    const oneStep = await makeTestModel('ctmsr');
    const img = pattern(61, 47);
    const run = async (model: typeof oneStep, steps?: number) => (await engine.enhance(model, img, { tileSize: 36, seed: 7, steps })).image;
    const own = await run(twoStep);
    expect(maxDiff(own, await run(twoStep, 2))).toBe(0);
    expect(maxDiff(own, await run(twoStep, 1))).toBeGreaterThan(1 / 255);
    const oneOwn = await run(oneStep);
    expect(maxDiff(oneOwn, await run(oneStep, 1))).toBe(0);
    expect(maxDiff(oneOwn, await run(twoStep, 1))).toBe(0);
    expect(maxDiff(oneOwn, own)).toBeGreaterThan(1 / 255);
  });

  it('takes the σ of each step from the manifest, spacing further steps down from σ_max', () => {
    expect(sigmaSchedule({ steps: [1, 0.5] })).toEqual([1, 0.5]);
    expect(sigmaSchedule({ steps: [1, 0.5] }, 1)).toEqual([1]);
    expect(sigmaSchedule({ steps: [1] })).toEqual([1]);
    expect(sigmaSchedule({ steps: [1] }, 2)).toEqual([1, 0.5]);
    expect(sigmaSchedule({ steps: [] })).toEqual([1]);
  });

  it('noise depends only on (seed, absolute pixel, channel, step), whatever the tiling', () => {
    const whole = new Float32Array(3 * 32 * 24);
    fillNoise(whole, 0, { left: 0, top: 0, width: 32, height: 24 }, 5, 0);
    const part = new Float32Array(3 * 10 * 7);
    fillNoise(part, 0, { left: 13, top: 9, width: 10, height: 7 }, 5, 0);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 7; y++)
        for (let x = 0; x < 10; x++) expect(part[c * 70 + y * 10 + x]).toBe(whole[c * 768 + (y + 9) * 32 + x + 13]);
    // Standard normal statistics, and different steps/channels/seeds decorrelated.
    const n = 200_000;
    let s = 0, s2 = 0, cross = 0;
    const k0 = planeKey(1, 0, 0), k1 = planeKey(1, 0, 1);
    for (let i = 0; i < n; i++) {
      const v = gaussianAt(k0, i % 500, Math.floor(i / 500));
      s += v; s2 += v * v;
      cross += v * gaussianAt(k1, i % 500, Math.floor(i / 500));
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(cross / n)).toBeLessThan(0.01);
  });

  it('falls back to CPU with the reason when the requested provider is unavailable', async () => {
    const model = await makeTestModel('feedforward');
    const gpu = new Engine({ providers: ['cuda'] });
    const { choice } = await gpu.open(model);
    expect(choice.provider).toBe('cpu');
    expect(choice.requested).toBe('cuda');
    expect(choice.fallbackReason).toMatch(/CUDA/);
    const dml = new Engine({ providers: ['dml', 'cpu'] });
    const d = await dml.open(model);
    expect(d.choice.provider).toBe('cpu');
    expect(d.choice.fallbackReason).toMatch(/DirectML.*exists only on Windows/);
    await Promise.all([gpu.close(), dml.close()]);
  });

  it('stops within one tile when cancelled, and reports progress per tile', async () => {
    const model = await makeTestModel('ctmsr');
    const img = pattern(120, 90);
    // A small memory budget makes every run a single tile, so "one run" is "one tile".
    const small = new Engine({ providers: ['cpu'], threads: 1, memoryBudgetMB: 4 });
    const full = await small.enhance(model, img, { tileSize: 36 });
    expect(full.stats.batches).toBe(full.stats.tiles);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = small.enhance(model, img, {
      tileSize: 36,
      signal: controller.signal,
      onProgress: ({ done, total }) => {
        seen.push(done);
        expect(total).toBe(full.stats.tiles);
        if (done === 3) controller.abort();
      },
    });
    await expect(run).rejects.toSatisfy((e) => isStudioError(e, 'cancelled'));
    expect(seen).toEqual([1, 2, 3]);
    await small.close();
  });
});
