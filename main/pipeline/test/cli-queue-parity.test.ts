import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCorruptImage, writeTestImage } from '../../testing/test-images.js';
import { JobQueue } from '../../queue/job-queue.js';
import { openDatabase } from '../../store/db.js';
import { makeTestModel } from '../../testing/test-models.js';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { listFiles, runCli } from '../../cli/test/run-cli.js';
import { pipelineStages } from '../stages.js';

// An input that cannot be read needs a user the file's permissions apply to: root reads anything,
// so as root both runs are made as "nobody".
const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? { uid: 65534, gid: 65534 } : {};
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const queueScript = path.join(repoRoot, 'main/queue/test/fixtures/run-queue.ts');

/**
 * The first of the files both children load that "nobody" cannot read, if any: a clone under a
 * private folder (/root, a `mktemp -d` folder) is closed to other users. The children load the whole
 * source tree and node_modules, too much to copy for one test, so the test is then skipped.
 */
function closedToOtherUser(): string | undefined {
  const needed = [
    process.execPath,
    path.join(repoRoot, 'package.json'),
    path.join(repoRoot, 'main/cli/enhance.ts'),
    queueScript,
    ...['tsx/dist/loader.mjs', 'sharp/package.json', 'onnxruntime-node/package.json', 'better-sqlite3/package.json'].map((p) => path.join(repoRoot, 'node_modules', p)),
  ];
  const check = 'const fs = require("fs"); for (const p of JSON.parse(process.argv[1])) { try { fs.accessSync(p, fs.constants.R_OK); } catch { console.log(p); break; } }';
  const result = spawnSync(process.execPath, ['-e', check, JSON.stringify(needed)], { ...runAs, encoding: 'utf8' });
  if (result.error || result.status !== 0) return process.execPath;
  return result.stdout.trim() || undefined;
}

let work: string;
let model: LoadedModel;
let input: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-parity-'));
  input = path.join(work, 'in');
  // name order: a, b (unreadable), c (collides), d (corrupt), e: images come after each failure
  await writeTestImage(path.join(input, 'a.png'), { width: 24, height: 16, format: 'png', seed: 1 });
  await writeTestImage(path.join(input, 'b.png'), { width: 24, height: 16, format: 'png', seed: 2 });
  await writeTestImage(path.join(input, 'c.png'), { width: 24, height: 16, format: 'png', seed: 3 });
  await writeCorruptImage(path.join(input, 'd.png'));
  await writeTestImage(path.join(input, 'e.png'), { width: 24, height: 16, format: 'png', seed: 5 });
  fs.chmodSync(path.join(input, 'b.png'), 0o000);
  model = await makeTestModel('ctmsr', { dir: path.join(work, 'model') });
  for (const out of ['cli-out', 'queue-out']) {
    fs.mkdirSync(path.join(work, out));
    fs.writeFileSync(path.join(work, out, 'c_x4.png'), 'a file the user keeps');
  }
  // the other user may read everything and write where outputs and the database go
  for (const dir of [work, input, path.join(work, 'model'), path.join(work, 'cli-out'), path.join(work, 'queue-out')]) fs.chmodSync(dir, 0o777);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The queue's worker in its own process (as the other user), until the database's batches are done. */
function runQueueChild(database: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', queueScript, database, model.onnxPath], { cwd: repoRoot, ...runAs, env: { ...process.env, HOME: work } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`the queue child failed (${code}): ${output.slice(-2000)}`))));
  });
}

/** Per input: its status and reason, with each run's output folder written as <out>. */
type Report = Record<string, { status: string; reason: string }>;

function cliReport(stdout: string, out: string): Report {
  const rows = stdout.split('\n').filter((line) => line.includes(' | ') && !line.startsWith('file |'));
  return Object.fromEntries(
    rows.map((row) => {
      const [file, status, reason] = row.split(' | ');
      return [path.basename(file), { status, reason: reason.replaceAll(out, '<out>') }];
    }),
  );
}

describe('the CLI and the queue drive one runner', () => {
  it('give the same outputs, names and per-image reasons for one folder, and a bad input never stops the batch', async (ctx) => {
    const closed = asRoot ? closedToOtherUser() : undefined;
    if (closed) ctx.skip(`as root, the unreadable input needs the runs made as "nobody", who cannot read ${closed} (the clone lies in a private folder): run it from a clone other users can read, or as another user`);
    const cliOut = path.join(work, 'cli-out');
    const cli = await runCli([input, '--out', cliOut, '--model', model.onnxPath, '--on-conflict', 'fail'], undefined, { timeoutMs: 120_000, runAs, env: { HOME: work } });
    expect(cli.stderr).not.toMatch(/Error:|TypeError/);
    expect(cli.code).toBe(1); // some images failed, and the batch went on past them
    expect(cli.stdout).toMatch(/done\s+2/);
    expect(cli.stdout).toMatch(/failed\s+3/);
    expect(cli.stdout).not.toMatch(/not attempted/);

    const queueOut = path.join(work, 'queue-out');
    const database = path.join(work, 'studio.db');
    const db = openDatabase(database);
    const queue = new JobQueue(db, pipelineStages({ engine: undefined as never, model: async () => model }));
    const batch = await queue.enqueue({ paths: [input], settings: {}, output: { folder: queueOut, collision: 'fail' } });
    db.close();
    fs.chmodSync(database, 0o666);
    await runQueueChild(database);

    const after = openDatabase(database);
    try {
      const rows = after.prepare('SELECT input_path AS input, state, error FROM items WHERE batch_id = ? ORDER BY id').all(batch.id) as { input: string; state: string; error: string | null }[];
      const queueReport: Report = Object.fromEntries(
        rows.filter((r) => r.state !== 'done').map((r) => [path.basename(r.input), { status: r.state, reason: (r.error ?? '').replaceAll(queueOut, '<out>') }]),
      );
      expect(rows.map((r) => r.state)).toEqual(['done', 'failed', 'failed', 'failed', 'done']);
      expect(queueReport).toEqual(cliReport(cli.stdout, cliOut));
      expect(Object.keys(queueReport)).toEqual(['b.png', 'c.png', 'd.png']);
      expect(queueReport['b.png'].reason).toMatch(/Cannot read .*b\.png: permission denied/);
      expect(queueReport['c.png'].reason).toBe('<out>/c_x4.png already exists. Choose the rename or overwrite policy, or another output folder.');
      expect(queueReport['d.png'].reason).toMatch(/d\.png could not be decoded/);
    } finally {
      after.close();
    }
    expect(await listFiles(queueOut)).toEqual(['a_x4.png', 'c_x4.png', 'e_x4.png']);
    expect(await listFiles(cliOut)).toEqual(await listFiles(queueOut));
    for (const name of ['a_x4.png', 'e_x4.png']) expect(fs.readFileSync(path.join(cliOut, name)).equals(fs.readFileSync(path.join(queueOut, name)))).toBe(true);
  }, 240_000);
});
