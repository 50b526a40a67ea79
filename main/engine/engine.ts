import { isOutOfMemory } from '../../shared/errors.js';
import type { ProviderChoice, ProviderName } from '../../shared/engine/providers.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import type { PlanarImage, Rgb16Image } from '../../shared/engine/image.js';
import { defaultProviderOrder } from './providers.js';
import { SessionCache, type ModelSession } from './sessions.js';
import { runTiles, type TiledRunOptions, type TiledRunStats } from './tiled-run.js';
import { planTiles, type TileGrid } from './tiling.js';
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

export interface EnhanceOptions extends TiledRunOptions {
  /** LR tile side; default from the memory budget. */
  tileSize?: number;
  overlap?: number;
  /**
   * CPU pool workers this image may spread over: its tiles are cut so that this many are busy.
   * Default: all of them (one image at a time); a batch running several images at once gives each
   * a share, so small photos stay whole.
   */
  workerShare?: number;
}

export interface EnhanceStats extends TiledRunStats {
  /** Tile size halvings after allocation failures. */
  retries: number;
  provider: ProviderChoice;
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
 * Runs models over images of any size within a memory budget: picks the tile grid, spreads tiles
 * over the CPU worker pool (or one session where the pool cannot run), and retries with smaller
 * tiles after an allocation failure. Sessions come from its SessionCache, tiles run in runTiles.
 */
export class Engine {
  private readonly sessions: SessionCache;
  private pool: TilePool | undefined;
  /** Why the worker pool is not used (its workers could not run here), once that happened. */
  private poolUnavailable: string | undefined;
  readonly options: Required<EngineOptions>;

  constructor(options: EngineOptions = {}) {
    this.options = {
      providers: options.providers ?? defaultProviderOrder(),
      deviceId: options.deviceId ?? 0,
      threads: options.threads ?? 0,
      memoryBudgetMB: options.memoryBudgetMB ?? 1024,
      workers: options.workers ?? 1,
      threadSpinning: options.threadSpinning ?? false,
    };
    this.sessions = new SessionCache(this.options);
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
    return this.sessions.open(model);
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
        const target = pool ?? { session, batchSize: this.batchSize(model, grid), overlapWithRun: choice.provider !== 'cpu' };
        const result = await runTiles(model, target, image, grid, { ...options, onRows });
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

  /** Tiles per session.run on one session: as many as the memory budget holds, at most 8. */
  batchSize(model: LoadedModel, grid: TileGrid): number {
    const perTile = grid.tileWidth * grid.tileHeight * bytesPerLrPixel(model);
    return Math.max(1, Math.min(8, Math.floor((this.options.memoryBudgetMB * 2 ** 20) / perTile)));
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
    await this.sessions.close();
  }
}
