import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../../shared/api/types.js';
import { writeTestImage } from '../../testing/test-images.js';
import { canMountTmpfs, fillDisk, mountTmpfs, unmount } from '../../testing/small-disk.js';
import { listFiles, queueEnv, sha256, type QueueEnv } from './harness.js';

const envs: QueueEnv[] = [];
let mounted: string | undefined;
afterEach(async () => {
  for (const env of envs) await env.queue.stop();
  if (mounted) unmount(mounted);
  mounted = undefined;
  for (const env of envs.splice(0)) await env.close();
});

async function photos(dir: string, n: number, size = { width: 48, height: 40 }): Promise<string> {
  const input = path.join(dir, 'in');
  for (let i = 0; i < n; i++) await writeTestImage(path.join(input, `p${i}.png`), { ...size, format: 'png', seed: i });
  return input;
}

/** The most items of a batch ever reported running at once. */
function peakRunning(env: QueueEnv): () => number {
  let peak = 0;
  env.queue.subscribe((e) => {
    if (e.type === 'queue.batch') peak = Math.max(peak, e.payload.counts.running);
  });
  return () => peak;
}

describe('the queue on several CPU workers', () => {
  it('runs as many photos at once as there are workers, and writes what one at a time writes', async () => {
    const one = await queueEnv();
    const two = await queueEnv({ workers: 2 });
    envs.push(one, two);
    const results: string[][] = [];
    const peaks: number[] = [];
    for (const env of [one, two]) {
      const input = await photos(env.dir, 5);
      const out = path.join(env.dir, 'out');
      const peak = peakRunning(env);
      const batch = await env.queue.enqueue({ paths: [input], settings: {}, output: { folder: out } });
      env.queue.start();
      await env.queue.whenIdle();
      expect(env.queue.batch(batch.id)).toMatchObject({ status: 'done', counts: { done: 5 } });
      peaks.push(peak());
      results.push(listFiles(out).map((f) => `${f} ${sha256(path.join(out, f))}`));
      // sizes read from the headers at the start, for the ETA and for how many fit at once
      const pixels = env.db.prepare('SELECT pixels FROM items WHERE batch_id = ?').pluck().all(batch.id);
      expect(pixels).toEqual([48 * 40, 48 * 40, 48 * 40, 48 * 40, 48 * 40]);
    }
    expect(peaks).toEqual([1, 2]);
    expect(results[1]).toEqual(results[0]);
  });

  it('pauses every photo at work in the batch, and cancels one of them alone', async () => {
    const env = await queueEnv({ workers: 2, memoryBudgetMB: 64 });
    envs.push(env);
    const { queue, dir } = env;
    // several tiles each, so a pause or cancel lands while both are at work
    const input = await photos(dir, 6, { width: 96, height: 96 });
    const out = path.join(dir, 'out');
    const batch = await queue.enqueue({ paths: [input], settings: { tileSize: 32 }, output: { folder: out, naming: '{name}' } });
    let paused: BatchSummary | undefined;
    queue.subscribe((e) => {
      if (!paused && e.type === 'queue.batch' && e.payload.counts.running === 2) {
        queue.pause({ batchId: batch.id });
        paused = e.payload;
      }
    });
    queue.start();
    await queue.whenIdle();
    expect(paused).toBeDefined();
    // both went back to the queue: nothing was lost, nothing half-written
    expect(queue.batch(batch.id)).toMatchObject({ status: 'paused', counts: { running: 0 } });
    expect(queue.batch(batch.id).counts.queued).toBeGreaterThanOrEqual(2);
    expect(listFiles(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    let cancelled: number | undefined;
    queue.subscribe((e) => {
      if (cancelled === undefined && e.type === 'queue.item' && e.payload.status === 'running' && queue.batch(batch.id).counts.running === 2) {
        cancelled = e.payload.id;
        queue.cancel({ batchId: batch.id, itemId: cancelled });
      }
    });
    queue.resume({ batchId: batch.id });
    await queue.whenIdle();
    expect(cancelled).toBeDefined();
    const items = queue.items({ batchId: batch.id }).items;
    expect(items.filter((i) => i.status === 'cancelled').map((i) => i.id)).toEqual([cancelled]);
    expect(items.filter((i) => i.status === 'done')).toHaveLength(5);
    expect(listFiles(out)).toHaveLength(5);
    expect(fs.existsSync(items.find((i) => i.id === cancelled)!.output!)).toBe(false);
  });

  it.skipIf(!canMountTmpfs())('on a full disk, the photo in flight beside the failed one goes back to the queue and runs on resume', async () => {
    const env = await queueEnv({ workers: 2 });
    envs.push(env);
    const { queue, dir } = env;
    const input = await photos(dir, 4, { width: 32, height: 32 });
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    mountTmpfs(out, '512k');
    mounted = out;
    const batch = await queue.enqueue({ paths: [input], settings: {}, output: { folder: out, naming: '{name}' } });
    const filler = fillDisk(out);
    const peak = peakRunning(env);
    queue.start();
    await queue.whenIdle();
    expect(peak()).toBe(2);
    // one failed on the full disk; the other at work was not written and is queued again, not skipped
    expect(queue.batch(batch.id)).toMatchObject({ status: 'paused', counts: { failed: 1, skipped: 0, queued: 3, done: 0 } });

    fs.rmSync(filler);
    queue.resume({ batchId: batch.id });
    await queue.whenIdle();
    expect(queue.batch(batch.id)).toMatchObject({ status: 'done', counts: { done: 4 } });
    expect(listFiles(out)).toEqual(['p0.png', 'p1.png', 'p2.png', 'p3.png']);
  });
});
