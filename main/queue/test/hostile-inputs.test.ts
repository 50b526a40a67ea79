import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../../imaging/file-kind.js';
import { writeTestImage } from '../../library/test/make-images.js';
import { queueEnv, type QueueEnv } from './harness.js';

let env: QueueEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const mkfifo = (p: string) => execFileSync('mkfifo', [p]);

/** Opening a FIFO's write end (and closing it) wakes a reader blocked on it. */
function release(fifo: string): void {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  } catch {
    // no reader left
  }
}

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
});
