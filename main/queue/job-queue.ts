import fs from 'node:fs';
import path from 'node:path';
import type { StudioEvent } from '../../shared/api/events.js';
import type { BatchItem, BatchPlan, BatchStatus, BatchSummary, ItemPage, ItemStatus } from '../../shared/api/types.js';
import { StudioError, batchStoppingCodes } from '../../shared/errors.js';
import { readPixelCount } from '../library/metadata.js';
import { temporaryPathFor } from '../pipeline/atomic-write.js';
import { decideOutput, type OutputDecision } from '../pipeline/output-decision.js';
import { templateValues } from '../pipeline/output-path.js';
import { runImages, type ImageJob, type ImageOutcome, type JobSource } from '../pipeline/runner.js';
import type { ImageStages } from '../pipeline/stages.js';
import { ThroughputMeter } from '../pipeline/throughput.js';
import type { StudioDatabase } from '../store/db.js';
import { planBatch, type BatchOptions, type EnqueueInput } from './enqueue.js';
import { QueueStore, type AttemptOutcome, type BatchTally, type ItemRow } from './store.js';

export type QueueEvent = Extract<StudioEvent, { type: 'queue.batch' | 'queue.item' | 'queue.removed' }>;

/** A batch item as the UI sees it; `held` items are queued but paused on their own. */
export type QueueItem = BatchItem & { held: boolean };

export interface BatchTarget {
  batchId: number;
  itemId?: number;
}

type StopReason = 'pause' | 'cancel' | 'shutdown';

interface Running {
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

/**
 * The durable job queue and its worker. Batches and items live in SQLite; the worker feeds them to
 * the pipeline's runner, as many at once as the engine has CPU workers for (else one at a time),
 * the next one decoded while the current ones are enhanced.
 * Pause and cancel abort the running item through its AbortSignal, which the engine checks
 * between tiles.
 *
 * One process owns a database's queue: `start` returns items a previous run left `running` to
 * the queue, which would be wrong while another process is working on them.
 */
export class JobQueue<D = unknown, E = unknown> {
  private readonly store: QueueStore;
  private readonly listeners = new Set<(event: QueueEvent) => void>();
  private readonly meter = new ThroughputMeter();
  private readonly optionsCache = new Map<number, BatchOptions>();
  private readonly tallies = new Map<number, BatchTally>();
  private readonly idleWaiters: (() => void)[] = [];
  /** Items at work, by id: more than one when the engine has CPU workers for several photos at once. */
  private readonly running = new Map<number, Running>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private stopping = false;

  constructor(
    db: StudioDatabase,
    private readonly stages: ImageStages<D, E>,
    /** Failures of the queue itself (the database became unwritable), not of an item. */
    private readonly onWorkerError: (error: unknown) => void = (e) => console.error('queue worker:', e),
  ) {
    this.store = new QueueStore(db);
  }

  /** Recovers what a crash left behind, then runs queued items until `stop`. */
  start(): void {
    if (this.loop) return;
    for (const item of this.store.recoverRunning()) {
      // an interrupted write leaves at most its temporary file; the item writes it again
      if (item.outputPath) fs.rmSync(temporaryPathFor(item.outputPath), { force: true });
      this.changed(item.batchId, item.id);
    }
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops the worker; the running items are interrupted and go back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const running of this.running.values()) this.interrupt(running, 'shutdown');
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Resolves when the worker has nothing it may run (everything finished, paused or held), or is stopped. */
  whenIdle(): Promise<void> {
    if (!this.loop) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      if (this.wake) this.wakeWorker();
    });
  }

  subscribe(listener: (event: QueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async enqueue(request: EnqueueInput): Promise<BatchSummary> {
    const { name, options, items } = await planBatch(this.store.db, request, (s) => this.templateValues(s));
    const batchId = this.store.createBatch(name, options, items);
    this.changed(batchId);
    this.wakeWorker();
    return this.batch(batchId);
  }

  /** Where a batch would write, without creating it: the panel shows this before the user starts. */
  async plan(request: EnqueueInput): Promise<BatchPlan> {
    const { items } = await planBatch(this.store.db, request, (s) => this.templateValues(s));
    const counts = new Map<string, number>();
    for (const item of items) if (item.state === 'queued') counts.set(path.dirname(item.outputPath), (counts.get(path.dirname(item.outputPath)) ?? 0) + 1);
    const shown = 8;
    return {
      total: items.length,
      toWrite: items.filter((i) => i.state === 'queued').length,
      folders: [...counts].slice(0, shown).map(([folder, count]) => ({ folder, count })),
      moreFolders: Math.max(0, counts.size - shown),
      example: items.find((i) => i.state === 'queued')?.outputPath ?? null,
    };
  }

  batch(batchId: number): BatchSummary {
    const row = this.store.batch(batchId);
    if (!row) throw new StudioError('not-found', `Batch #${batchId} does not exist any more. Refresh the queue.`);
    const options = this.batchOptions(batchId);
    const tally = this.tally(batchId);
    const { counts } = tally;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const running = this.runningIn(batchId);
    const processed = counts.done + counts.failed + counts.skipped;
    const status = batchStatus(counts, row.paused === 1, this.heldOnly(batchId, counts));
    const active = status === 'running' || status === 'queued';
    const eta = active
      ? this.meter.estimateSeconds({ knownPixels: tally.pendingPixels, unknownItems: tally.pendingUnknown }, running.map((r) => ({ pixels: r.pixels, fraction: r.progress })))
      : null;
    const summary: BatchSummary = {
      id: batchId,
      name: row.name,
      status,
      total,
      counts,
      progress: total === 0 ? 1 : (processed + running.reduce((sum, r) => sum + r.progress, 0)) / total,
      etaSeconds: eta === null ? null : Math.round(eta),
      createdAt: row.createdAt,
      settings: options.settings,
      output: options.output,
    };
    if (row.pauseReason) summary.pausedReason = row.pauseReason;
    const stopping = running.find((r) => r.stop === 'pause' || r.stop === 'cancel')?.stop;
    if (stopping === 'pause' || stopping === 'cancel') summary.stopping = stopping;
    // paused while its images finish: pausing, not paused yet
    else if (running.length > 0 && row.paused === 1) summary.stopping = 'pause-after-image';
    return summary;
  }

  batches(): BatchSummary[] {
    return this.store.batches().map((b) => this.batch(b.id));
  }

  items(request: { batchId: number; status?: ItemStatus; offset?: number; limit?: number }): ItemPage & { items: QueueItem[] } {
    const { counts } = this.tally(request.batchId);
    const total = request.status ? counts[request.status] : Object.values(counts).reduce((a, b) => a + b, 0);
    const offset = request.offset ?? 0;
    const rows = this.store.items(request.batchId, { state: request.status, offset, limit: request.limit ?? 200 });
    return { total, offset, items: rows.map((r) => this.itemView(r)) };
  }

  item(itemId: number): QueueItem {
    return this.itemView(this.itemRow(itemId));
  }

  /** Attempts of an item, oldest first: when each ran, how it ended, and the error of each failure. */
  attempts(itemId: number): { attempt: number; startedAt: number; finishedAt: number | null; outcome: AttemptOutcome | null; error: string | null }[] {
    return this.store.db
      .prepare('SELECT attempt, started_at AS startedAt, finished_at AS finishedAt, outcome, error FROM item_attempts WHERE item_id = ? ORDER BY attempt')
      .all(itemId) as ReturnType<JobQueue['attempts']>;
  }

  /**
   * Pauses a batch, or holds one item; a running one stops at the next tile and is queued again,
   * or, with `afterCurrent` (a batch only), is let finish so none of its work is lost.
   */
  pause(target: BatchTarget, options: { afterCurrent?: boolean } = {}): void {
    const item = this.target(target);
    if (item) this.store.setHeld(item.id, true);
    else this.store.setPaused(target.batchId, true);
    const letFinish = options.afterCurrent === true && !item;
    if (!letFinish) for (const running of this.runningIn(target.batchId, item?.id)) this.interrupt(running, 'pause');
    this.changed(target.batchId, item?.id);
  }

  /**
   * Resumes a batch or an item. A batch that paused itself because its output disk was full or
   * read-only also retries the items that failed on it, the user having fixed the cause.
   */
  resume(target: BatchTarget): void {
    const item = this.target(target);
    if (item) {
      this.store.setHeld(item.id, false);
    } else {
      if (this.store.batch(target.batchId)?.pauseReason) this.store.requeue(target.batchId, { errorCodes: batchStoppingCodes });
      this.store.setPaused(target.batchId, false);
    }
    this.changed(target.batchId, item?.id);
    this.wakeWorker();
  }

  /** Cancels a batch's remaining items, or one item; a running one stops at the next tile. */
  cancel(target: BatchTarget): void {
    const item = this.target(target);
    this.store.cancelQueued(target.batchId, item?.id);
    for (const running of this.runningIn(target.batchId, item?.id)) this.interrupt(running, 'cancel');
    this.changed(target.batchId, item?.id);
  }

  /** Queues a batch's failed items again (with `cancelled`, its cancelled ones too), or one failed or cancelled item. */
  retry(target: BatchTarget & { cancelled?: boolean }): void {
    const item = this.target(target);
    this.store.requeue(target.batchId, { itemId: item?.id, cancelled: target.cancelled });
    this.changed(target.batchId, item?.id);
    this.wakeWorker();
  }

  /** Forgets a batch (its outputs stay on disk); its running items are cancelled first. */
  async remove(target: { batchId: number }): Promise<void> {
    this.target(target);
    const running = this.runningIn(target.batchId);
    for (const r of running) this.interrupt(r, 'cancel');
    await Promise.all(running.map((r) => r.finished));
    this.store.deleteBatch(target.batchId);
    this.optionsCache.delete(target.batchId);
    this.tallies.delete(target.batchId);
    this.emit({ type: 'queue.removed', payload: { batchId: target.batchId } });
  }

  /** Batches run by priority (higher first), then in the order they were created. */
  setBatchPriority(batchId: number, priority: number): void {
    this.target({ batchId });
    this.store.setBatchPriority(batchId, priority);
    this.changed(batchId);
    this.wakeWorker();
  }

  /** Moves an item before another of its batch, or to the end when `beforeItemId` is omitted. */
  moveItem(itemId: number, beforeItemId?: number): void {
    const item = this.itemRow(itemId);
    const before = beforeItemId === undefined ? undefined : this.itemRow(beforeItemId);
    if (before && before.batchId !== item.batchId) {
      throw new StudioError('invalid-settings', 'Items can only be reordered within their own batch.');
    }
    this.store.moveItem(item, before);
    this.changed(item.batchId, item.id);
  }

  // ---- worker ----

  private async templateValues(settings: BatchOptions['settings']): Promise<{ model: string; scale?: number }> {
    const { manifest } = await this.stages.model(settings);
    return templateValues(settings, manifest);
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
              this.changed(job.running.item.batchId, job.key, { progressOnly: true });
            },
            finished: (job, outcome) => this.finish(job.running, outcome),
          },
        });
      } catch (e) {
        this.onWorkerError(e);
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
      return await this.stages.imagesAtOnce(this.batchOptions(next.batchId).settings, largest);
    } catch {
      // the item's own run reports what is wrong (a model gone, a file unreadable)
      return 1;
    }
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve)).finally(() => (this.wake = undefined));
  }

  private wakeWorker(): void {
    this.wake?.();
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
        return next && { key: next.id, input: next.inputPath, settings: this.batchOptions(next.batchId).settings, plannedOutput: next.outputPath! };
      },
    };
  }

  private begin(next: ItemRow): ItemJob {
    const options = this.batchOptions(next.batchId);
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
    this.changed(item.batchId, item.id);
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
        this.store.finishAttempt(item, 'done', { ...times, note: outcome.note });
      } else if (running.stop && outcome.status !== 'skipped') {
        const stopped: AttemptOutcome = running.stop === 'pause' ? 'paused' : running.stop === 'cancel' ? 'cancelled' : 'interrupted';
        this.store.finishAttempt(item, stopped, times);
      } else if (outcome.status === 'skipped' && outcome.notAttempted) {
        // another photo of its batch found the output side full or read-only: this one goes back
        // to the queue, to run when the batch is resumed
        this.store.finishAttempt(item, 'interrupted', times);
      } else if (outcome.status === 'skipped') {
        this.store.finishAttempt(item, 'skipped', { ...times, error: outcome.reason });
      } else if (outcome.status === 'failed') {
        this.store.finishAttempt(item, 'failed', { ...times, errorCode: outcome.code, error: outcome.reason });
        if (outcome.stopsBatch) this.store.setPaused(item.batchId, true, outcome.reason);
      } else {
        this.store.finishAttempt(item, 'cancelled', times);
      }
    } finally {
      this.running.delete(item.id);
      this.changed(item.batchId, item.id);
      running.finish();
      // with nothing else at work, the worker may now be idle
      this.wakeWorker();
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

  /** Items at work in a batch, or that one item if it is. */
  private runningIn(batchId: number, itemId?: number): Running[] {
    return [...this.running.values()].filter((r) => r.item.batchId === batchId && (itemId === undefined || r.item.id === itemId));
  }

  private interrupt(running: Running, reason: StopReason): void {
    running.stop ??= reason;
    running.controller.abort();
  }

  // ---- views and events ----

  private target(target: BatchTarget): ItemRow | undefined {
    if (!this.store.batch(target.batchId)) throw new StudioError('not-found', `Batch #${target.batchId} does not exist any more. Refresh the queue.`);
    if (target.itemId === undefined) return undefined;
    const item = this.itemRow(target.itemId);
    if (item.batchId !== target.batchId) throw new StudioError('not-found', `Item #${target.itemId} is not in batch #${target.batchId}. Refresh the queue.`);
    return item;
  }

  private itemRow(itemId: number): ItemRow {
    const row = this.store.item(itemId);
    if (!row) throw new StudioError('not-found', `Item #${itemId} does not exist any more. Refresh the queue.`);
    return row;
  }

  private itemView(row: ItemRow): QueueItem {
    const running = this.running.get(row.id);
    const view: QueueItem = {
      id: row.id,
      batchId: row.batchId,
      input: row.inputPath,
      output: row.outputPath,
      status: row.state,
      progress: row.state === 'done' ? 1 : (running?.progress ?? 0),
      error: row.error,
      attempts: row.attempts,
      held: row.held === 1,
    };
    if (row.imageId !== null) view.imageId = row.imageId;
    if (row.note !== null) view.note = row.note;
    return view;
  }

  private batchOptions(batchId: number): BatchOptions {
    let options = this.optionsCache.get(batchId);
    if (!options) {
      options = JSON.parse(this.store.batch(batchId)!.options) as BatchOptions;
      this.optionsCache.set(batchId, options);
    }
    return options;
  }

  /** Counts are re-read after state changes only, not on every tile's progress. */
  private tally(batchId: number): BatchTally {
    let tally = this.tallies.get(batchId);
    if (!tally) {
      tally = this.store.tally(batchId);
      this.tallies.set(batchId, tally);
    }
    return tally;
  }

  private heldOnly(batchId: number, counts: Record<ItemStatus, number>): boolean {
    return counts.queued > 0 && counts.running === 0 && this.store.nextQueuedUnheld(batchId) === undefined;
  }

  private changed(batchId: number, itemId?: number, options: { progressOnly?: boolean } = {}): void {
    if (!options.progressOnly) this.tallies.delete(batchId);
    if (this.listeners.size === 0) return;
    if (itemId !== undefined) this.emit({ type: 'queue.item', payload: this.item(itemId) });
    if (this.store.batch(batchId)) this.emit({ type: 'queue.batch', payload: this.batch(batchId) });
  }

  private emit(event: QueueEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a failing subscriber must not stop the queue or the other subscribers
      }
    }
  }
}

function batchStatus(counts: Record<ItemStatus, number>, paused: boolean, heldOnly: boolean): BatchStatus {
  if (counts.running > 0) return 'running';
  if (counts.queued > 0) return paused || heldOnly ? 'paused' : 'queued';
  if (counts.cancelled > 0) return 'cancelled';
  if (counts.failed > 0 && counts.done === 0 && counts.skipped === 0) return 'failed';
  return 'done';
}
