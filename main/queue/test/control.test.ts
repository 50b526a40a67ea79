import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchItem, BatchSummary } from '../../../shared/api/types.js';
import { writeCorruptImage, writeTestImage } from '../../testing/test-images.js';
import { JobQueue } from '../job-queue.js';
import { pipelineStages, type ImageStages } from '../../pipeline/stages.js';
import { fullyDecodes, listFiles, observed, queueEnv, type QueueEnv } from './harness.js';

let env: QueueEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** Tiles the engine finished per input, counted at the processor boundary. */
function tileCounter() {
  const tiles = new Map<string, number>();
  return {
    tiles,
    wrap: (p: Parameters<typeof observed>[0]) => observed(p, { tile: (input) => tiles.set(input, (tiles.get(input) ?? 0) + 1) }),
  };
}

/** One tile per engine call (small memory budget, 32 px tiles): progress is per tile. */
const tiled = { tileSize: 32 };

async function makeInputs(dir: string, n: number, size = 96): Promise<string> {
  const input = path.join(dir, 'in');
  for (let i = 0; i < n; i++) await writeTestImage(path.join(input, `t${i}.png`), { width: size, height: size, format: 'png', seed: i });
  return input;
}

/** Calls `act` on the first tile progress of the item whose input ends with `name`, from inside the event. */
function onFirstTile(queue: JobQueue, name: string, act: (item: BatchItem) => void): void {
  let fired = false;
  queue.subscribe((e) => {
    if (fired || e.type !== 'queue.item' || e.payload.status !== 'running' || e.payload.progress === 0) return;
    if (!e.payload.input.endsWith(name)) return;
    fired = true;
    act(e.payload);
  });
}

describe('pause, resume and cancel', () => {
  it('pausing a batch stops the running image before its next tile; resuming finishes the batch', async () => {
    const counter = tileCounter();
    env = await queueEnv({ memoryBudgetMB: 64, wrap: counter.wrap });
    const { queue, dir } = env;
    const input = await makeInputs(dir, 3);
    const out = path.join(dir, 'out');
    const batch = await queue.enqueue({ paths: [input], settings: tiled, output: { folder: out, naming: '{name}' } });
    let tilesAtPause = -1;
    onFirstTile(queue, 't1.png', (item) => {
      queue.pause({ batchId: item.batchId });
      tilesAtPause = counter.tiles.get(item.input)!;
    });
    queue.start();
    await queue.whenIdle();

    const t1 = path.join(input, 't1.png');
    expect(tilesAtPause).toBe(1);
    expect(counter.tiles.get(t1)).toBe(1); // not one tile more
    const paused = queue.batch(batch.id);
    expect(paused).toMatchObject({ status: 'paused', counts: { done: 1, queued: 2, running: 0 } });
    const item = queue.items({ batchId: batch.id }).items[1];
    expect(item).toMatchObject({ status: 'queued', attempts: 1 });
    expect(queue.attempts(item.id)).toMatchObject([{ outcome: 'paused' }]);
    expect(listFiles(out)).toEqual(['t0.png']);

    queue.resume({ batchId: batch.id });
    await queue.whenIdle();
    expect(queue.batch(batch.id)).toMatchObject({ status: 'done', counts: { done: 3 } });
    expect(listFiles(out)).toEqual(['t0.png', 't1.png', 't2.png']);
    for (const f of listFiles(out)) expect(await fullyDecodes(path.join(out, f))).toEqual({ width: 384, height: 384 });
  });

  it('pausing after the current image lets it finish, so none of its work is lost', async () => {
    const counter = tileCounter();
    env = await queueEnv({ memoryBudgetMB: 64, wrap: counter.wrap });
    const { queue, dir } = env;
    const input = await makeInputs(dir, 3);
    const out = path.join(dir, 'out');
    const batch = await queue.enqueue({ paths: [input], settings: tiled, output: { folder: out, naming: '{name}' } });
    let whilePausing: BatchSummary | undefined;
    onFirstTile(queue, 't1.png', (item) => {
      queue.pause({ batchId: item.batchId }, { afterCurrent: true });
      whilePausing = queue.batch(batch.id);
    });
    queue.start();
    await queue.whenIdle();
    expect(whilePausing).toMatchObject({ status: 'running', stopping: 'pause-after-image' });
    // every tile of it ran, as many as for the image before it
    expect(counter.tiles.get(path.join(input, 't1.png'))).toBe(counter.tiles.get(path.join(input, 't0.png')));
    expect(counter.tiles.has(path.join(input, 't2.png'))).toBe(false);
    expect(queue.batch(batch.id)).toMatchObject({ status: 'paused', counts: { done: 2, queued: 1 } });
    expect(queue.batch(batch.id).progress).toBeCloseTo(2 / 3);
    expect(listFiles(out)).toEqual(['t0.png', 't1.png']);
    queue.resume({ batchId: batch.id });
    await queue.whenIdle();
    expect(queue.batch(batch.id)).toMatchObject({ status: 'done', counts: { done: 3 } });
  });

  it('a pause that arrives while a tile runs takes effect after that tile', async () => {
    const counter = tileCounter();
    env = await queueEnv({ memoryBudgetMB: 64, wrap: counter.wrap });
    const { queue, dir } = env;
    const input = await makeInputs(dir, 1, 128);
    const batch = await queue.enqueue({ paths: [input], settings: tiled, output: { folder: path.join(dir, 'out') } });
    let tilesAtPause = -1;
    let whilePausing: BatchSummary | undefined;
    // from outside the engine's callback: the request lands while the next tile is computing
    onFirstTile(queue, 't0.png', (item) =>
      setImmediate(() => {
        tilesAtPause = counter.tiles.get(item.input)!;
        queue.pause({ batchId: batch.id });
        whilePausing = queue.batch(batch.id);
      }),
    );
    queue.start();
    await queue.whenIdle();
    const tiles = counter.tiles.get(path.join(input, 't0.png'))!;
    expect(tilesAtPause).toBeGreaterThanOrEqual(1);
    expect(tiles - tilesAtPause).toBeLessThanOrEqual(1);
    // until the tile ends the batch says it is pausing, so the user knows the click took
    expect(whilePausing).toMatchObject({ status: 'running', stopping: 'pause' });
    expect(queue.batch(batch.id).status).toBe('paused');
    expect(queue.batch(batch.id).stopping).toBeUndefined();
  });

  it('cancelling the running image stops it before its next tile and the batch goes on', async () => {
    const counter = tileCounter();
    env = await queueEnv({ memoryBudgetMB: 64, wrap: counter.wrap });
    const { queue, dir } = env;
    const input = await makeInputs(dir, 3);
    const out = path.join(dir, 'out');
    const batch = await queue.enqueue({ paths: [input], settings: tiled, output: { folder: out, naming: '{name}' } });
    onFirstTile(queue, 't1.png', (item) => queue.cancel({ batchId: item.batchId, itemId: item.id }));
    queue.start();
    await queue.whenIdle();
    expect(counter.tiles.get(path.join(input, 't1.png'))).toBe(1);
    expect(queue.batch(batch.id)).toMatchObject({ status: 'cancelled', counts: { done: 2, cancelled: 1 } });
    // a cancelled image is not progress: two of three were made
    expect(queue.batch(batch.id).progress).toBeCloseTo(2 / 3);
    expect(listFiles(out)).toEqual(['t0.png', 't2.png']);
  });

  it('cancelling a batch cancels its queued images and stops the running one', async () => {
    const counter = tileCounter();
    env = await queueEnv({ memoryBudgetMB: 64, wrap: counter.wrap });
    const { queue, dir } = env;
    const input = await makeInputs(dir, 4);
    const batch = await queue.enqueue({ paths: [input], settings: tiled, output: { folder: path.join(dir, 'out') } });
    onFirstTile(queue, 't0.png', (item) => queue.cancel({ batchId: item.batchId }));
    queue.start();
    await queue.whenIdle();
    expect(counter.tiles.get(path.join(input, 't0.png'))).toBe(1);
    expect([...counter.tiles.keys()]).toEqual([path.join(input, 't0.png')]);
    expect(queue.batch(batch.id)).toMatchObject({ status: 'cancelled', counts: { cancelled: 4 }, progress: 0 });
    expect(listFiles(path.join(dir, 'out'))).toEqual([]);
  });

  it('holds one image while the rest run, and runs it when resumed', async () => {
    env = await queueEnv();
    const { queue, dir } = env;
    const input = await makeInputs(dir, 3, 24);
    const batch = await queue.enqueue({ paths: [input], settings: {}, output: { folder: path.join(dir, 'out'), naming: '{name}' } });
    const held = queue.items({ batchId: batch.id }).items[0];
    queue.pause({ batchId: batch.id, itemId: held.id });
    queue.start();
    await queue.whenIdle();
    expect(queue.item(held.id)).toMatchObject({ status: 'queued', held: true, attempts: 0 });
    expect(queue.batch(batch.id)).toMatchObject({ status: 'paused', counts: { done: 2, queued: 1 } });
    queue.resume({ batchId: batch.id, itemId: held.id });
    await queue.whenIdle();
    expect(queue.batch(batch.id)).toMatchObject({ status: 'done', counts: { done: 3 } });
  });
});

describe('retry, order and priority', () => {
  it('retries a failed image; each attempt keeps its own outcome and error', async () => {
    env = await queueEnv();
    const { queue, dir } = env;
    const bad = path.join(dir, 'in', 'bad.jpg');
    writeCorruptImage(bad);
    const batch = await queue.enqueue({ paths: [bad], settings: {}, output: { folder: path.join(dir, 'out') } });
    queue.start();
    await queue.whenIdle();
    const item = queue.items({ batchId: batch.id }).items[0];
    expect(item.status).toBe('failed');
    expect(queue.batch(batch.id).status).toBe('failed');
    // stored with the English reason: its key and values, for the UI's language
    expect(item.errorSaid).toMatchObject({ key: 'files.undecodable', params: { file: bad } });
    expect(item.error).toContain(`${bad} could not be decoded (${item.errorSaid!.params.detail})`);

    await writeTestImage(bad, { width: 20, height: 20 });
    queue.retry({ batchId: batch.id });
    await queue.whenIdle();
    expect(queue.item(item.id)).toMatchObject({ status: 'done', attempts: 2, error: null });
    expect(queue.item(item.id).errorSaid).toBeUndefined();
    const attempts = queue.attempts(item.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'done']);
    expect(attempts[0].error).toContain('bad.jpg');
  });

  it('retries all of a cancelled batch at once', async () => {
    env = await queueEnv();
    const { queue, dir } = env;
    for (const name of ['a', 'b', 'c']) await writeTestImage(path.join(dir, 'in', `${name}.png`), { format: 'png', width: 16, height: 16 });
    const batch = await queue.enqueue({ paths: [path.join(dir, 'in')], settings: {}, output: { folder: path.join(dir, 'out') } });
    queue.cancel({ batchId: batch.id });
    expect(queue.batch(batch.id)).toMatchObject({ status: 'cancelled', counts: { cancelled: 3 } });
    queue.retry({ batchId: batch.id });
    expect(queue.batch(batch.id).counts.cancelled).toBe(3);
    queue.retry({ batchId: batch.id, cancelled: true });
    queue.start();
    await queue.whenIdle();
    expect(queue.batch(batch.id)).toMatchObject({ status: 'done', counts: { done: 3, cancelled: 0 } });
  });

  it('runs batches by priority and items in their batch order', async () => {
    const order: string[] = [];
    env = await queueEnv({ wrap: (p) => observed(p, { enhanceStart: (f) => order.push(path.basename(f)) }) });
    const { queue, dir } = env;
    for (const name of ['a1', 'a2', 'b1', 'b2', 'b3']) await writeTestImage(path.join(dir, name[0], `${name}.png`), { format: 'png', width: 16, height: 16 });
    const a = await queue.enqueue({ paths: [path.join(dir, 'a')], settings: {}, output: { folder: path.join(dir, 'out') } });
    const b = await queue.enqueue({ paths: [path.join(dir, 'b')], settings: {}, output: { folder: path.join(dir, 'out') } });
    queue.setBatchPriority(b.id, 5);
    const [b1, , b3] = queue.items({ batchId: b.id }).items;
    queue.moveItem(b3.id, b1.id);
    const [a1] = queue.items({ batchId: a.id }).items;
    queue.moveItem(a1.id);
    expect(queue.batches().map((x) => x.id)).toEqual([b.id, a.id]);
    queue.start();
    await queue.whenIdle();
    expect(order).toEqual(['b3.png', 'b1.png', 'b2.png', 'a2.png', 'a1.png']);
  });
});

describe('stop and remove', () => {
  it('stopping the worker interrupts the running image; a new worker on the same database finishes the batch', async () => {
    const counter = tileCounter();
    env = await queueEnv({ memoryBudgetMB: 64, wrap: counter.wrap });
    const { queue, dir, db } = env;
    const input = await makeInputs(dir, 2);
    const batch = await queue.enqueue({ paths: [input], settings: tiled, output: { folder: path.join(dir, 'out'), naming: '{name}' } });
    let stopped!: Promise<void>;
    const stopping = new Promise<void>((resolve) => onFirstTile(queue, 't0.png', () => resolve((stopped = queue.stop()))));
    queue.start();
    await stopping;
    await stopped;
    const [first] = queue.items({ batchId: batch.id }).items;
    expect(first).toMatchObject({ status: 'queued', attempts: 1 });
    expect(queue.attempts(first.id).map((a) => a.outcome)).toEqual(['interrupted']);

    const again = new JobQueue(db, counter.wrap(pipelineStages({ engine: env.engine, model: async () => env!.model }) as ImageStages));
    again.start();
    await again.whenIdle();
    await again.stop();
    expect(again.batch(batch.id).counts.done).toBe(2);
  });

  it('removing a batch stops its running image, forgets it and leaves finished outputs on disk', async () => {
    const counter = tileCounter();
    env = await queueEnv({ memoryBudgetMB: 64, wrap: counter.wrap });
    const { queue, dir, events } = env;
    const input = await makeInputs(dir, 3);
    const out = path.join(dir, 'out');
    const batch = await queue.enqueue({ paths: [input], settings: tiled, output: { folder: out, naming: '{name}' } });
    let removed!: Promise<void>;
    const removing = new Promise<void>((resolve) => onFirstTile(queue, 't1.png', () => resolve((removed = queue.remove({ batchId: batch.id })))));
    queue.start();
    await removing;
    await removed;
    await queue.whenIdle();
    expect(counter.tiles.get(path.join(input, 't1.png'))).toBe(1);
    expect(queue.batches()).toEqual([]);
    expect(() => queue.batch(batch.id)).toThrow(/does not exist/);
    expect(env.db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(0);
    expect(listFiles(out)).toEqual(['t0.png']);
    expect(events.at(-1)).toEqual({ type: 'queue.removed', payload: { batchId: batch.id } });
  });
});

describe('crash recovery in process', () => {
  it('returns an item left running to the queue, drops its temporary file and replaces its own output', async () => {
    env = await queueEnv();
    const { queue, dir, db } = env;
    const input = await makeInputs(dir, 2, 24);
    const out = path.join(dir, 'out');
    const batch = await queue.enqueue({ paths: [input], settings: {}, output: { folder: out, naming: '{name}', collision: 'rename' } });
    const [first] = queue.items({ batchId: batch.id }).items;
    // what a crash after the rename but before "done" leaves: state running, the output written, a stray .tmp
    db.prepare("UPDATE items SET state = 'running', attempts = 1, output_claimed = 1 WHERE id = ?").run(first.id);
    db.prepare('INSERT INTO item_attempts (item_id, attempt, started_at) VALUES (?, 1, 0)').run(first.id);
    fs.mkdirSync(out);
    fs.writeFileSync(first.output!, 'written before the crash');
    fs.writeFileSync(`${first.output}.tmp`, 'half');
    queue.start();
    await queue.whenIdle();
    expect(queue.batch(batch.id).counts.done).toBe(2);
    expect(listFiles(out)).toEqual(['t0.png', 't1.png']);
    expect(await fullyDecodes(first.output!)).toEqual({ width: 96, height: 96 });
    expect(queue.attempts(first.id).map((a) => a.outcome)).toEqual(['interrupted', 'done']);
  });
});
