import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../../imaging/deadline.js';
import { mkfifo, release } from '../../testing/fifo.js';
import { writeTestImage } from '../../testing/test-images.js';
import { queueEnv, type QueueEnv } from './harness.js';

let env: QueueEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});


describe('the queue and inputs that are not image files', () => {
  it('refuses a named pipe at enqueue, naming it', async () => {
    env = await queueEnv();
    const fifo = path.join(env.dir, 'photo.jpg');
    mkfifo(fifo);
    await expect(env.queue.enqueue({ paths: [fifo], settings: {}, output: { folder: path.join(env.dir, 'out') } })).rejects.toThrow(
      `${fifo} is a named pipe (FIFO), not an image file`,
    );
  });

  it('fails an item whose file became a named pipe, and the queue goes on to the next batch', async () => {
    env = await queueEnv();
    const { dir, queue } = env;
    const first = path.join(dir, 'in', 'a.png');
    await writeTestImage(first, { width: 24, height: 16, seed: 1, format: 'png' });
    const later = path.join(dir, 'in2', 'b.png');
    await writeTestImage(later, { width: 24, height: 16, seed: 2, format: 'png' });
    const one = await queue.enqueue({ paths: [first], settings: {}, output: { folder: path.join(dir, 'out') } });
    const two = await queue.enqueue({ paths: [later], settings: {}, output: { folder: path.join(dir, 'out2') } });
    // the photo is swapped for a pipe after it was queued
    fs.rmSync(first);
    mkfifo(first);
    try {
      queue.start();
      await queue.whenIdle();
      const [item] = queue.items({ batchId: one.id }).items;
      expect(item.status).toBe('failed');
      expect(item.error).toContain(`${first} is a named pipe (FIFO), not an image file`);
      expect(queue.batch(two.id).counts.done).toBe(1);
    } finally {
      release(first);
    }
  }, 60_000);

  it('an output folder that cannot be made (under /proc) fails the item at once, saying why', async () => {
    env = await queueEnv();
    const { dir, queue } = env;
    const input = path.join(dir, 'in', 'a.png');
    await writeTestImage(input, { width: 24, height: 16, seed: 1, format: 'png' });
    const batch = await queue.enqueue({ paths: [input], settings: {}, output: { folder: '/proc/ctmsr-queue/out' } });
    queue.start();
    await queue.whenIdle();
    const [item] = queue.items({ batchId: batch.id }).items;
    expect(item.status).toBe('failed');
    expect(item.error).toMatch(/Cannot create the output folder \/proc\/ctmsr-queue\/out: \/proc does not accept new folders/);
    expect(queue.batch(batch.id).status).toBe('failed');
  }, 60_000);

  it('never takes its own outputs as inputs: an output folder inside the input tree, or the input folder itself', async () => {
    env = await queueEnv();
    const { dir, queue } = env;
    const photos = path.join(dir, 'photos');
    for (let i = 0; i < 2; i++) await writeTestImage(path.join(photos, `p${i}.png`), { width: 24, height: 16, seed: i, format: 'png' });
    queue.start();
    for (const folder of [path.join(photos, 'out'), photos]) {
      const run = (skipExisting: boolean) =>
        queue.enqueue({ paths: [photos], recursive: true, settings: {}, output: { folder, naming: '{name}', collision: 'rename', skipExisting } });
      const first = await run(false);
      await queue.whenIdle();
      expect(queue.batch(first.id).counts.done).toBe(2);
      // skip existing: both are done, even where the output had to take another name (input = output)
      const skipping = await run(true);
      expect(skipping).toMatchObject({ total: 2, counts: { skipped: 2 } });
      const again = await run(false);
      await queue.whenIdle();
      expect(again.total).toBe(2); // the originals only, never the outputs
      expect(queue.items({ batchId: again.id }).items.map((i) => path.basename(i.input)).sort()).toEqual(['p0.png', 'p1.png']);
    }
  }, 120_000);

  it('cancel, remove and stop answer while an image is stuck being read', async () => {
    const fifo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-stuck-')), 'stuck.png');
    mkfifo(fifo);
    let reading!: () => void;
    const started = new Promise<void>((resolve) => (reading = resolve));
    // the file check passed, then the read blocks: as a network drive that stops answering would
    env = await queueEnv({
      wrap: (real) => ({
        ...real,
        decode: (input, target) => (input.endsWith('a.png') ? (reading(), sharp(fifo).metadata()) as never : real.decode(input, target)),
      }),
    });
    const { dir, queue } = env;
    const input = path.join(dir, 'in', 'a.png');
    await writeTestImage(input, { width: 24, height: 16, seed: 1, format: 'png' });
    try {
      const stuck = await queue.enqueue({ paths: [input], settings: {}, output: { folder: path.join(dir, 'out') } });
      queue.start();
      await started;
      queue.cancel({ batchId: stuck.id });
      await queue.whenIdle();
      expect(queue.items({ batchId: stuck.id }).items[0].status).toBe('cancelled');
      await queue.remove({ batchId: stuck.id });
      expect(queue.batches()).toHaveLength(0);
    } finally {
      release(fifo);
    }
  }, 60_000);

  it('a decode that never finishes is given up at its deadline', async () => {
    env = await queueEnv();
    const fifo = path.join(env.dir, 'stuck.png');
    mkfifo(fifo);
    try {
      // libvips blocks on the pipe as it would on a stalled network drive
      const stuck = sharp(fifo).metadata();
      await expect(withDeadline(stuck, 300, () => new Error('given up'))).rejects.toThrow('given up');
    } finally {
      release(fifo);
    }
  });

  it('says of an animated input that only its first frame was enhanced', async () => {
    env = await queueEnv();
    const { dir, queue } = env;
    const frames = await Promise.all(
      [0, 1, 2].map((i) => sharp({ create: { width: 16, height: 12, channels: 4, background: { r: 40 + 80 * i, g: 40, b: 40, alpha: 1 } } }).png().toBuffer()),
    );
    const gif = path.join(dir, 'in', 'spin.gif');
    fs.mkdirSync(path.dirname(gif), { recursive: true });
    await sharp(frames, { join: { animated: true } }).gif().toFile(gif);
    const still = path.join(dir, 'in', 'still.png');
    await writeTestImage(still, { width: 16, height: 12, seed: 3, format: 'png' });
    const batch = await queue.enqueue({ paths: [gif, still], settings: {}, output: { folder: path.join(dir, 'out') } });
    queue.start();
    await queue.whenIdle();
    const [spin, plain] = queue.items({ batchId: batch.id }).items;
    expect(spin.status).toBe('done');
    expect(spin.note).toBe('animated: only the first of its 3 frames was enhanced');
    expect(plain.status).toBe('done');
    expect(plain.note).toBeUndefined();
  }, 60_000);
});
