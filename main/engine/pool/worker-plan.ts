import { availableParallelism, loadavg } from 'node:os';
import { planTiles, type TileGrid } from '../tiling.js';

/**
 * What one pool worker costs before it runs a tile: a Node isolate, the session with its weights
 * (twice: ONNX Runtime prepacks the convolution weights) and its arena. Measured on the S preset:
 * about 70 MB; rounded up.
 */
export const workerBaseMB = 96;

/** The smallest tile worth giving a worker, in LR pixels per side (memory planning). */
export const minWorkerTile = 96;

/**
 * No tile is cut smaller than this (LR px per side) to keep workers busy: a seam through a small
 * photo costs quality (LPIPS +0.001–0.0035 on 120×80 benchmark images cut in two), so a photo
 * below about 256×128 stays whole and a batch runs several such photos at once instead.
 */
export const minSplitTile = 128;

export interface WorkerPlan {
  /** Sessions that run tiles at the same time, each in its own thread. */
  workers: number;
  /** Intra-op threads of each worker's session. */
  threadsPerWorker: number;
}

/**
 * How many one-thread sessions the CPU runs side by side: one per core that other processes leave
 * free (the 1-minute load average, which counts low-priority work too), and one at least. A worker
 * on a core that something else keeps busy only time-slices with it and costs cache: on the shared
 * 2-core machine two workers then ran at 0.90× one thread, where on free cores they do 1.09× the
 * CPU work of one thread per image (BENCHMARKS.md). Each worker costs memory, so the budget caps
 * their number: every worker needs its base plus a tile of at least `minWorkerTile`.
 */
export function planWorkers(options: { workers: number | 'auto'; threads: number; memoryBudgetMB: number; bytesPerLrPixel: number; cores?: number; load?: number }): WorkerPlan {
  const cores = options.cores ?? availableParallelism();
  const threadsPerWorker = options.threads > 0 ? options.threads : 1;
  if (options.workers !== 'auto') return { workers: Math.max(1, Math.floor(options.workers)), threadsPerWorker };
  const perWorkerMB = workerBaseMB + (minWorkerTile * minWorkerTile * options.bytesPerLrPixel) / 2 ** 20;
  const byMemory = Math.floor(options.memoryBudgetMB / perWorkerMB);
  const freeCores = Math.max(1, cores - Math.round(options.load ?? loadavg()[0]));
  const byCores = Math.floor(freeCores / threadsPerWorker);
  return { workers: Math.max(1, Math.min(byMemory, byCores)), threadsPerWorker };
}

/**
 * The tile grid that finishes an image soonest on `workers` sessions: each round of the pool runs
 * one tile per worker, so the time goes as rounds × tile area. On one session that is the grid
 * computing the fewest pixels: 1416×1060 in 512 px tiles computes 1.57× its pixels (the last
 * row and column overlap the others by most of a tile), in 464×360 tiles 1.14×. A small photo (one tile) is split
 * so that every worker has a part, at the price of the overlap it adds, unless that would make
 * tiles smaller than `minSplitTile`; a large one keeps tiles as large as the memory allows
 * (`maxTile`² LR pixels) unless smaller ones balance the last round better. Tiles may be oblong:
 * 384×256 on two workers is best as two 208×256 halves.
 */
export function gridForWorkers(width: number, height: number, options: { maxTile: number; multiple: number; overlap?: number; workers: number }): TileGrid {
  const { maxTile, multiple, overlap, workers } = options;
  let best = planTiles(width, height, { tileSize: maxTile, multiple, overlap });
  const cost = (g: TileGrid) => Math.ceil((g.xs.length * g.ys.length) / workers) * g.tileWidth * g.tileHeight;
  let bestCost = cost(best);
  const sides: number[] = [];
  for (let side = maxTile; side >= minSplitTile; side -= multiple) sides.push(side);
  for (const tw of sides) {
    for (const th of sides) {
      if (tw * th > maxTile * maxTile) continue;
      const grid = planTiles(width, height, { tileSize: tw, tileHeight: th, multiple, overlap });
      // every tile of a split must bring at least minSplitTile new pixels per axis
      const fresh = (ps: number[]) => ps.every((p, k) => k === 0 || p - ps[k - 1] >= minSplitTile);
      if (!fresh(grid.xs) || !fresh(grid.ys)) continue;
      const c = cost(grid);
      // a smaller tile must win clearly: more tiles cost more blending and overlap at equal work
      if (c < bestCost * 0.97) {
        best = grid;
        bestCost = c;
      }
    }
  }
  return best;
}

/**
 * How many images a batch keeps in flight (decoded, on the engine, being encoded): one per CPU
 * worker and at least two (so decoding and writing overlap the engine), as long as their pixels
 * fit the memory budget: each holds its float input (12 B per pixel) and its 16-bit output with
 * the encoder's copy (12 B per output pixel). A batch of big photos runs them one at a time.
 */
export function imagesAtOnce(options: { workers: number; memoryBudgetMB: number; largestInputPixels: number; scale: number }): number {
  const perImageMB = (options.largestInputPixels * (12 + 12 * options.scale * options.scale)) / 2 ** 20;
  const wanted = Math.max(2, options.workers);
  return Math.max(1, Math.min(wanted, Math.floor(options.memoryBudgetMB / Math.max(perImageMB, 1e-6))));
}
