import fs from 'node:fs';
import { readPixelCount } from '../library/metadata.js';
import { temporaryPathFor } from '../pipeline/atomic-write.js';
import { decideOutput, type OutputDecision } from '../pipeline/output-decision.js';
import { runImages, type ImageJob, type ImageOutcome, type JobSource } from '../pipeline/runner.js';
import type { ImageStages } from '../pipeline/stages.js';
import { ThroughputMeter } from '../pipeline/throughput.js';
import type { BatchOptions } from './enqueue.js';
import type { AttemptOutcome, ItemRow, QueueStore } from './store.js';

export type StopReason = 'pause' | 'cancel' | 'shutdown';

/** An item at work. */
export interface Running {
  item: ItemRow;
  controller: AbortController;
  stop?: StopReason;
  progress: number;
  pixels: number | null;
  finished: Promise<void>;
  finish(): void;
}

/** A queue item as the runner takes it. */
interface ItemJob extends ImageJob {
  key: number;
  running: Running;
}

/** What the worker asks of the queue around it. */
export interface WorkerHooks {
  batchOptions(batchId: number): BatchOptions;
  /** An item or its batch changed: the queue tells its subscribers. */
  changed(batchId: number, itemId?: number, options?: { progressOnly?: boolean }): void;
  /** Failures of the queue itself (the database became unwritable), not of an item. */
  onWorkerError(error: unknown): void;
}

/**
 * The queue's worker: feeds queued items to the pipeline's runner, as many at once as the engine
 * has CPU workers for (else one at a time), the next one decoded while the current ones are
 * enhanced, and records how each attempt ended. Pause and cancel abort a running item through its
 * AbortSignal, which the engine checks between tiles.
 */
export class QueueWorker<D = unknown, E = unknown> {
  /** Items at work, by id: more than one when the engine has CPU workers for several photos at once. */
  readonly running = new Map<number, Running>();
  readonly meter = new ThroughputMeter();
  private readonly idleWaiters: (() => void)[] = [];
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private stopping = false;

  constructor(
    private readonly store: QueueStore,
    private readonly stages: ImageStages<D, E>,
    private readonly hooks: WorkerHooks,
  ) {}

  /** Recovers what a crash left behind, then runs queued items until `stop`. */
  start(): void {
    if (this.loop) return;
    for (const item of this.store.recoverRunning()) {
      // an interrupted write leaves at most its temporary file; the item writes it again
      if (item.outputPath) fs.rmSync(temporaryPathFor(item.outputPath), { force: true });
      this.hooks.changed(item.batchId, item.id);
    }
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops the worker; the running items are interrupted and go back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const running of this.running.values()) this.interrupt(running, 'shutdown');
    this.wakeUp();
    await this.loop;
    this.loop = undefined;
  }

  /** Resolves when the worker has nothing it may run (everything finished, paused or held), or is stopped. */
  whenIdle(): Promise<void> {
    if (!this.loop) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wakeUp();
    });
  }

  /** There may be new work (an enqueue, a resume, a retry), or an item finished. */
  wakeUp(): void {
    this.wake?.();
  }

  /** Items at work in a batch, or that one item if it is. */
  runningIn(batchId: number, itemId?: number): Running[] {
    return [...this.running.values()].filter((r) => r.item.batchId === batchId && (itemId === undefined || r.item.id === itemId));
  }

  interrupt(running: Running, reason: StopReason): void {
    running.stop ??= reason;
    running.controller.abort();
  }

  /** Runs items until `stop`; a failing database is reported and waits to be woken (resume, retry, enqueue) rather than spun on. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await runImages(this.source(), {
          stages: this.stages,
          imagesAtOnce: () => this.imagesAtOnce(),
          meter: this.meter,
          events: {
            decoded: (job, pixels) => {
              job.running.pixels = pixels;
              this.store.setPixels(job.key, pixels);
            },
            progress: (job, fraction) => {
              job.running.progress = fraction;
              this.hooks.changed(job.running.item.batchId, job.key, { progressOnly: true });
            },
            finished: (job, outcome) => this.finish(job.running, outcome),
          },
        });
      } catch (e) {
        this.hooks.onWorkerError(e);
        await this.sleep();
      }
    }
    this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /**
   * Items at work at once: as many as the engine has CPU workers for while the photos fit the memory
   * budget (the next one's size read from its header when the library did not know it), else one.
   */
  private async imagesAtOnce(): Promise<number> {
    if (!this.stages.imagesAtOnce) return 1;
    const next = this.store.nextItem();
    if (!next) return 1;
    try {
      let pixels = next.pixels;
      if (pixels === null) {
        pixels = await readPixelCount(next.inputPath);
        if (pixels !== null) this.store.setPixels(next.id, pixels);
      }
      if (pixels === null) return 1;
      const largest = Math.max(pixels, ...[...this.running.values()].map((r) => r.pixels ?? 0));
      return await this.stages.imagesAtOnce(this.hooks.batchOptions(next.batchId).settings, largest);
    } catch {
      // the item's own run reports what is wrong (a model gone, a file unreadable)
      return 1;
    }
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve)).finally(() => (this.wake = undefined));
  }

  /** The queue as the runner's source: the next runnable item, waiting while there is none. */
  private source(): JobSource<ItemJob> {
    return {
      next: async () => {
        while (!this.stopping) {
          const next = this.store.nextItem();
          if (next) return this.begin(next);
          if (this.running.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
          await this.sleep();
        }
        return undefined;
      },
      peek: () => {
        const next = this.store.nextItem();
        return next && { key: next.id, input: next.inputPath, settings: this.hooks.batchOptions(next.batchId).settings, plannedOutput: next.outputPath! };
      },
    };
  }

  private begin(next: ItemRow): ItemJob {
    const options = this.hooks.batchOptions(next.batchId);
    const item = this.store.beginAttempt(next.id);
    let finish!: () => void;
    const running: Running = {
      item,
      controller: new AbortController(),
      progress: 0,
      pixels: item.pixels,
      finished: new Promise((resolve) => (finish = resolve)),
      finish: () => finish(),
    };
    this.running.set(item.id, running);
    this.hooks.changed(item.batchId, item.id);
    return {
      key: item.id,
      input: item.inputPath,
      settings: options.settings,
      plannedOutput: item.outputPath!,
      batch: item.batchId,
      signal: running.controller.signal,
      running,
      decide: () => {
        const decision = this.decideOutput(item, options);
        if (decision.action === 'write') {
          this.store.claimOutput(item.id, decision.output);
          item.outputPath = decision.output;
        }
        return decision;
      },
    };
  }

  /** Records how an item's attempt ended; a batch whose output side failed pauses itself with the reason. */
  private finish(running: Running, outcome: ImageOutcome): void {
    const { item } = running;
    try {
      const { times } = outcome;
      if (outcome.status === 'done') {
        this.store.finishAttempt(item, 'done', { ...times, note: outcome.note, noteSaid: outcome.noteSaid });
      } else if (running.stop && outcome.status !== 'skipped') {
        const stopped: AttemptOutcome = running.stop === 'pause' ? 'paused' : running.stop === 'cancel' ? 'cancelled' : 'interrupted';
        this.store.finishAttempt(item, stopped, times);
      } else if (outcome.status === 'skipped' && outcome.notAttempted) {
        // another photo of its batch found the output side full or read-only: this one goes back
        // to the queue, to run when the batch is resumed
        this.store.finishAttempt(item, 'interrupted', times);
      } else if (outcome.status === 'skipped') {
        this.store.finishAttempt(item, 'skipped', { ...times, error: outcome.reason, errorSaid: outcome.said });
      } else if (outcome.status === 'failed') {
        this.store.finishAttempt(item, 'failed', { ...times, errorCode: outcome.code, error: outcome.reason, errorSaid: outcome.said });
        if (outcome.stopsBatch) this.store.setPaused(item.batchId, true, outcome.reason, outcome.said);
      } else {
        this.store.finishAttempt(item, 'cancelled', times);
      }
    } finally {
      this.running.delete(item.id);
      this.hooks.changed(item.batchId, item.id);
      running.finish();
      // with nothing else at work, the worker may now be idle
      this.wakeUp();
    }
  }

  /**
   * The output planned at enqueue, checked again now: a file may have appeared there since. A
   * file at a path this item claimed in an earlier attempt is its own (written before a crash)
   * and is replaced, atomically, rather than treated as a collision.
   */
  private decideOutput(item: ItemRow, options: BatchOptions): OutputDecision {
    const planned = item.outputPath!;
    if (item.outputClaimed === 1) return { action: 'write', output: planned };
    return decideOutput(item.inputPath, planned, options.plan, {
      takenByOther: (p) => this.store.claimedByOther(p, item.id),
      isProtected: (p) => this.store.isProtected(p),
    });
  }
}
