import fs from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePhoto } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';
import { startServe, type ServeProcess } from './serve-process.js';

let work: string;
let server: ServeProcess;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ctmsr-serve-paths-'));
  const model = await makeTestModel('ctmsr', { dir: path.join(work, 'models') });
  server = await startServe(['--data-dir', path.join(work, 'data'), '--models-dir', path.dirname(model.onnxPath), '--renderer-dir', path.join(work, 'no-ui')]);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

async function call(method: string, payload: unknown): Promise<{ ok: boolean; result?: any; error?: { code: string; message: string } }> {
  const res = await fetch(`${server.base}api/${method}`, { method: 'POST', headers: { 'x-studio-token': server.token, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return (await res.json()) as { ok: boolean; result?: any; error?: { code: string; message: string } };
}

async function waitForBatch(batchId: number): Promise<any> {
  for (;;) {
    const batch = (await call('queue.batches', {})).result.find((b: { id: number }) => b.id === batchId);
    if (batch.status !== 'queued' && batch.status !== 'running') return batch;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm run serve and the paths a request names', () => {
  it('never takes a system folder as a library folder, an input or an output folder', async () => {
    for (const folder of ['/', '/proc', '/etc']) {
      const reply = await call('library.addFolder', { path: folder });
      expect(reply.ok, folder).toBe(false);
      expect(reply.error?.message).toMatch(/CTMSR Studio never reads photos from system folders or writes into them/);
    }
    const photos = path.join(work, 'photos');
    fs.mkdirSync(photos, { recursive: true });
    await writePhoto(path.join(photos, 'a.png'), 24, 16, 'png', 1);
    const shadow = await call('queue.enqueue', { paths: ['/etc/shadow'], settings: {}, output: { folder: path.join(work, 'out') } });
    expect(shadow.error?.message).toContain('/etc/shadow is inside the system folder /etc');
    const intoEtc = await call('queue.enqueue', { paths: [photos], settings: {}, output: { folder: '/etc' } });
    expect(intoEtc.error?.message).toContain('/etc is a system folder');
    expect(fs.readdirSync('/etc').some((f) => f.startsWith('a_x4'))).toBe(false);
  });

  it('takes inputs only from folders chosen in this session or before', async () => {
    const photos = path.join(work, 'chosen');
    fs.mkdirSync(photos, { recursive: true });
    await writePhoto(path.join(photos, 'b.png'), 24, 16, 'png', 2);
    const out = path.join(photos, 'enhanced'); // inside the input folder
    const before = await call('queue.enqueue', { paths: [photos], recursive: true, settings: {}, output: { folder: out } });
    expect(before.error?.message).toContain(`${photos} was not one of them`);

    expect((await call('library.addFolder', { path: photos })).ok).toBe(true);
    const first = await call('queue.enqueue', { paths: [photos], recursive: true, settings: {}, output: { folder: out } });
    expect(first.ok).toBe(true);
    expect((await waitForBatch(first.result.id)).counts.done).toBe(1);
    // run again: its own output, inside the input tree, is not an input
    const second = await call('queue.enqueue', { paths: [photos], recursive: true, settings: {}, output: { folder: out, skipExisting: true } });
    expect(second.result).toMatchObject({ total: 1, counts: { skipped: 1 } });
    expect((await readdir(out)).filter((f) => f.endsWith('.png'))).toEqual(['b_x4.png']);
  }, 120_000);

  it('ends an output folder that cannot be made (under /proc) with a clear error, promptly', async () => {
    // a folder under /proc is refused up front; the pipeline's own check is in the queue tests
    const reply = await call('queue.enqueue', { paths: [path.join(work, 'chosen')], settings: {}, output: { folder: '/proc/ctmsr/out' } });
    expect(reply.error?.message).toContain('/proc/ctmsr/out is inside the system folder /proc');
  });
});
