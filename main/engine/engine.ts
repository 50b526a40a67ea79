import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { StudioError, cancelledError, isOutOfMemory } from '../../shared/errors.js';
import { providerLabels, type ProviderChoice, type ProviderName } from '../../shared/engine/providers.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { noProviderError } from './open-failure.js';
import { RowBlender, intoImage } from './blend.js';
import type { PlanarImage, Rgb16Image } from '../../shared/engine/image.js';
import { fillNoise } from './noise.js';
import { defaultProviderOrder, executionProvider, providerUnavailableReason } from './providers.js';
import { sigmaSchedule } from './schedule.js';
import { axisWeights, extractTile, planTiles, type TileGrid } from './tiling.js';
import { rewriteCubicUpsample } from './graph/cubic-upsample.js';
import { TilePool, WorkerStoppedError } from './pool/tile-pool.js';
import { gridForWorkers, planWorkers, type WorkerPlan } from './pool/worker-plan.js';

export interface EngineOptions {
  /** Providers in order of preference; CPU is always the last resort. Default: best for this platform. */
  providers?: ProviderName[];
  deviceId?: number;
  /** Intra-op threads for ONNX Runtime; 0 lets it decide (1 per session when `workers` is above 1). */
  threads?: number;
  /**
   * Sessions that run tiles side by side on the CPU, each in its own worker thread: 'auto' takes
   * one per core as far as the memory budget allows. Default 1: tiles run in this thread's session.
   */
  workers?: number | 'auto';
  /** Working memory the engine may use for one model run, which sets the tile size. Default 1024 MB. */
  memoryBudgetMB?: number;
  /**
   * Let ONNX Runtime's idle intra-op threads spin-wait for work. Default off: spinning threads take
   * the cores a busy neighbour process needs, and a session on all threads can then run slower
   * than on one (BENCHMARKS.md, scaling table).
   */
  threadSpinning?: boolean;
}

export interface ModelSession {
  session: ort.InferenceSession;
  choice: ProviderChoice;
}

export interface TileProgress {
  done: number;
  total: number;
}

export interface EnhanceOptions {
  seed?: number;
  /** Sampling steps for `ctmsr` models; feed-forward models ignore it. */
  steps?: number;
  /** LR tile side; default from the memory budget. */
  tileSize?: number;
  overlap?: number;
  /**
   * CPU pool workers this image may spread over: its tiles are cut so that this many are busy.
   * Default: all of them (one image at a time); a batch running several images at once gives each
   * a share, so small photos stay whole.
   */
  workerShare?: number;
  signal?: AbortSignal;
  onProgress?: (p: TileProgress) => void;
  /**
   * Receives the output a band of finished rows at a time, top to bottom, instead of one image
   * in memory (the result's image is then empty). Awaited, so a slow writer holds the engine back.
   */
  onRows?: (rows: Rgb16Image) => Promise<void>;
}

export interface EnhanceStats {
  tiles: number;
  /** Tile width and height in LR pixels. */
  tileSize: number;
  tileHeight: number;
  batches: number;
  /** Time spent inside session.run, in ms. */
  runMs: number;
  /** Tile size halvings after allocation failures. */
  retries: number;
  provider: ProviderChoice;
  /** Sessions that ran this image's tiles: above 1 when the CPU worker pool split it. */
  workers: number;
}

export interface EnhanceResult {
  image: Rgb16Image;
  stats: EnhanceStats;
}

/**
 * Working memory of a run per LR pixel. For the S preset ONNX Runtime's arena peaks at 2.5 KB in a
 * fresh session (128–384 px tiles) and the engine's feeds and output add 0.6 KB, but a whole 24 MP
 * job in 512 px tiles peaked 1.2 GB above its idle process and output image (4.6 KB per tile
 * pixel): 8 KB keeps the budget with headroom (it was 48 KB, which cut small photos into tiles
 * that computed 1.5× their pixels). Feed-forward models are imported and unknown: a wide margin.
 */
export function bytesPerLrPixel(model: LoadedModel): number {
  return model.manifest.kind === 'ctmsr' ? 8 * 1024 : 24 * 1024;
}

/**
 * Runs models over images of any size: tiles, seeded noise, batched ONNX Runtime calls and smooth
 * blending. Sessions are cached per model, provider list, device and thread count.
 */
export class Engine {
  private readonly sessions = new Map<string, Promise<ModelSession>>();
  private pool: TilePool | undefined;
  /** Why the worker pool is not used (its workers could not run here), once that happened. */
  private poolUnavailable: string | undefined;
  readonly options: Required<EngineOptions>;

  constructor(options: EngineOptions = {}) {
    // Failed provider probes are reported in ProviderChoice; ORT's own log would repeat them noisily.
    ort.env.logLevel = 'fatal';
    this.options = {
      providers: options.providers ?? defaultProviderOrder(),
      deviceId: options.deviceId ?? 0,
      threads: options.threads ?? 0,
      memoryBudgetMB: options.memoryBudgetMB ?? 1024,
      workers: options.workers ?? 1,
      threadSpinning: options.threadSpinning ?? false,
    };
  }

  /** The CPU worker pool, once a run on the CPU has started it (undefined with one session). */
  get workerPool(): TilePool | undefined {
    return this.pool;
  }

  /** How many sessions run side by side when `model` runs on the CPU, and on how many threads each. */
  cpuWorkers(model: LoadedModel): WorkerPlan {
    return planWorkers({ ...this.options, bytesPerLrPixel: bytesPerLrPixel(model) });
  }

  /** The CPU worker pool for `model`, or undefined where tiles run in this thread. */
  private poolFor(model: LoadedModel, choice: ProviderChoice): TilePool | undefined {
    if (choice.provider !== 'cpu' || this.poolUnavailable) return undefined;
    if (!this.pool) {
      const plan = this.cpuWorkers(model);
      if (plan.workers <= 1) return undefined;
      this.pool = new TilePool(plan.workers, plan.threadsPerWorker);
    }
    return this.pool;
  }

  open(model: LoadedModel): Promise<ModelSession> {
    const { providers, deviceId, threads } = this.options;
    const key = JSON.stringify([model.onnxPath, providers, deviceId, threads, this.options.threadSpinning]);
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = this.createSession(model);
      this.sessions.set(key, entry);
      entry.catch(() => this.sessions.delete(key));
    }
    return entry;
  }

  private async createSession(model: LoadedModel): Promise<ModelSession> {
    const { providers, deviceId, threads } = this.options;
    const order = providers.includes('cpu') ? providers : [...providers, 'cpu' as const];
    const requested = order[0];
    const reasons: string[] = [];
    let cpuError: unknown;
    const graph = await this.loadGraph(model);
    for (const name of order) {
      const unavailable = providerUnavailableReason(name);
      if (unavailable) {
        reasons.push(unavailable);
        continue;
      }
      try {
        const session = await ort.InferenceSession.create(graph, {
          executionProviders: [executionProvider(name, deviceId)],
          // with workers 'auto' the parallelism is the pool's: a session of its own is one thread,
          // also when the load leaves a single worker (two threads then only time-slice)
          intraOpNumThreads: threads > 0 ? threads : this.options.workers === 'auto' ? 1 : 0,
          graphOptimizationLevel: 'all',
          extra: { session: { intra_op: { allow_spinning: this.options.threadSpinning ? '1' : '0' } } },
        });
        const choice: ProviderChoice = { provider: name, requested };
        if (reasons.length > 0) choice.fallbackReason = reasons.join('; ');
        return { session, choice };
      } catch (e) {
        if (name === 'cpu') cpuError = e;
        reasons.push(`${providerLabels[name]} could not start: ${String((e as Error).message).split('\n')[0]}`);
      }
    }
    throw noProviderError(model, reasons, cpuError);
  }

  /**
   * The model's graph as ONNX Runtime gets it: for `ctmsr` models, the in-graph bicubic of the LR
   * input in its convolution form (same result to float rounding, 15–18 % less time on the CPU).
   */
  private async loadGraph(model: LoadedModel): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(model.onnxPath);
    } catch (e) {
      throw new StudioError('model-invalid', `Model ${model.manifest.id} (${model.onnxPath}) could not be read: ${(e as Error).message}. Re-import the model.`, { file: model.onnxPath, cause: e });
    }
    if (model.manifest.kind !== 'ctmsr') return bytes;
    try {
      return rewriteCubicUpsample(bytes, { rgbInput: 'lr', scale: model.manifest.scale }).model;
    } catch {
      return bytes; // not a graph this rewrite understands: ONNX Runtime reports what is wrong with it
    }
  }

  /** Largest tile side (LR px, before rounding to the model's multiple) that fits the memory budget. */
  autoTileSize(model: LoadedModel, sessions = 1): number {
    const side = Math.floor(Math.sqrt((this.options.memoryBudgetMB * 2 ** 20) / sessions / bytesPerLrPixel(model)));
    return Math.max(64, Math.min(1024, side));
  }

  async enhance(model: LoadedModel, image: PlanarImage, options: EnhanceOptions = {}): Promise<EnhanceResult> {
    const { session, choice } = await this.open(model);
    const pool = this.poolFor(model, choice);
    let tileSize = options.tileSize ?? this.autoTileSize(model, pool?.size);
    let retries = 0;
    // Rows handed to a writer cannot be taken back: a streamed run retries only before the first.
    let rowsSent = false;
    const onRows = options.onRows && ((rows: Rgb16Image) => ((rowsSent = true), options.onRows!(rows)));
    for (;;) {
      try {
        const { multiple } = model.manifest;
        // An automatic tile size is a memory limit: the grid is the one that computes least (and
        // keeps every worker busy); a tile size the caller gave is kept as it is.
        const workers = pool ? Math.min(pool.size, options.workerShare ?? pool.size) : 1;
        const grid =
          options.tileSize === undefined && retries === 0
            ? gridForWorkers(image.width, image.height, { maxTile: tileSize, multiple, overlap: options.overlap, workers })
            : planTiles(image.width, image.height, { tileSize, multiple, overlap: options.overlap });
        const result = await this.enhanceTiled(model, pool ?? session, image, grid, { ...options, onRows }, choice.provider !== 'cpu');
        return { image: result.image, stats: { ...result.stats, retries, provider: choice } };
      } catch (e) {
        if (e instanceof WorkerStoppedError && pool && !rowsSent) {
          // e.g. worker threads unavailable in this runtime: one session still does the job
          this.poolUnavailable = e.message;
          await this.pool?.close();
          this.pool = undefined;
          return this.enhance(model, image, options);
        }
        if (!isOutOfMemory(e) || tileSize <= 32 || rowsSent) throw e;
        tileSize = Math.floor(tileSize / 2);
        retries++;
      }
    }
  }

  private async enhanceTiled(
    model: LoadedModel,
    session: ort.InferenceSession | TilePool,
    image: PlanarImage,
    grid: TileGrid,
    options: EnhanceOptions,
    overlapWithRun: boolean,
  ): Promise<{ image: Rgb16Image; stats: Omit<EnhanceStats, 'retries' | 'provider'> }> {
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
    const batchSize = session instanceof TilePool ? 1 : this.batchSize(model, grid);
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

    if (session instanceof TilePool) {
      const runMs = await this.runOnPool(session, model, image, grid, work, blend, options, async (n) => {
        await handOver();
        done += n;
        options.onProgress?.({ done, total });
      });
      return { image: out, stats: { tiles: total, tileSize: grid.tileWidth, tileHeight: grid.tileHeight, batches: work.length, runMs: runMs.total, workers: runMs.workers } };
    }
    const runner = new TileRunner(model, session, grid, options);
    // On a GPU, the inputs of batch k+1 are built and the output of batch k-1 blended while the
    // device works on batch k. On the CPU that JavaScript would take cores from ONNX Runtime's own
    // threads (measured: session.run 1.25× slower), so there the steps simply follow each other.
    const prepareAt = (k: number) => runner.prepare(image, work[k].lefts, grid.ys[work[k].row]);
    let prepared = prepareAt(0);
    let previous: { k: number; output: Float32Array } | undefined;
    for (let k = 0; k < work.length; k++) {
      if (options.signal?.aborted) throw cancelledError();
      const running = runner.execute(prepared);
      if (overlapWithRun) {
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
  private async runOnPool(
    pool: TilePool,
    model: LoadedModel,
    image: PlanarImage,
    grid: TileGrid,
    work: { row: number; lefts: number[] }[],
    blend: (k: number, output: Float32Array) => void,
    options: EnhanceOptions,
    advanced: (tiles: number) => Promise<void>,
  ): Promise<{ total: number; workers: number }> {
    const lrRunner = new TileRunner(model, undefined, grid, options);
    const used = new Set<number>();
    let runMs = 0;
    const submit = (k: number) => {
      const { row, lefts } = work[k];
      const top = grid.ys[row];
      const lr = lrRunner.lrTensor(image, lefts, top).data as Float32Array;
      const result = pool.run({ model, lr, lefts, top, tileWidth: grid.tileWidth, tileHeight: grid.tileHeight, seed: options.seed ?? 0, steps: options.steps ?? 1 });
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

  batchSize(model: LoadedModel, grid: TileGrid): number {
    const perTile = grid.tileWidth * grid.tileHeight * bytesPerLrPixel(model);
    return Math.max(1, Math.min(8, Math.floor((this.options.memoryBudgetMB * 2 ** 20) / perTile)));
  }

  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await this.pool?.close();
    this.pool = undefined;
    await Promise.all(sessions.map(async (s) => (await s.catch(() => undefined))?.session.release()));
  }
}

export interface PreparedBatch {
  lefts: number[];
  top: number;
  lr: ort.Tensor;
  first: Record<string, ort.Tensor>;
}

/** Builds the input tensors for a batch of same-shaped tiles and runs the model's step(s) on them. */
export class TileRunner {
  runMs = 0;
  readonly sigmas: number[];

  constructor(
    private readonly model: LoadedModel,
    /** Undefined where the runner only builds inputs for sessions elsewhere (the worker pool). */
    private readonly session: ort.InferenceSession | undefined,
    private readonly grid: TileGrid,
    private readonly options: Pick<EnhanceOptions, 'seed' | 'steps'>,
  ) {
    this.sigmas = sigmaSchedule(model.manifest, options.steps ?? 1);
  }

  /** The LR tiles at `lefts` on row `top`, as one [n, 3, th, tw] tensor in the model's range. */
  lrTensor(image: PlanarImage, lefts: number[], top: number): ort.Tensor {
    const { tileWidth: tw, tileHeight: th } = this.grid;
    const lr = new Float32Array(lefts.length * 3 * tw * th);
    lefts.forEach((left, i) => extractTile(image, { left, top, width: tw, height: th }, lr, i * 3 * tw * th, this.model.manifest.inputRange));
    return new ort.Tensor('float32', lr, [lefts.length, 3, th, tw]);
  }

  /** Feeds of one `ctmsr` step: the previous estimate (ignored at σ_max), seeded noise and σ. */
  stepFeeds(lr: ort.Tensor, estimate: Float32Array, lefts: number[], top: number, step: number): Record<string, ort.Tensor> {
    const { tileWidth: tw, tileHeight: th } = this.grid;
    const { scale } = this.model.manifest;
    const n = lefts.length;
    const hw = th * scale * tw * scale;
    const noise = new Float32Array(n * 3 * hw);
    lefts.forEach((left, i) =>
      fillNoise(noise, i * 3 * hw, { left: left * scale, top: top * scale, width: tw * scale, height: th * scale }, this.options.seed ?? 0, step),
    );
    const hrShape = [n, 3, th * scale, tw * scale];
    return {
      lr,
      x0_prev: new ort.Tensor('float32', estimate, hrShape),
      noise: new ort.Tensor('float32', noise, hrShape),
      sigma: new ort.Tensor('float32', new Float32Array(n).fill(this.sigmas[step]), [n]),
    };
  }

  /** Everything the first run of a batch needs, built before the model is free. */
  prepare(image: PlanarImage, lefts: number[], top: number): PreparedBatch {
    return this.prepareFromLr(this.lrTensor(image, lefts, top), lefts, top);
  }

  prepareFromLr(lr: ort.Tensor, lefts: number[], top: number): PreparedBatch {
    if (this.model.manifest.kind === 'feedforward') return { lefts, top, lr, first: { [this.openSession().inputNames[0]]: lr } };
    const { tileWidth: tw, tileHeight: th } = this.grid;
    const estimate = new Float32Array(lefts.length * 3 * th * this.model.manifest.scale ** 2 * tw);
    return { lefts, top, lr, first: this.stepFeeds(lr, estimate, lefts, top, 0) };
  }

  /** Planar output [n, 3, th·s, tw·s] in the model's range: one run, or one per `ctmsr` step. */
  async execute(batch: PreparedBatch): Promise<Float32Array> {
    let estimate = await this.timedRun(batch.first);
    for (let step = 1; step < this.sigmas.length; step++) estimate = await this.timedRun(this.stepFeeds(batch.lr, estimate, batch.lefts, batch.top, step));
    return estimate;
  }

  private openSession(): ort.InferenceSession {
    if (!this.session) throw new Error('This TileRunner only builds inputs: it has no session to run.');
    return this.session;
  }

  async timedRun(feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
    const session = this.openSession();
    const t0 = performance.now();
    const result = await session.run(feeds);
    this.runMs += performance.now() - t0;
    const output = result[session.outputNames[0]];
    const data = output.data as Float32Array;
    for (const t of Object.values(result)) if (t !== output) t.dispose();
    return data;
  }
}
