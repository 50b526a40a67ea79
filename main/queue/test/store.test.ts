import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type StudioDatabase } from '../../store/db.js';
import { QueueStore, type NewItem } from '../store.js';

let dir: string;
let db: StudioDatabase;
let store: QueueStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-queue-store-'));
  db = openDatabase(path.join(dir, 'studio.db'));
  store = new QueueStore(db);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The counts as a full scan of the items computes them. */
function scanned(batchId: number) {
  const rows = db
    .prepare('SELECT state, count(*) AS n, coalesce(sum(pixels), 0) AS pixels, count(pixels) AS known FROM items WHERE batch_id = ? GROUP BY state')
    .all(batchId) as { state: string; n: number; pixels: number; known: number }[];
  return Object.fromEntries(rows.map((r) => [r.state, r]));
}

function kept(batchId: number) {
  const rows = db.prepare('SELECT state, n, pixels, known FROM item_counts WHERE batch_id = ? AND n > 0').all(batchId) as { state: string }[];
  return Object.fromEntries(rows.map((r) => [r.state, r]));
}

const items = (n: number): NewItem[] =>
  Array.from({ length: n }, (_, i) => ({
    inputPath: `/in/${i}.png`,
    outputPath: `/out/${i}.png`,
    state: i === 0 ? 'skipped' : 'queued',
    pixels: i % 3 === 0 ? undefined : 100 * i,
  }));

describe('queue store', () => {
  it('keeps per-batch counts that agree with the items through every kind of change', () => {
    const a = store.createBatch('a', {}, items(30));
    const b = store.createBatch('b', {}, items(5));
    expect(kept(a)).toEqual(scanned(a));

    let item = store.beginAttempt(store.nextItem()!.id);
    store.setPixels(item.id, 4242);
    store.finishAttempt(item, 'done');
    item = store.beginAttempt(store.nextItem()!.id);
    store.finishAttempt(item, 'failed', { errorCode: 'internal', error: 'x' });
    item = store.beginAttempt(store.nextItem()!.id);
    store.finishAttempt(item, 'paused');
    store.beginAttempt(store.nextItem()!.id);
    expect(store.recoverRunning()).toHaveLength(1);
    store.cancelQueued(a, store.nextItem()!.id);
    expect(store.requeue(a)).toBe(1);
    expect(kept(a)).toEqual(scanned(a));
    expect(kept(b)).toEqual(scanned(b));

    store.deleteBatch(a);
    expect(db.prepare('SELECT count(*) FROM item_counts WHERE batch_id = ?').pluck().get(a)).toBe(0);
    expect(store.tally(b).counts).toMatchObject({ queued: 4, skipped: 1 });
    expect(store.tally(b).pendingPixels).toBe(100 + 200 + 400);
    expect(store.tally(b).pendingUnknown).toBe(1);
  });

  it('picks the next item from the highest-priority unpaused batch, skipping held items', () => {
    const a = store.createBatch('a', {}, items(3));
    const b = store.createBatch('b', {}, items(3));
    expect(store.nextItem()!.batchId).toBe(a);
    store.setBatchPriority(b, 1);
    const first = store.nextItem()!;
    expect(first.batchId).toBe(b);
    store.setHeld(first.id, true);
    expect(store.nextItem()!.id).not.toBe(first.id);
    store.setPaused(b, true);
    expect(store.nextItem()!.batchId).toBe(a);
    store.cancelQueued(a);
    expect(store.nextItem()).toBeUndefined();
  });
});
