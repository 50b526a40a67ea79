import { afterAll, describe, expect, it } from 'vitest';
import { Engine, bytesPerLrPixel } from '../../engine.js';
import { planarImage, type PlanarImage, type Rgb16Image } from '../../../../shared/engine/image.js';
import { makeTestModel } from '../../../testing/test-models.js';
import { isStudioError } from '../../../../shared/errors.js';
import { gridForWorkers, imagesAtOnce, planWorkers, workerBaseMB } from '../worker-plan.js';

function pattern(width: number, height: number): PlanarImage {
  const img = planarImage(width, height);
  for (let i = 0; i < img.data.length; i++) img.data[i] = 0.5 + 0.4 * Math.sin(i / 13) * Math.cos(i / 101);
  return img;
}

function identical(a: Rgb16Image, b: Rgb16Image): boolean {
  return a.width === b.width && a.height === b.height && a.data.every((v, i) => v === b.data[i]);
}

const single = new Engine({ providers: ['cpu'], threads: 1 });
const pooled = new Engine({ providers: ['cpu'], workers: 2, memoryBudgetMB: 256 });
afterAll(() => Promise.all([single.close(), pooled.close()]));

describe('how many workers', () => {
  const ctmsrBytes = 8192;
  it('takes one one-thread session per core when memory allows', () => {
    expect(planWorkers({ workers: 'auto', threads: 0, memoryBudgetMB: 2048, bytesPerLrPixel: ctmsrBytes, cores: 8, load: 0 })).toEqual({ workers: 8, threadsPerWorker: 1 });
    expect(planWorkers({ workers: 'auto', threads: 0, memoryBudgetMB: 2048, bytesPerLrPixel: ctmsrBytes, cores: 1, load: 0 })).toEqual({ workers: 1, threadsPerWorker: 1 });
  });

  it('caps the workers by the memory budget', () => {
    // each worker needs its base and a minimal tile; 400 MB holds two of them, not eight
    const plan = planWorkers({ workers: 'auto', threads: 0, memoryBudgetMB: 400, bytesPerLrPixel: ctmsrBytes, cores: 8, load: 0 });
    expect(plan.workers).toBe(2);
    expect(plan.workers * workerBaseMB).toBeLessThanOrEqual(400);
    expect(planWorkers({ workers: 'auto', threads: 0, memoryBudgetMB: 100, bytesPerLrPixel: ctmsrBytes, cores: 8, load: 0 }).workers).toBe(1);
  });

  it('leaves the cores that other processes keep busy to them', () => {
    expect(planWorkers({ workers: 'auto', threads: 0, memoryBudgetMB: 4096, bytesPerLrPixel: ctmsrBytes, cores: 8, load: 2.6 }).workers).toBe(5);
    // a 2-core machine with a busy neighbour: one worker, the rate of one core, not less
    expect(planWorkers({ workers: 'auto', threads: 0, memoryBudgetMB: 4096, bytesPerLrPixel: ctmsrBytes, cores: 2, load: 1.8 }).workers).toBe(1);
    expect(planWorkers({ workers: 'auto', threads: 0, memoryBudgetMB: 4096, bytesPerLrPixel: ctmsrBytes, cores: 2, load: 11 }).workers).toBe(1);
    // asked for explicitly, the count stands
    expect(planWorkers({ workers: 2, threads: 0, memoryBudgetMB: 4096, bytesPerLrPixel: ctmsrBytes, cores: 2, load: 11 }).workers).toBe(2);
  });

  it('gives explicit threads to each worker and fewer workers for them', () => {
    expect(planWorkers({ workers: 'auto', threads: 2, memoryBudgetMB: 4096, bytesPerLrPixel: ctmsrBytes, cores: 8, load: 0 })).toEqual({ workers: 4, threadsPerWorker: 2 });
    expect(planWorkers({ workers: 3, threads: 0, memoryBudgetMB: 4096, bytesPerLrPixel: ctmsrBytes, cores: 8, load: 0 })).toEqual({ workers: 3, threadsPerWorker: 1 });
  });
});

describe('tiles for workers', () => {
  it('splits a mid-size photo so every worker has a part', () => {
    // 1536×1024 output at ×4: one 384×256 tile would leave the second core idle
    const grid = gridForWorkers(384, 256, { maxTile: 512, multiple: 8, workers: 2 });
    expect(grid.xs.length * grid.ys.length).toBe(2);
    expect(grid.tileWidth * grid.tileHeight).toBeLessThan(384 * 256 * 0.6);
    expect(gridForWorkers(384, 256, { maxTile: 512, multiple: 8, workers: 1 }).xs).toEqual([0]);
  });

  it('keeps a small photo whole: a seam through it would cost quality', () => {
    const grid = gridForWorkers(192, 128, { maxTile: 512, multiple: 8, workers: 2 });
    expect([grid.xs.length, grid.ys.length, grid.tileWidth, grid.tileHeight]).toEqual([1, 1, 192, 128]);
  });

  it('keeps large tiles on a large photo', () => {
    const grid = gridForWorkers(1416, 1060, { maxTile: 256, multiple: 8, workers: 2 });
    expect(grid.tileWidth * grid.tileHeight).toBeGreaterThanOrEqual(200 * 200);
    expect((grid.xs.length * grid.ys.length) % 2).toBe(0);
  });
});

describe('the CPU worker pool', () => {
  it('gives the same pixels as one session, on both workers, 1 and 2 steps', async () => {
    const model = await makeTestModel('ctmsr');
    const img = pattern(83, 61);
    for (const steps of [1, 2]) {
      const a = await single.enhance(model, img, { tileSize: 40, seed: 3, steps });
      const b = await pooled.enhance(model, img, { tileSize: 40, seed: 3, steps });
      expect(b.stats.tiles).toBe(a.stats.tiles);
      expect(b.stats.tiles).toBeGreaterThan(4);
      expect(b.stats.workers).toBe(2);
      expect(a.stats.workers).toBe(1);
      expect(identical(a.image, b.image)).toBe(true);
    }
    expect(pooled.workerPool?.size).toBe(2);
  });

  it("runs a model's own step count on the workers when none is chosen", async () => {
    const model = await makeTestModel('ctmsr', { steps: [1, 0.5] });
    const img = pattern(83, 61);
    const own = await pooled.enhance(model, img, { tileSize: 40, seed: 3 });
    expect(own.stats.workers).toBe(2);
    expect(identical(own.image, (await single.enhance(model, img, { tileSize: 40, seed: 3, steps: 2 })).image)).toBe(true);
    expect(identical(own.image, (await single.enhance(model, img, { tileSize: 40, seed: 3, steps: 1 })).image)).toBe(false);
  });

  it('holds at most one tile per worker, whatever the image size', async () => {
    const model = await makeTestModel('ctmsr');
    const pool = pooled.workerPool!;
    const result = await pooled.enhance(model, pattern(150, 97), { tileSize: 40 });
    expect(result.stats.tiles).toBeGreaterThan(10);
    expect(pool.peakJobs).toBe(2);
  });

  it('splits one small image over the workers by itself, and the result is the image', async () => {
    const model = await makeTestModel('feedforward');
    const img = pattern(272, 144);
    const whole = await single.enhance(model, img, { tileSize: 512 });
    const split = await pooled.enhance(model, img);
    expect(split.stats.tiles).toBeGreaterThanOrEqual(2);
    expect(split.stats.workers).toBe(2);
    let max = 0;
    for (let i = 0; i < whole.image.data.length; i++) max = Math.max(max, Math.abs(whole.image.data[i] - split.image.data[i]));
    expect(max / 65535).toBeLessThanOrEqual(1 / 255);
  });

  it('divides the memory budget between the workers', async () => {
    const model = await makeTestModel('ctmsr');
    expect(pooled.autoTileSize(model, 2)).toBe(Math.floor(Math.sqrt((256 * 2 ** 20) / 2 / bytesPerLrPixel(model))));
    expect(pooled.autoTileSize(model, 2)).toBeLessThan(pooled.autoTileSize(model, 1));
  });

  it('stops when cancelled', async () => {
    const model = await makeTestModel('ctmsr');
    const controller = new AbortController();
    const run = pooled.enhance(model, pattern(150, 97), {
      tileSize: 40,
      signal: controller.signal,
      onProgress: ({ done }) => done === 2 && controller.abort(),
    });
    await expect(run).rejects.toSatisfy((e) => isStudioError(e, 'cancelled'));
  });
});

describe('images at once in a batch', () => {
  it('keeps one image per worker in flight, at least two, while they fit the memory budget', () => {
    const small = 192 * 128;
    expect(imagesAtOnce({ workers: 2, memoryBudgetMB: 1024, largestInputPixels: small, scale: 4 })).toBe(2);
    expect(imagesAtOnce({ workers: 8, memoryBudgetMB: 1024, largestInputPixels: small, scale: 4 })).toBe(8);
    expect(imagesAtOnce({ workers: 1, memoryBudgetMB: 1024, largestInputPixels: small, scale: 4 })).toBe(2);
  });

  it('runs big photos one at a time', () => {
    // a 12 MP photo at ×4 holds 2.4 GB in flight: more than the budget even alone
    expect(imagesAtOnce({ workers: 8, memoryBudgetMB: 2048, largestInputPixels: 12e6, scale: 4 })).toBe(1);
    // 1.5 MP at ×4 (about 300 MB each): three fit 1024 MB, so three of eight workers' worth
    expect(imagesAtOnce({ workers: 8, memoryBudgetMB: 1024, largestInputPixels: 1.5e6, scale: 4 })).toBe(3);
  });
});
