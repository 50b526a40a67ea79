import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTestImage } from '../../testing/test-images.js';
import { listFiles, queueEnv, type QueueEnv } from './harness.js';
import { canMountTmpfs, fillDisk, mountTmpfs, unmount } from '../../testing/small-disk.js';

const mountable = canMountTmpfs();

let env: QueueEnv | undefined;
let mounted: string | undefined;
afterEach(async () => {
  await env?.queue.stop();
  if (mounted) unmount(mounted);
  mounted = undefined;
  await env?.close();
  env = undefined;
});

async function setup(): Promise<{ input: string; out: string }> {
  env = await queueEnv();
  const input = path.join(env.dir, 'in');
  for (let i = 0; i < 4; i++) await writeTestImage(path.join(input, `d${i}.png`), { width: 32, height: 32, format: 'png', seed: i });
  const out = path.join(env.dir, 'out');
  fs.mkdirSync(out);
  mountTmpfs(out, '512k');
  mounted = out;
  return { input, out };
}


describe.skipIf(!mountable)('output disk trouble', () => {
  it('a full disk fails the image with a clear message and pauses the batch; resume after freeing space finishes it', async () => {
    const { input, out } = await setup();
    const { queue } = env!;
    const batch = await queue.enqueue({ paths: [input], settings: {}, output: { folder: out, naming: '{name}' } });
    const filler = fillDisk(out);
    queue.start();
    await queue.whenIdle();

    const stopped = queue.batch(batch.id);
    expect(stopped).toMatchObject({ status: 'paused', counts: { failed: 1, queued: 3, done: 0 } });
    const [failed] = queue.items({ batchId: batch.id, status: 'failed' }).items;
    expect(failed.error).toMatch(/full/);
    expect(failed.error).toContain(failed.output!);
    expect(stopped.pausedReason).toBe(failed.error);
    expect(failed.errorSaid).toEqual({ key: 'files.diskFull', params: { doing: 'output', file: failed.output } });
    expect(stopped.pausedSaid).toEqual(failed.errorSaid);
    expect(listFiles(out)).toEqual(['filler.bin']); // no partial output, no temporary file

    fs.rmSync(filler);
    queue.resume({ batchId: batch.id });
    await queue.whenIdle();
    expect(queue.batch(batch.id)).toMatchObject({ status: 'done', counts: { done: 4 } });
    expect(queue.batch(batch.id).pausedReason).toBeUndefined();
    expect(queue.batch(batch.id).pausedSaid).toBeUndefined();
    expect(listFiles(out)).toEqual(['d0.png', 'd1.png', 'd2.png', 'd3.png']);
  });

  it('a read-only output disk fails the image and pauses the batch instead of failing every image', async () => {
    const { input, out } = await setup();
    const { queue } = env!;
    const batch = await queue.enqueue({ paths: [input], settings: {}, output: { folder: out, naming: '{name}' } });
    execFileSync('mount', ['-o', 'remount,ro', out]);
    queue.start();
    await queue.whenIdle();
    expect(queue.batch(batch.id)).toMatchObject({ status: 'paused', counts: { failed: 1, queued: 3 } });
    const [failed] = queue.items({ batchId: batch.id, status: 'failed' }).items;
    expect(failed.error).toMatch(/read-only|not writable/);

    execFileSync('mount', ['-o', 'remount,rw', out]);
    queue.resume({ batchId: batch.id });
    await queue.whenIdle();
    expect(queue.batch(batch.id).counts.done).toBe(4);
  });
});
