import type { ItemStatus, StatusCounts } from '../../shared/api/types.js';
import type { Said } from '../../shared/errors.js';
import { saidJson } from '../store/said-column.js';
import { isLibraryImage } from '../library/query.js';
import type { StudioDatabase } from '../store/db.js';

export interface BatchRow {
  id: number;
  name: string;
  /** JSON of BatchOptions. */
  options: string;
  priority: number;
  paused: number;
  pauseReason: string | null;
  pauseSaid: string | null;
  createdAt: number;
}

export interface ItemRow {
  id: number;
  batchId: number;
  position: number;
  inputPath: string;
  imageId: number | null;
  state: ItemStatus;
  held: number;
  outputPath: string | null;
  outputClaimed: number;
  attempts: number;
  errorCode: string | null;
  error: string | null;
  pixels: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  decodeMs: number | null;
  enhanceMs: number | null;
  writeMs: number | null;
  note: string | null;
  /** JSON of the Said beside `error` / `note` (migration 007), null for rows stored before. */
  errorSaid: string | null;
  noteSaid: string | null;
}

export interface NewItem {
  inputPath: string;
  imageId?: number;
  pixels?: number;
  outputPath: string;
  state: 'queued' | 'skipped' | 'failed';
  errorCode?: string;
  error?: string;
  errorSaid?: Said;
}

/** How an attempt ended: an item state, or back to `queued` after a pause or a shutdown. */
export type AttemptOutcome = 'done' | 'failed' | 'skipped' | 'cancelled' | 'paused' | 'interrupted';

export interface AttemptRow {
  attempt: number;
  startedAt: number;
  finishedAt: number | null;
  outcome: AttemptOutcome | null;
  error: string | null;
}

export interface BatchTally {
  counts: StatusCounts;
  /** Queued items: summed input pixels of those whose size is known, and how many are not. */
  pendingPixels: number;
  pendingUnknown: number;
}

const batchColumns = 'id, name, options, priority, paused, pause_reason AS pauseReason, pause_said AS pauseSaid, created_at AS createdAt';
const itemColumns = `id, batch_id AS batchId, position, input_path AS inputPath, image_id AS imageId, state, held,
  output_path AS outputPath, output_claimed AS outputClaimed, attempts, error_code AS errorCode, error, pixels,
  started_at AS startedAt, finished_at AS finishedAt, decode_ms AS decodeMs, enhance_ms AS enhanceMs, write_ms AS writeMs, note,
  error_said AS errorSaid, note_said AS noteSaid`;

/** The queue's SQL. Every state change is one transaction, so the database never shows half of one. */
export class QueueStore {
  constructor(readonly db: StudioDatabase) {}

  createBatch(name: string, options: unknown, items: NewItem[]): number {
    return this.db.transaction(() => {
      const batchId = this.db
        .prepare('INSERT INTO batches (name, options, created_at) VALUES (?, ?, ?)')
        .run(name, JSON.stringify(options), Date.now()).lastInsertRowid as number;
      const insert = this.db.prepare(`INSERT INTO items (batch_id, position, input_path, image_id, pixels, output_path, state, error_code, error, error_said, finished_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const now = Date.now();
      items.forEach((item, i) => {
        insert.run(batchId, i, item.inputPath, item.imageId ?? null, item.pixels ?? null, item.outputPath, item.state,
          item.errorCode ?? null, item.error ?? null, saidJson(item.errorSaid), item.state === 'queued' ? null : now);
      });
      return batchId;
    })();
  }

  batch(id: number): BatchRow | undefined {
    return this.db.prepare(`SELECT ${batchColumns} FROM batches WHERE id = ?`).get(id) as BatchRow | undefined;
  }

  batches(): BatchRow[] {
    return this.db.prepare(`SELECT ${batchColumns} FROM batches ORDER BY priority DESC, id`).all() as BatchRow[];
  }

  item(id: number): ItemRow | undefined {
    return this.db.prepare(`SELECT ${itemColumns} FROM items WHERE id = ?`).get(id) as ItemRow | undefined;
  }

  items(batchId: number, options: { state?: ItemStatus; offset?: number; limit?: number } = {}): ItemRow[] {
    const where = options.state ? 'batch_id = ? AND state = ?' : 'batch_id = ?';
    const params: unknown[] = options.state ? [batchId, options.state] : [batchId];
    return this.db
      .prepare(`SELECT ${itemColumns} FROM items WHERE ${where} ORDER BY position, id LIMIT ? OFFSET ?`)
      .all(...params, options.limit ?? -1, options.offset ?? 0) as ItemRow[];
  }

  tally(batchId: number): BatchTally {
    const rows = this.db
      .prepare('SELECT state, n, pixels, known FROM item_counts WHERE batch_id = ?')
      .all(batchId) as { state: ItemStatus; n: number; pixels: number; known: number }[];
    const counts: StatusCounts = { queued: 0, running: 0, done: 0, failed: 0, skipped: 0, cancelled: 0 };
    let pendingPixels = 0;
    let pendingUnknown = 0;
    for (const r of rows) {
      counts[r.state] = r.n;
      if (r.state === 'queued') {
        pendingPixels = r.pixels;
        pendingUnknown = r.n - r.known;
      }
    }
    return { counts, pendingPixels, pendingUnknown };
  }

  /**
   * The item the worker should run next: unpaused batches by priority then age, and in a batch
   * its first unheld queued item. Each step reads an index in order.
   */
  nextItem(): ItemRow | undefined {
    const batchIds = this.db.prepare('SELECT id FROM batches WHERE paused = 0 ORDER BY priority DESC, id').pluck().all() as number[];
    const first = this.db.prepare(
      `SELECT ${itemColumns} FROM items WHERE batch_id = ? AND state = 'queued' AND held = 0 ORDER BY position LIMIT 1`,
    );
    for (const batchId of batchIds) {
      const row = first.get(batchId) as ItemRow | undefined;
      if (row) return row;
    }
    return undefined;
  }

  nextQueuedUnheld(batchId: number): number | undefined {
    return this.db.prepare("SELECT id FROM items WHERE batch_id = ? AND state = 'queued' AND held = 0 LIMIT 1").pluck().get(batchId) as number | undefined;
  }

  /** Whether another item has claimed this output path (and may be about to write it). */
  claimedByOther(outputPath: string, itemId: number): boolean {
    return this.db.prepare('SELECT 1 FROM items WHERE output_path = ? AND output_claimed = 1 AND id <> ? LIMIT 1').get(outputPath, itemId) !== undefined;
  }

  /** Attempts of an item, oldest first. */
  attempts(itemId: number): AttemptRow[] {
    return this.db
      .prepare('SELECT attempt, started_at AS startedAt, finished_at AS finishedAt, outcome, error FROM item_attempts WHERE item_id = ? ORDER BY attempt')
      .all(itemId) as AttemptRow[];
  }

  beginAttempt(itemId: number): ItemRow {
    const now = Date.now();
    return this.db.transaction(() => {
      this.db
        .prepare(`UPDATE items SET state = 'running', attempts = attempts + 1, started_at = ?, finished_at = NULL, error = NULL, error_said = NULL, error_code = NULL, note = NULL, note_said = NULL,
          decode_ms = NULL, enhance_ms = NULL, write_ms = NULL WHERE id = ?`)
        .run(now, itemId);
      const row = this.item(itemId)!;
      this.db.prepare('INSERT INTO item_attempts (item_id, attempt, started_at) VALUES (?, ?, ?)').run(itemId, row.attempts, now);
      return row;
    })();
  }

  claimOutput(itemId: number, outputPath: string): void {
    this.db.prepare('UPDATE items SET output_path = ?, output_claimed = 1 WHERE id = ?').run(outputPath, itemId);
  }

  setPixels(itemId: number, pixels: number): void {
    this.db.prepare('UPDATE items SET pixels = ? WHERE id = ?').run(pixels, itemId);
  }

  finishAttempt(
    item: ItemRow,
    outcome: AttemptOutcome,
    details: { errorCode?: string; error?: string; errorSaid?: Said; decodeMs?: number; enhanceMs?: number; writeMs?: number; note?: string; noteSaid?: Said } = {},
  ): void {
    const now = Date.now();
    const state: ItemStatus = outcome === 'paused' || outcome === 'interrupted' ? 'queued' : outcome;
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE items SET state = ?, finished_at = ?, error_code = ?, error = ?, error_said = ?, decode_ms = ?, enhance_ms = ?, write_ms = ?,
          note = ?, note_said = ? WHERE id = ?`)
        .run(state, state === 'queued' ? null : now, details.errorCode ?? null, details.error ?? null, saidJson(details.errorSaid),
          details.decodeMs ?? null, details.enhanceMs ?? null, details.writeMs ?? null, details.note ?? null, saidJson(details.noteSaid), item.id);
      this.db
        .prepare('UPDATE item_attempts SET finished_at = ?, outcome = ?, error_code = ?, error = ? WHERE item_id = ? AND attempt = ?')
        .run(now, outcome, details.errorCode ?? null, details.error ?? null, item.id, item.attempts);
    })();
  }

  /** Items a crash left `running` go back to `queued`; their open attempt is marked interrupted. */
  recoverRunning(): ItemRow[] {
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT ${itemColumns} FROM items WHERE state = 'running'`).all() as ItemRow[];
      for (const row of rows) {
        this.db.prepare("UPDATE items SET state = 'queued', started_at = NULL WHERE id = ?").run(row.id);
        this.db
          .prepare("UPDATE item_attempts SET outcome = 'interrupted' WHERE item_id = ? AND attempt = ? AND outcome IS NULL")
          .run(row.id, row.attempts);
      }
      return rows;
    })();
  }

  setPaused(batchId: number, paused: boolean, reason: string | null = null, said?: Said): void {
    this.db
      .prepare('UPDATE batches SET paused = ?, pause_reason = ?, pause_said = ? WHERE id = ?')
      .run(paused ? 1 : 0, paused ? reason : null, paused ? saidJson(said) : null, batchId);
  }

  setHeld(itemId: number, held: boolean): void {
    this.db.prepare('UPDATE items SET held = ? WHERE id = ?').run(held ? 1 : 0, itemId);
  }

  /** Queued items (of a batch, or one item) become cancelled; a running one is the worker's to end. */
  cancelQueued(batchId: number, itemId?: number): number {
    const sql = `UPDATE items SET state = 'cancelled', finished_at = ? WHERE batch_id = ? AND state = 'queued'${itemId === undefined ? '' : ' AND id = ?'}`;
    const params: unknown[] = [Date.now(), batchId];
    if (itemId !== undefined) params.push(itemId);
    return this.db.prepare(sql).run(...params).changes;
  }

  /** Failed items (of a batch, or one failed or cancelled item) go back to the queue. */
  requeue(batchId: number, options: { itemId?: number; cancelled?: boolean; errorCodes?: readonly string[] } = {}): number {
    let sql = "UPDATE items SET state = 'queued', held = 0, error = NULL, error_said = NULL, error_code = NULL, finished_at = NULL WHERE batch_id = ?";
    const params: unknown[] = [batchId];
    if (options.itemId !== undefined) {
      sql += " AND id = ? AND state IN ('failed', 'cancelled')";
      params.push(options.itemId);
    } else {
      sql += options.cancelled ? " AND state IN ('failed', 'cancelled')" : " AND state = 'failed'";
    }
    if (options.errorCodes) {
      sql += ` AND error_code IN (${options.errorCodes.map(() => '?').join(', ')})`;
      params.push(...options.errorCodes);
    }
    return this.db.prepare(sql).run(...params).changes;
  }

  deleteBatch(batchId: number): void {
    this.db.prepare('DELETE FROM batches WHERE id = ?').run(batchId);
  }

  setBatchPriority(batchId: number, priority: number): void {
    this.db.prepare('UPDATE batches SET priority = ? WHERE id = ?').run(priority, batchId);
  }

  /** Moves an item just before another of its batch (or to the end) without renumbering the rest. */
  moveItem(item: ItemRow, before: ItemRow | undefined): void {
    let position: number;
    if (before) {
      const previous = this.db
        .prepare('SELECT max(position) FROM items WHERE batch_id = ? AND position < ? AND id <> ?')
        .pluck()
        .get(item.batchId, before.position, item.id) as number | null;
      position = previous === null ? before.position - 1 : (previous + before.position) / 2;
    } else {
      position = (this.db.prepare('SELECT max(position) FROM items WHERE batch_id = ?').pluck().get(item.batchId) as number) + 1;
    }
    this.db.prepare('UPDATE items SET position = ? WHERE id = ?').run(position, item.id);
  }

  /**
   * Whether a path must never be written over: the input of any item, or a library photo that is
   * not an earlier output of the queue.
   */
  isProtected(file: string): boolean {
    if (this.db.prepare('SELECT 1 FROM items WHERE input_path = ? LIMIT 1').get(file)) return true;
    return isLibraryImage(this.db, file) && this.db.prepare('SELECT 1 FROM items WHERE output_path = ? LIMIT 1').get(file) === undefined;
  }
}
