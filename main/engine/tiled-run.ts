import type * as ort from 'onnxruntime-node';
import { cancelledError } from '../../shared/errors.js';
import type { PlanarImage, Rgb16Image } from '../../shared/engine/image.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { RowBlender, intoImage } from './blend.js';
import { TilePool } from './pool/tile-pool.js';
import { TileRunner } from './tile-runner.js';
import { axisWeights, type TileGrid } from './tiling.js';

export interface TileProgress {
  done: number;
  total: number;
}

export interface TiledRunOptions {
  seed?: number;
  /** Sampling steps for `ctmsr` models; left out, the model's own (its manifest's σ list). Feed-forward models ignore it. */
  steps?: number;
  signal?: AbortSignal;
  onProgress?: (p: TileProgress) => void;
  /**
   * Receives the output a band of finished rows at a time, top to bottom, instead of one image
   * in memory (the result's image is then empty). Awaited, so a slow writer holds the engine back.
   */
  onRows?: (rows: Rgb16Image) => Promise<void>;
}

export interface TiledRunStats {
  tiles: number;
  /** Tile width and height in LR pixels. */
  tileSize: number;
  tileHeight: number;
  batches: number;
  /** Time spent inside session.run, in ms. */
  runMs: number;
  /** Sessions that ran this image's tiles: above 1 when the CPU worker pool split it. */
  workers: number;
}

/** Where the tiles run: the CPU worker pool, or one session in this thread. */
export type TileTarget =
  | TilePool
  | {
      session: ort.InferenceSession;
      /** Tiles per session.run. */
      batchSize: number;
      /** Build the next batch's inputs while the session runs (on a GPU; on the CPU it would take its cores). */
      overlapWithRun: boolean;
    };

/** A model run over one tile grid of an image: its tiles through the model, blended into the output rows. */
export async function runTiles(
  model: LoadedModel,
  target: TileTarget,
  image: PlanarImage,
  grid: TileGrid,
  options: TiledRunOptions,
): Promise<{ image: Rgb16Image; stats: TiledRunStats }> {
  const { scale, inputRange } = model.manifest;
  const streamed = options.onRows !== undefined;
  const size = { width: image.width * scale, height: image.height * scale };
  const out: Rgb16Image = { ...size, data: new Uint16Array(streamed ? 0 : size.width * size.height * 3) };
  const finished: Rgb16Image[] = [];
  const blender = new RowBlender(size, streamed ? (data, _top, rows) => finished.push({ width: size.width, height: rows, data }) : intoImage(out));
  const handOver = async () => {
    for (const band of finished.splice(0)) await options.onRows!(band);
  };
  // a pool job is one tile, so that tiles spread evenly over the workers
  const batchSize = target instanceof TilePool ? 1 : target.batchSize;
  const total = grid.xs.length * grid.ys.length;
  const work: { row: number; c0: number; lefts: number[] }[] = [];
  grid.ys.forEach((_, row) => {
    for (let c0 = 0; c0 < grid.xs.length; c0 += batchSize) work.push({ row, c0, lefts: grid.xs.slice(c0, c0 + batchSize) });
  });
  const hrTile = { width: grid.tileWidth * scale, height: grid.tileHeight * scale };
  let done = 0;

  const blend = (k: number, output: Float32Array) => {
    const { row, c0, lefts } = work[k];
    const top = grid.ys[row];
    blender.extendTo((top + grid.tileHeight) * scale);
    const wy = axisWeights(grid.tileHeight, scale, grid.overlap, row > 0, row < grid.ys.length - 1);
    lefts.forEach((left, i) => {
      const c = c0 + i;
      const wx = axisWeights(grid.tileWidth, scale, grid.overlap, c > 0, c < grid.xs.length - 1);
      blender.add(output, i * 3 * hrTile.width * hrTile.height, { left: left * scale, top: top * scale, ...hrTile }, wx, wy);
    });
    const rowFinished = k + 1 === work.length || work[k + 1].row !== row;
    if (rowFinished) blender.flush(row + 1 < grid.ys.length ? grid.ys[row + 1] * scale : Infinity, inputRange);
  };

  if (target instanceof TilePool) {
    const runMs = await runOnPool(target, model, image, grid, work, blend, options, async (n) => {
      await handOver();
      done += n;
      options.onProgress?.({ done, total });
    });
    return { image: out, stats: { tiles: total, tileSize: grid.tileWidth, tileHeight: grid.tileHeight, batches: work.length, runMs: runMs.total, workers: runMs.workers } };
  }
  const runner = new TileRunner(model, target.session, grid, options);
  // On a GPU, the inputs of batch k+1 are built and the output of batch k-1 blended while the
  // device works on batch k. On the CPU that JavaScript would take cores from ONNX Runtime's own
  // threads (measured: session.run 1.25× slower), so there the steps simply follow each other.
  const prepareAt = (k: number) => runner.prepare(image, work[k].lefts, grid.ys[work[k].row]);
  let prepared = prepareAt(0);
  let previous: { k: number; output: Float32Array } | undefined;
  for (let k = 0; k < work.length; k++) {
    if (options.signal?.aborted) throw cancelledError();
    const running = runner.execute(prepared);
    if (target.overlapWithRun) {
      if (k + 1 < work.length) prepared = prepareAt(k + 1);
      if (previous) blend(previous.k, previous.output);
      previous = { k, output: await running };
    } else {
      blend(k, await running);
      if (k + 1 < work.length) prepared = prepareAt(k + 1);
    }
    await handOver();
    done += work[k].lefts.length;
    options.onProgress?.({ done, total });
  }
  if (previous) blend(previous.k, previous.output);
  await handOver();
  return { image: out, stats: { tiles: total, tileSize: grid.tileWidth, tileHeight: grid.tileHeight, batches: work.length, runMs: runner.runMs, workers: 1 } };
}

/**
 * Sends the tiles to the pool, at most one per worker ahead of the blending, and blends them in
 * order as they come back: memory holds `pool.size` tiles in flight, whatever the image size.
 */
async function runOnPool(
  pool: TilePool,
  model: LoadedModel,
  image: PlanarImage,
  grid: TileGrid,
  work: { row: number; lefts: number[] }[],
  blend: (k: number, output: Float32Array) => void,
  options: TiledRunOptions,
  advanced: (tiles: number) => Promise<void>,
): Promise<{ total: number; workers: number }> {
  const lrRunner = new TileRunner(model, undefined, grid, options);
  const used = new Set<number>();
  let runMs = 0;
  const submit = (k: number) => {
    const { row, lefts } = work[k];
    const top = grid.ys[row];
    const lr = lrRunner.lrTensor(image, lefts, top).data as Float32Array;
    const result = pool.run({ model, lr, lefts, top, tileWidth: grid.tileWidth, tileHeight: grid.tileHeight, seed: options.seed ?? 0, steps: options.steps });
    result.catch(() => undefined); // awaited in order below; a later one failing first must not go unhandled
    return result;
  };
  const inFlight: Promise<{ output: Float32Array; runMs: number; worker: number }>[] = [];
  let next = 0;
  for (let k = 0; k < work.length; k++) {
    while (next < work.length && next < k + pool.size) {
      if (options.signal?.aborted) break;
      inFlight.push(submit(next++));
    }
    if (options.signal?.aborted) {
      await Promise.allSettled(inFlight);
      throw cancelledError();
    }
    const result = await inFlight.shift()!;
    runMs += result.runMs;
    used.add(result.worker);
    blend(k, result.output);
    await advanced(work[k].lefts.length);
  }
  return { total: runMs, workers: used.size };
}
