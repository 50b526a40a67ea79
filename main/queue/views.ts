import type { BatchItem, BatchStatus, BatchSummary, ItemPage, ItemStatus } from '../../shared/api/types.js';
import type { BatchOptions } from './enqueue.js';
import { storedSaid } from '../store/said-column.js';
import type { BatchTally, ItemRow, QueueStore } from './store.js';
import type { QueueWorker } from './worker.js';
import { refusal } from '../../shared/refusals.js';

/** A batch item as the UI sees it; `held` items are queued but paused on their own. */
export type QueueItem = BatchItem & { held: boolean };

/**
 * The queue as the UI reads it: batches with their status, progress and time left, and items,
 * from the database and the items at work. Batch options and counts are cached; `forget` drops a
 * batch's counts after a change.
 */
export class QueueViews {
  private readonly optionsCache = new Map<number, BatchOptions>();
  private readonly tallies = new Map<number, BatchTally>();

  constructor(
    private readonly store: QueueStore,
    private readonly worker: Pick<QueueWorker, 'running' | 'meter' | 'runningIn'>,
  ) {}

  batch(batchId: number): BatchSummary {
    const row = this.store.batch(batchId);
    if (!row) throw refusal('not-found', 'queue.batchGone', { id: batchId });
    const options = this.batchOptions(batchId);
    const tally = this.tally(batchId);
    const { counts } = tally;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const running = this.worker.runningIn(batchId);
    const processed = counts.done + counts.failed + counts.skipped;
    const status = batchStatus(counts, row.paused === 1, this.heldOnly(batchId, counts));
    const active = status === 'running' || status === 'queued';
    const eta = active
      ? this.worker.meter.estimateSeconds({ knownPixels: tally.pendingPixels, unknownItems: tally.pendingUnknown }, running.map((r) => ({ pixels: r.pixels, fraction: r.progress })))
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
    if (row.pauseReason) {
      summary.pausedReason = row.pauseReason;
      const said = storedSaid(row.pauseSaid);
      if (said) summary.pausedSaid = said;
    }
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

  itemRow(itemId: number): ItemRow {
    const row = this.store.item(itemId);
    if (!row) throw refusal('not-found', 'queue.itemGone', { id: itemId });
    return row;
  }

  batchOptions(batchId: number): BatchOptions {
    let options = this.optionsCache.get(batchId);
    if (!options) {
      options = JSON.parse(this.store.batch(batchId)!.options) as BatchOptions;
      this.optionsCache.set(batchId, options);
    }
    return options;
  }

  /** Drops the batch's cached counts (after a state change), or all it cached (a removed batch). */
  forget(batchId: number, options: { removed?: boolean } = {}): void {
    this.tallies.delete(batchId);
    if (options.removed) this.optionsCache.delete(batchId);
  }

  private itemView(row: ItemRow): QueueItem {
    const running = this.worker.running.get(row.id);
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
    const errorSaid = storedSaid(row.errorSaid);
    if (errorSaid) view.errorSaid = errorSaid;
    const noteSaid = storedSaid(row.noteSaid);
    if (noteSaid) view.noteSaid = noteSaid;
    return view;
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
}

function batchStatus(counts: Record<ItemStatus, number>, paused: boolean, heldOnly: boolean): BatchStatus {
  if (counts.running > 0) return 'running';
  if (counts.queued > 0) return paused || heldOnly ? 'paused' : 'queued';
  if (counts.cancelled > 0) return 'cancelled';
  if (counts.failed > 0 && counts.done === 0 && counts.skipped === 0) return 'failed';
  return 'done';
}
