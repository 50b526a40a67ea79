import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StudioEvent } from '../../shared/api/events.js';
import type { BatchItem, BatchPlan, BatchStatus, BatchSummary, ItemPage, ItemStatus } from '../../shared/api/types.js';
import { StudioError, batchStoppingCodes } from '../../shared/errors.js';
import { untilAborted } from '../imaging/deadline.js';
import { planOutputs } from '../pipeline/output-path.js';
import { temporaryPathFor } from '../pipeline/atomic-write.js';
import type { StudioDatabase } from '../store/db.js';
import { planBatch, type BatchOptions, type EnqueueInput } from './enqueue.js';
import { itemError } from './errors.js';
import { ThroughputMeter } from './eta.js';
import type { DecodeTarget, ItemProcessor } from './processor.js';
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
}

interface Prefetch<D> {
  itemId: number;
  result: Promise<{ decoded: D; ms: number }>;
}

type OutputDecision = { action: 'write'; output: string } | { action: 'skip'; reason: string } | { action: 'fail'; reason: string };

/**
 * The durable job queue and its worker. Batches and items live in SQLite; one item runs at a
 * time on the engine while the next one's decode runs beside it. Pause and cancel abort the
 * running item through its AbortSignal, which the engine checks between tiles.
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
  private running: Running | undefined;
  private prefetch: Prefetch<D> | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private stopping = false;

  constructor(
    db: StudioDatabase,
    private readonly processor: ItemProcessor<D, E>,
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

  /** Stops the worker; the running item is interrupted and goes back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.running) this.interrupt(this.running, 'shutdown');
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
    const { name, options, items } = await planBatch(this.store.db, request, (s) => this.processor.templateValues(s));
    const batchId = this.store.createBatch(name, options, items);
    this.changed(batchId);
    this.wakeWorker();
    return this.batch(batchId);
  }

  /** Where a batch would write, without creating it: the panel shows this before the user starts. */
  async plan(request: EnqueueInput): Promise<BatchPlan> {
    const { items } = await planBatch(this.store.db, request, (s) => this.processor.templateValues(s));
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
    const running = this.running?.item.batchId === batchId ? this.running : undefined;
    const processed = counts.done + counts.failed + counts.skipped;
    const status = batchStatus(counts, row.paused === 1, this.heldOnly(batchId, counts));
    const active = status === 'running' || status === 'queued';
    const eta = active
      ? this.meter.estimateSeconds({ knownPixels: tally.pendingPixels, unknownItems: tally.pendingUnknown }, running && { pixels: running.pixels, fraction: running.progress })
      : null;
    const summary: BatchSummary = {
      id: batchId,
      name: row.name,
      status,
      total,
      counts,
      progress: total === 0 ? 1 : (processed + (running?.progress ?? 0)) / total,
      etaSeconds: eta === null ? null : Math.round(eta),
      createdAt: row.createdAt,
      settings: options.settings,
      output: options.output,
    };
    if (row.pauseReason) summary.pausedReason = row.pauseReason;
    if (running?.stop === 'pause' || running?.stop === 'cancel') summary.stopping = running.stop;
    // paused while its image finishes: pausing, not paused yet
    else if (running && row.paused === 1) summary.stopping = 'pause-after-image';
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
    const running = this.running;
    const letFinish = options.afterCurrent === true && !item;
    if (running && !letFinish && running.item.batchId === target.batchId && (!item || item.id === running.item.id)) this.interrupt(running, 'pause');
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
    const running = this.running;
    if (running && running.item.batchId === target.batchId && (!item || item.id === running.item.id)) this.interrupt(running, 'cancel');
    this.changed(target.batchId, item?.id);
  }

  /** Queues a batch's failed items again, or one failed or cancelled item. */
  retry(target: BatchTarget): void {
    const item = this.target(target);
    this.store.requeue(target.batchId, { itemId: item?.id });
    this.changed(target.batchId, item?.id);
    this.wakeWorker();
  }

  /** Forgets a batch (its outputs stay on disk); its running item is cancelled first. */
  async remove(target: { batchId: number }): Promise<void> {
    this.target(target);
    const running = this.running;
    if (running && running.item.batchId === target.batchId) {
      this.interrupt(running, 'cancel');
      await running.finished;
    }
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

  private async run(): Promise<void> {
    while (!this.stopping) {
      const next = this.store.nextItem();
      if (!next) {
        this.idleWaiters.splice(0).forEach((resolve) => resolve());
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        await this.runItem(next);
      } catch (e) {
        // item failures are recorded in runItem; this is the database itself failing: wait to be
        // woken (resume, retry, enqueue) rather than spin on it
        this.onWorkerError(e);
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    }
    this.prefetch = undefined;
    this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private wakeWorker(): void {
    this.wake?.();
  }

  private async runItem(next: ItemRow): Promise<void> {
    const options = this.batchOptions(next.batchId);
    const item = this.store.beginAttempt(next.id);
    let finish!: () => void;
    const running: Running = {
      item,
      controller: new AbortController(),
      progress: 0,
      pixels: item.pixels,
      finished: new Promise((resolve) => (finish = resolve)),
    };
    this.running = running;
    this.changed(item.batchId, item.id);

    const started = performance.now();
    const times: { decodeMs?: number; enhanceMs?: number; writeMs?: number } = {};
    let stage: 'output' | 'decode' | 'enhance' | 'write' = 'output';
    try {
      const decision = this.decideOutput(item, options);
      if (decision.action !== 'write') {
        if (this.prefetch?.itemId === item.id) this.prefetch = undefined;
        const failed = decision.action === 'fail';
        this.store.finishAttempt(item, failed ? 'failed' : 'skipped', { error: decision.reason, errorCode: failed ? 'output-exists' : undefined });
        return;
      }
      this.store.claimOutput(item.id, decision.output);
      item.outputPath = decision.output;

      stage = 'decode';
      // a read that hangs (until its deadline) must not hold up a cancel, a removal or a shutdown
      const { decoded, ms } = await untilAborted(this.takeDecoded(item, options, decision.output), running.controller.signal, () => new StudioError('cancelled', 'Stopped by the user.'));
      times.decodeMs = ms;
      running.pixels = this.processor.pixels(decoded);
      this.store.setPixels(item.id, running.pixels);
      throwIfStopped(running);
      this.startPrefetch();

      stage = 'enhance';
      const enhanceStart = performance.now();
      const enhanced = await this.processor.enhance(decoded, options.settings, {
        outputPath: decision.output,
        signal: running.controller.signal,
        onProgress: (fraction) => {
          running.progress = fraction;
          this.changed(item.batchId, item.id, { progressOnly: true });
        },
      });
      times.enhanceMs = performance.now() - enhanceStart;
      throwIfStopped(running);

      // once writing starts the item is finished as written, whatever is asked meanwhile
      stage = 'write';
      const writeStart = performance.now();
      await this.processor.write(enhanced, decision.output, options.settings);
      times.writeMs = performance.now() - writeStart;
      this.store.finishAttempt(item, 'done', { ...times, note: this.processor.note?.(decoded) });
      this.meter.record(running.pixels, (performance.now() - started) / 1000);
    } catch (e) {
      if (running.stop) {
        const outcome: AttemptOutcome = running.stop === 'pause' ? 'paused' : running.stop === 'cancel' ? 'cancelled' : 'interrupted';
        this.store.finishAttempt(item, outcome, times);
      } else {
        const error = itemError(e, item.inputPath);
        this.store.finishAttempt(item, 'failed', { ...times, errorCode: error.code, error: error.message });
        // the output disk is full or read-only: every further item would fail the same way
        if (stage === 'write' && batchStoppingCodes.includes(error.code)) this.store.setPaused(item.batchId, true, error.message);
      }
    } finally {
      this.running = undefined;
      this.changed(item.batchId, item.id);
      finish();
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
    const taken = fs.existsSync(planned) || this.store.claimedByOther(planned, item.id);
    if (!taken) return { action: 'write', output: planned };
    const { collision, skipExisting } = options.output;
    if (skipExisting) return { action: 'skip', reason: `${planned} already exists (skip existing is on)` };
    if (collision === 'skip') return { action: 'skip', reason: `${planned} already exists (collision policy: skip)` };
    if (collision === 'fail') return { action: 'fail', reason: `${planned} already exists. Choose the rename or overwrite policy, or another output folder.` };
    if (collision === 'overwrite' && !this.store.isProtected(planned) && !this.store.claimedByOther(planned, item.id)) {
      return { action: 'write', output: planned };
    }
    // the same folder and template, the next free "name (n)" there
    const [replanned] = planOutputs([{ path: item.inputPath }], { ...options.plan, outDir: path.dirname(planned), collision: 'rename', skipExisting: false });
    if (replanned.action !== 'write' || this.store.claimedByOther(replanned.output, item.id)) {
      return { action: 'fail', reason: `${planned} already exists and no free name was found beside it. Choose another output folder.` };
    }
    return { action: 'write', output: replanned.output };
  }

  private takeDecoded(item: ItemRow, options: BatchOptions, outputPath: string): Promise<{ decoded: D; ms: number }> {
    const prefetched = this.prefetch;
    this.prefetch = undefined;
    if (prefetched?.itemId === item.id) return prefetched.result;
    return this.decode(item.inputPath, { settings: options.settings, outputPath });
  }

  /** Decodes the item that would run next, while the current one is on the engine. */
  private startPrefetch(): void {
    const next = this.store.nextItem();
    if (!next || this.prefetch?.itemId === next.id) return;
    const result = this.decode(next.inputPath, { settings: this.batchOptions(next.batchId).settings, outputPath: next.outputPath! });
    // a failed decode is reported when its item runs; an unused one is dropped
    result.catch(() => undefined);
    this.prefetch = { itemId: next.id, result };
  }

  private async decode(inputPath: string, target: DecodeTarget): Promise<{ decoded: D; ms: number }> {
    const start = performance.now();
    const decoded = await this.processor.decode(inputPath, target);
    return { decoded, ms: performance.now() - start };
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
    const running = this.running?.item.id === row.id ? this.running : undefined;
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

function throwIfStopped(running: Running): void {
  if (running.stop) throw new StudioError('cancelled', 'Stopped by the user.');
}

function batchStatus(counts: Record<ItemStatus, number>, paused: boolean, heldOnly: boolean): BatchStatus {
  if (counts.running > 0) return 'running';
  if (counts.queued > 0) return paused || heldOnly ? 'paused' : 'queued';
  if (counts.cancelled > 0) return 'cancelled';
  if (counts.failed > 0 && counts.done === 0 && counts.skipped === 0) return 'failed';
  return 'done';
}
