import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LoadedModel } from '../../../shared/models/manifest.js';

/** One batch of same-shaped LR tiles of one image, for a worker to run through the model. */
export interface TileJob {
  id: number;
  model: LoadedModel;
  /** [n, 3, tileHeight, tileWidth] in the model's range; transferred, not copied. */
  lr: Float32Array;
  lefts: number[];
  top: number;
  tileWidth: number;
  tileHeight: number;
  seed: number;
  /** Left out: the model's own, resolved in the worker as in a single session. */
  steps?: number;
}

export type TileReply = { id: number; output: Float32Array; runMs: number; error?: undefined } | { id: number; error: string; output?: undefined };

export interface TileResult {
  output: Float32Array;
  runMs: number;
  /** Which worker ran it, 0 … size-1. */
  worker: number;
}

interface Slot {
  index: number;
  worker: Worker;
  job?: { id: number; resolve: (r: TileResult) => void; reject: (e: Error) => void };
}

/** A worker failed to start or died: the engine then runs on its own session instead. */
export class WorkerStoppedError extends Error {}

/**
 * The worker beside this module: `tile-worker.js` when compiled. Under tsx and the tests it is
 * `tile-worker.ts`, which a worker can only load once tsx's loader is registered in it (Node 20
 * does not apply `--import` hooks to a worker's entry point).
 */
function workerSource(): { source: string | URL; eval: boolean } {
  const ext = extname(fileURLToPath(import.meta.url));
  const path = fileURLToPath(new URL(`./tile-worker${ext}`, import.meta.url));
  if (ext !== '.ts') return { source: pathToFileURL(path), eval: false };
  // the ESM build of tsx's API (its `import` export); require.resolve finds the CommonJS one beside it
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(path).href)}); })`;
  return { source: code, eval: true };
}

/**
 * `size` threads, each with its own one-model session, taking tile jobs first come, first served.
 * Workers start on the first job, hold the event loop only while they work, and are ended after
 * `idleMs` without work so an idle app gives their memory back.
 */
export class TilePool {
  private readonly slots: Slot[] = [];
  private readonly waiting: { job: TileJob; resolve: (r: TileResult) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;
  /** Most jobs ever held at once (running and waiting): what the pool's memory had to hold. */
  peakJobs = 0;
  /** Most workers ever alive at once. */
  peakWorkers = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly threadsPerWorker: number,
    private readonly idleMs = 60_000,
  ) {}

  /** Workers alive now. */
  get started(): number {
    return this.slots.length;
  }

  run(job: Omit<TileJob, 'id'>): Promise<TileResult> {
    if (this.closed) return Promise.reject(new Error('The tile pool is closed.'));
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.waiting.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.peakJobs = Math.max(this.peakJobs, this.waiting.length + this.slots.filter((s) => s.job).length);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const slot = this.slots.find((s) => !s.job) ?? (this.slots.length < this.size ? this.startWorker() : undefined);
      if (!slot) return;
      const { job, resolve, reject } = this.waiting.shift()!;
      slot.job = { id: job.id, resolve, reject };
      slot.worker.ref();
      slot.worker.postMessage(job, [job.lr.buffer as ArrayBuffer]);
    }
  }

  private startWorker(): Slot {
    const { source, eval: isCode } = workerSource();
    const worker = new Worker(source, { eval: isCode, workerData: { threads: this.threadsPerWorker } });
    const slot: Slot = { index: this.slots.length, worker };
    worker.on('message', (reply: TileReply) => this.finished(slot, reply));
    const fail = (e: Error) => {
      this.slots.splice(this.slots.indexOf(slot), 1);
      slot.job?.reject(new WorkerStoppedError(`A CPU worker stopped: ${e.message}`));
      slot.job = undefined;
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`exit code ${code}`));
    });
    this.slots.push(slot);
    this.peakWorkers = Math.max(this.peakWorkers, this.slots.length);
    return slot;
  }

  private finished(slot: Slot, reply: TileReply): void {
    const pending = slot.job;
    slot.job = undefined;
    slot.worker.unref();
    if (pending?.id === reply.id) {
      if (reply.output) pending.resolve({ output: reply.output, runMs: reply.runMs, worker: slot.index });
      else pending.reject(new Error(reply.error));
    }
    this.dispatch();
    if (this.slots.every((s) => !s.job) && this.waiting.length === 0) {
      this.idleTimer = setTimeout(() => void this.stopWorkers(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private async stopWorkers(): Promise<void> {
    const idle = this.slots.filter((s) => !s.job);
    for (const s of idle) this.slots.splice(this.slots.indexOf(s), 1);
    this.slots.forEach((s, i) => (s.index = i));
    await Promise.all(idle.map((s) => s.worker.terminate()));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const w of this.waiting.splice(0)) w.reject(new Error('The tile pool was closed.'));
    const slots = this.slots.splice(0);
    for (const s of slots) s.job?.reject(new Error('The tile pool was closed.'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
