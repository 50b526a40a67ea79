import * as ort from 'onnxruntime-node';
import { StudioError } from '../../shared/errors.js';
import { providerLabels, type ProviderChoice, type ProviderName } from '../../shared/engine/providers.js';
import type { LoadedModel } from '../models/registry.js';
import { RowBlender, intoImage } from './blend.js';
import type { PlanarImage, Rgb16Image } from './image.js';
import { fillNoise } from './noise.js';
import { defaultProviderOrder, executionProvider, providerUnavailableReason } from './providers.js';
import { sigmaSchedule } from './schedule.js';
import { axisWeights, extractTile, planTiles, type TileGrid } from './tiling.js';

export interface EngineOptions {
  /** Providers in order of preference; CPU is always the last resort. Default: best for this platform. */
  providers?: ProviderName[];
  deviceId?: number;
  /** Intra-op threads for ONNX Runtime; 0 lets it decide. */
  threads?: number;
  /** Working memory the engine may use for one model run, which sets the tile size. Default 1024 MB. */
  memoryBudgetMB?: number;
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
  tileSize: number;
  batches: number;
  /** Time spent inside session.run, in ms. */
  runMs: number;
  /** Tile size halvings after allocation failures. */
  retries: number;
  provider: ProviderChoice;
}

export interface EnhanceResult {
  image: Rgb16Image;
  stats: EnhanceStats;
}

/** Rough working memory of a run per LR pixel (activations at LR and HR resolution), measured on CPU. */
function bytesPerLrPixel(model: LoadedModel): number {
  return model.manifest.kind === 'ctmsr' ? 48 * 1024 : 24 * 1024;
}

function isAllocationFailure(e: unknown): boolean {
  return /bad_alloc|alloc(ate|ation)? fail|out of memory|OOM|failed to allocate/i.test(String((e as Error)?.message ?? e));
}

export function cancelledError(): StudioError {
  return new StudioError('cancelled', 'Cancelled by the user.');
}

/**
 * Runs models over images of any size: tiles, seeded noise, batched ONNX Runtime calls and smooth
 * blending. Sessions are cached per model, provider list, device and thread count.
 */
export class Engine {
  private readonly sessions = new Map<string, Promise<ModelSession>>();
  readonly options: Required<EngineOptions>;

  constructor(options: EngineOptions = {}) {
    // Failed provider probes are reported in ProviderChoice; ORT's own log would repeat them noisily.
    ort.env.logLevel = 'fatal';
    this.options = {
      providers: options.providers ?? defaultProviderOrder(),
      deviceId: options.deviceId ?? 0,
      threads: options.threads ?? 0,
      memoryBudgetMB: options.memoryBudgetMB ?? 1024,
    };
  }

  open(model: LoadedModel): Promise<ModelSession> {
    const { providers, deviceId, threads } = this.options;
    const key = JSON.stringify([model.onnxPath, providers, deviceId, threads]);
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
    for (const name of order) {
      const unavailable = providerUnavailableReason(name);
      if (unavailable) {
        reasons.push(unavailable);
        continue;
      }
      try {
        const session = await ort.InferenceSession.create(model.onnxPath, {
          executionProviders: [executionProvider(name, deviceId)],
          intraOpNumThreads: threads,
          graphOptimizationLevel: 'all',
        });
        const choice: ProviderChoice = { provider: name, requested };
        if (reasons.length > 0) choice.fallbackReason = reasons.join('; ');
        return { session, choice };
      } catch (e) {
        reasons.push(`${providerLabels[name]} could not start: ${String((e as Error).message).split('\n')[0]}`);
      }
    }
    throw new StudioError('model-invalid', `Model ${model.manifest.id} (${model.onnxPath}) could not be opened on any provider: ${reasons.join('; ')}.`, { file: model.onnxPath });
  }

  /** Largest tile side (LR px, before rounding to the model's multiple) that fits the memory budget. */
  autoTileSize(model: LoadedModel): number {
    const side = Math.floor(Math.sqrt((this.options.memoryBudgetMB * 2 ** 20) / bytesPerLrPixel(model)));
    return Math.max(64, Math.min(1024, side));
  }

  async enhance(model: LoadedModel, image: PlanarImage, options: EnhanceOptions = {}): Promise<EnhanceResult> {
    const { session, choice } = await this.open(model);
    let tileSize = options.tileSize ?? this.autoTileSize(model);
    let retries = 0;
    // Rows handed to a writer cannot be taken back: a streamed run retries only before the first.
    let rowsSent = false;
    const onRows = options.onRows && ((rows: Rgb16Image) => ((rowsSent = true), options.onRows!(rows)));
    for (;;) {
      try {
        const result = await this.enhanceTiled(model, session, image, tileSize, { ...options, onRows }, choice.provider !== 'cpu');
        return { image: result.image, stats: { ...result.stats, retries, provider: choice } };
      } catch (e) {
        if (!isAllocationFailure(e) || tileSize <= 32 || rowsSent) throw e;
        tileSize = Math.floor(tileSize / 2);
        retries++;
      }
    }
  }

  private async enhanceTiled(
    model: LoadedModel,
    session: ort.InferenceSession,
    image: PlanarImage,
    tileSize: number,
    options: EnhanceOptions,
    overlapWithRun: boolean,
  ): Promise<{ image: Rgb16Image; stats: Omit<EnhanceStats, 'retries' | 'provider'> }> {
    const { scale, multiple, inputRange } = model.manifest;
    const grid = planTiles(image.width, image.height, { tileSize, multiple, overlap: options.overlap });
    const streamed = options.onRows !== undefined;
    const size = { width: image.width * scale, height: image.height * scale };
    const out: Rgb16Image = { ...size, data: new Uint16Array(streamed ? 0 : size.width * size.height * 3) };
    const finished: Rgb16Image[] = [];
    const blender = new RowBlender(size, streamed ? (data, _top, rows) => finished.push({ width: size.width, height: rows, data }) : intoImage(out));
    const handOver = async () => {
      for (const band of finished.splice(0)) await options.onRows!(band);
    };
    const batchSize = this.batchSize(model, grid);
    const total = grid.xs.length * grid.ys.length;
    const runner = new TileRunner(model, session, grid, options);
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
    return { image: out, stats: { tiles: total, tileSize: grid.tileWidth, batches: work.length, runMs: runner.runMs } };
  }

  batchSize(model: LoadedModel, grid: TileGrid): number {
    const perTile = grid.tileWidth * grid.tileHeight * bytesPerLrPixel(model);
    return Math.max(1, Math.min(8, Math.floor((this.options.memoryBudgetMB * 2 ** 20) / perTile)));
  }

  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
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
    private readonly session: ort.InferenceSession,
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
    const lr = this.lrTensor(image, lefts, top);
    if (this.model.manifest.kind === 'feedforward') return { lefts, top, lr, first: { [this.session.inputNames[0]]: lr } };
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

  async timedRun(feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
    const t0 = performance.now();
    const result = await this.session.run(feeds);
    this.runMs += performance.now() - t0;
    const output = result[this.session.outputNames[0]];
    const data = output.data as Float32Array;
    for (const t of Object.values(result)) if (t !== output) t.dispose();
    return data;
  }
}
