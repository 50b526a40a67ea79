import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../../shared/api/types.js';
import { writeCorruptImage, writeTestImage } from '../../testing/test-images.js';
import { fullyDecodes, listFiles, observed, queueEnv, sha256, type QueueEnv } from './harness.js';

let env: QueueEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('a batch on the real pipeline', () => {
  it('runs 50 images: one corrupt fails with its reason, one name collision is skipped, 48 are written', async () => {
    env = await queueEnv();
    const { dir, queue, events } = env;
    const input = path.join(dir, 'in');
    const out = path.join(dir, 'out');
    for (let i = 0; i < 50; i++) {
      const sub = i < 25 ? 'a' : 'b/c';
      if (i === 17) writeCorruptImage(path.join(input, sub, `img${i}.jpg`));
      else await writeTestImage(path.join(input, sub, `img${i}.${i % 2 ? 'png' : 'jpg'}`), { width: 24, height: 16, seed: i, format: i % 2 ? 'png' : 'jpeg' });
    }
    // an earlier result sits where img3 would go
    fs.mkdirSync(path.join(out, 'a'), { recursive: true });
    fs.writeFileSync(path.join(out, 'a', 'img3_x4.png'), 'an older file');
    const inputs = listFiles(input).map((f) => path.join(input, f));
    const before = new Map(inputs.map((f) => [f, { hash: sha256(f), mtime: fs.statSync(f).mtimeMs }]));

    const batch = await queue.enqueue({
      paths: [input],
      recursive: true,
      settings: { format: 'same' },
      output: { folder: out, naming: '{name}_x{scale}', collision: 'skip', mirrorTree: true },
    });
    expect(batch).toMatchObject({ total: 50, status: 'queued', counts: { queued: 49, skipped: 1 } });
    queue.start();
    await queue.whenIdle();

    const done = queue.batch(batch.id);
    expect(done.counts).toEqual({ queued: 0, running: 0, done: 48, failed: 1, skipped: 1, cancelled: 0 });
    expect(done.status).toBe('done');
    expect(done.progress).toBe(1);

    const failed = queue.items({ batchId: batch.id, status: 'failed' }).items;
    expect(failed).toHaveLength(1);
    expect(failed[0].input).toBe(path.join(input, 'a', 'img17.jpg'));
    expect(failed[0].error).toContain('img17.jpg');
    expect(failed[0].error).toMatch(/corrupt|truncated|decoded/);
    const skipped = queue.items({ batchId: batch.id, status: 'skipped' }).items;
    expect(skipped.map((i) => i.input)).toEqual([path.join(input, 'a', 'img3.png')]);
    expect(fs.readFileSync(path.join(out, 'a', 'img3_x4.png'), 'utf8')).toBe('an older file');

    // 48 outputs, in the mirrored tree, in the input's format, complete and ×4
    const outputs = listFiles(out).filter((f) => f !== 'a/img3_x4.png');
    expect(outputs).toHaveLength(48);
    expect(outputs.filter((f) => f.startsWith('b/c/'))).toHaveLength(25);
    for (const item of queue.items({ batchId: batch.id, status: 'done' }).items) {
      expect(path.extname(item.output!)).toBe(path.extname(item.input));
      expect(await fullyDecodes(item.output!)).toEqual({ width: 96, height: 64 });
    }
    expect(listFiles(out).some((f) => f.endsWith('.tmp'))).toBe(false);
    // inputs are read, never written
    for (const [file, was] of before) expect({ hash: sha256(file), mtime: fs.statSync(file).mtimeMs }).toEqual(was);

    // subscribers saw item progress, batch progress growing to 1, and an ETA once something was measured
    const batchEvents = events.filter((e) => e.type === 'queue.batch').map((e) => e.payload as BatchSummary);
    expect(batchEvents.some((b) => b.status === 'running' && b.etaSeconds !== null)).toBe(true);
    const progress = batchEvents.map((b) => b.progress);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    expect(events.some((e) => e.type === 'queue.item' && e.payload.status === 'running' && e.payload.progress > 0)).toBe(true);
    // every item's timings were recorded
    const timings = env.db.prepare("SELECT count(*) FROM items WHERE state = 'done' AND decode_ms >= 0 AND enhance_ms > 0 AND write_ms > 0").pluck().get();
    expect(timings).toBe(48);
  });

  it('decodes the next image while the current one is on the engine', async () => {
    const log: string[] = [];
    env = await queueEnv({
      wrap: (p) =>
        observed(p, {
          decodeStart: (f) => log.push(`decode ${path.basename(f)}`),
          enhanceStart: (f) => log.push(`enhance ${path.basename(f)}`),
          enhanceEnd: (f) => log.push(`end ${path.basename(f)}`),
        }),
    });
    const input = path.join(env.dir, 'in');
    for (let i = 0; i < 4; i++) await writeTestImage(path.join(input, `p${i}.png`), { format: 'png', seed: i });
    await env.queue.enqueue({ paths: [input], settings: {}, output: { folder: path.join(env.dir, 'out') } });
    env.queue.start();
    await env.queue.whenIdle();
    // inputs from a folder run in name order; each next decode starts while the current one is on the engine
    expect(log.filter((l) => l.startsWith('enhance'))).toEqual(['enhance p0.png', 'enhance p1.png', 'enhance p2.png', 'enhance p3.png']);
    for (let i = 0; i < 3; i++) {
      const next = log.indexOf(`decode p${i + 1}.png`);
      expect(next).toBeGreaterThan(log.indexOf(`decode p${i}.png`));
      expect(next).toBeLessThan(log.indexOf(`end p${i}.png`));
    }
    expect(log.filter((l) => l.startsWith('decode'))).toHaveLength(4);
  });

  it('treats collisions per policy: rename, overwrite, fail, and never writes over an input', async () => {
    env = await queueEnv();
    const { dir, queue } = env;
    const input = path.join(dir, 'in');
    await writeTestImage(path.join(input, 'a.png'), { format: 'png' });
    await writeTestImage(path.join(input, 'a.jpg'), { seed: 1 });
    await writeTestImage(path.join(input, 'b.png'), { format: 'png', seed: 2 });
    const inputHashes = listFiles(input).map((f) => sha256(path.join(input, f)));

    // into the input folder itself, same names, overwrite: the inputs must survive
    const same = await queue.enqueue({ paths: [input], settings: { format: 'png' }, output: { folder: input, naming: '{name}', collision: 'overwrite' } });
    // a.jpg and a.png both want out/a.png; an existing out/b.png is kept and the new one renamed
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'b.png'), 'old');
    const renamed = await queue.enqueue({ paths: [input], settings: { format: 'png' }, output: { folder: out, naming: '{name}', collision: 'rename' } });
    const failing = await queue.enqueue({ paths: [path.join(input, 'b.png')], settings: { format: 'png' }, output: { folder: out, naming: '{name}', collision: 'fail' } });
    const overwriting = await queue.enqueue({ paths: [path.join(input, 'b.png')], settings: { format: 'png' }, output: { folder: out, naming: '{name}', collision: 'overwrite' } });
    queue.start();
    await queue.whenIdle();

    expect(listFiles(input).filter((f) => !['a.jpg', 'a.png', 'b.png'].includes(f))).toEqual(['a (1).png', 'a (2).png', 'b (1).png']);
    expect(['a.jpg', 'a.png', 'b.png'].map((f) => sha256(path.join(input, f)))).toEqual(inputHashes);
    expect(queue.batch(same.id).counts.done).toBe(3);
    expect(queue.batch(renamed.id).counts.done).toBe(3);
    expect(queue.batch(overwriting.id).counts.done).toBe(1);
    expect(listFiles(out)).toEqual(['a (1).png', 'a.png', 'b (1).png', 'b.png']);
    expect(fs.readFileSync(path.join(out, 'b.png')).subarray(1, 4).toString()).toBe('PNG');
    // the fail policy was decided when the batch was made: b.png existed by then
    const failed = queue.items({ batchId: failing.id }).items[0];
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/b\.png already exists/);
  });

  it('renames an output whose name was taken after the batch was made', async () => {
    env = await queueEnv();
    const { dir, queue } = env;
    await writeTestImage(path.join(dir, 'in', 'x.png'), { format: 'png' });
    const out = path.join(dir, 'out');
    const batch = await queue.enqueue({ paths: [path.join(dir, 'in')], settings: {}, output: { folder: out, naming: '{name}' } });
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'x.png'), 'someone else');
    queue.start();
    await queue.whenIdle();
    expect(queue.items({ batchId: batch.id }).items[0]).toMatchObject({ status: 'done', output: path.join(out, 'x (1).png') });
    expect(fs.readFileSync(path.join(out, 'x.png'), 'utf8')).toBe('someone else');
  });

  it('skips existing outputs when asked, whatever the collision policy', async () => {
    env = await queueEnv();
    const { dir, queue } = env;
    for (let i = 0; i < 3; i++) await writeTestImage(path.join(dir, 'in', `s${i}.png`), { format: 'png', seed: i });
    const out = path.join(dir, 'out');
    const first = await queue.enqueue({ paths: [path.join(dir, 'in')], settings: {}, output: { folder: out, naming: '{name}' } });
    queue.start();
    await queue.whenIdle();
    expect(queue.batch(first.id).counts.done).toBe(3);
    await writeTestImage(path.join(dir, 'in', 's3.png'), { format: 'png', seed: 3 });
    const again = await queue.enqueue({ paths: [path.join(dir, 'in')], settings: {}, output: { folder: out, naming: '{name}', collision: 'overwrite', skipExisting: true } });
    await queue.whenIdle();
    expect(queue.batch(again.id).counts).toMatchObject({ done: 1, skipped: 3 });
  });
});
