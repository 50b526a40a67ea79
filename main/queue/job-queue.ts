import path from 'node:path';
import type { StudioEvent } from '../../shared/api/events.js';
import type { BatchPlan, BatchSummary, ItemPage, ItemStatus } from '../../shared/api/types.js';
import { batchStoppingCodes } from '../../shared/errors.js';
import { templateValues } from '../pipeline/output-path.js';
import type { ImageStages } from '../pipeline/stages.js';
import type { StudioDatabase } from '../store/db.js';
import { planBatch, type BatchOptions, type EnqueueInput } from './enqueue.js';
import { QueueStore, type AttemptRow, type ItemRow } from './store.js';
import { QueueViews, type QueueItem } from './views.js';
import { QueueWorker } from './worker.js';
import { refusal } from '../../shared/refusals.js';

export type QueueEvent = Extract<StudioEvent, { type: 'queue.batch' | 'queue.item' | 'queue.removed' }>;

export interface BatchTarget {
  batchId: number;
  itemId?: number;
}

/**
 * The durable job queue: batches and items live in SQLite (QueueStore), its QueueWorker runs them
 * through the pipeline's runner, and QueueViews shows them. This class takes the commands (enqueue,
 * pause, resume, cancel, retry, remove, reorder) and tells subscribers what changed.
 *
 * One process owns a database's queue: `start` returns items a previous run left `running` to
 * the queue, which would be wrong while another process is working on them.
 */
export class JobQueue<D = unknown, E = unknown> {
  private readonly store: QueueStore;
  private readonly worker: QueueWorker<D, E>;
  private readonly views: QueueViews;
  private readonly listeners = new Set<(event: QueueEvent) => void>();

  constructor(
    db: StudioDatabase,
    private readonly stages: ImageStages<D, E>,
    /** Failures of the queue itself (the database became unwritable), not of an item. */
    onWorkerError: (error: unknown) => void = (e) => console.error('queue worker:', e),
  ) {
    this.store = new QueueStore(db);
    this.worker = new QueueWorker(this.store, stages, {
      batchOptions: (batchId) => this.views.batchOptions(batchId),
      changed: (batchId, itemId, options) => this.changed(batchId, itemId, options),
      onWorkerError,
    });
    this.views = new QueueViews(this.store, this.worker);
  }

  /** Recovers what a crash left behind, then runs queued items until `stop`. */
  start(): void {
    this.worker.start();
  }

  /** Stops the worker; the running items are interrupted and go back to the queue. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Resolves when the worker has nothing it may run (everything finished, paused or held), or is stopped. */
  whenIdle(): Promise<void> {
    return this.worker.whenIdle();
  }

  subscribe(listener: (event: QueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async enqueue(request: EnqueueInput): Promise<BatchSummary> {
    const { name, options, items } = await planBatch(this.store.db, request, (s) => this.templateValues(s));
    const batchId = this.store.createBatch(name, options, items);
    this.changed(batchId);
    this.worker.wakeUp();
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
    return this.views.batch(batchId);
  }

  batches(): BatchSummary[] {
    return this.views.batches();
  }

  items(request: { batchId: number; status?: ItemStatus; offset?: number; limit?: number }): ItemPage & { items: QueueItem[] } {
    return this.views.items(request);
  }

  item(itemId: number): QueueItem {
    return this.views.item(itemId);
  }

  /** Attempts of an item, oldest first: when each ran, how it ended, and the error of each failure. */
  attempts(itemId: number): AttemptRow[] {
    return this.store.attempts(itemId);
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
    if (!letFinish) for (const running of this.worker.runningIn(target.batchId, item?.id)) this.worker.interrupt(running, 'pause');
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
    this.worker.wakeUp();
  }

  /** Cancels a batch's remaining items, or one item; a running one stops at the next tile. */
  cancel(target: BatchTarget): void {
    const item = this.target(target);
    this.store.cancelQueued(target.batchId, item?.id);
    for (const running of this.worker.runningIn(target.batchId, item?.id)) this.worker.interrupt(running, 'cancel');
    this.changed(target.batchId, item?.id);
  }

  /** Queues a batch's failed items again (with `cancelled`, its cancelled ones too), or one failed or cancelled item. */
  retry(target: BatchTarget & { cancelled?: boolean }): void {
    const item = this.target(target);
    this.store.requeue(target.batchId, { itemId: item?.id, cancelled: target.cancelled });
    this.changed(target.batchId, item?.id);
    this.worker.wakeUp();
  }

  /** Forgets a batch (its outputs stay on disk); its running items are cancelled first. */
  async remove(target: { batchId: number }): Promise<void> {
    this.target(target);
    const running = this.worker.runningIn(target.batchId);
    for (const r of running) this.worker.interrupt(r, 'cancel');
    await Promise.all(running.map((r) => r.finished));
    this.store.deleteBatch(target.batchId);
    this.views.forget(target.batchId, { removed: true });
    this.emit({ type: 'queue.removed', payload: { batchId: target.batchId } });
  }

  /** Batches run by priority (higher first), then in the order they were created. */
  setBatchPriority(batchId: number, priority: number): void {
    this.target({ batchId });
    this.store.setBatchPriority(batchId, priority);
    this.changed(batchId);
    this.worker.wakeUp();
  }

  /** Moves an item before another of its batch, or to the end when `beforeItemId` is omitted. */
  moveItem(itemId: number, beforeItemId?: number): void {
    const item = this.views.itemRow(itemId);
    const before = beforeItemId === undefined ? undefined : this.views.itemRow(beforeItemId);
    if (before && before.batchId !== item.batchId) {
      throw refusal('invalid-settings', 'queue.reorderWithinBatch');
    }
    this.store.moveItem(item, before);
    this.changed(item.batchId, item.id);
  }

  private async templateValues(settings: BatchOptions['settings']): Promise<{ model: string; scale?: number }> {
    const { manifest } = await this.stages.model(settings);
    return templateValues(settings, manifest);
  }

  private target(target: BatchTarget): ItemRow | undefined {
    if (!this.store.batch(target.batchId)) throw refusal('not-found', 'queue.batchGone', { id: target.batchId });
    if (target.itemId === undefined) return undefined;
    const item = this.views.itemRow(target.itemId);
    if (item.batchId !== target.batchId) throw refusal('not-found', 'queue.itemNotInBatch', { item: target.itemId, batch: target.batchId });
    return item;
  }

  private changed(batchId: number, itemId?: number, options: { progressOnly?: boolean } = {}): void {
    if (!options.progressOnly) this.views.forget(batchId);
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
