import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTestImage } from '../../testing/test-images.js';
import { openDatabase } from '../../store/db.js';
import { JobQueue } from '../job-queue.js';
import { fullyDecodes, listFiles, queueEnv, sha256, type QueueEnv } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const script = path.join(here, 'fixtures', 'run-queue.ts');

interface Line {
  event: 'enhance' | 'tile' | 'write' | 'done' | 'idle' | 'error';
  input?: string;
  output?: string;
  message?: string;
}

/**
 * Runs the queue in a child process. `killWhen` sees every line; when it returns true the child
 * gets SIGKILL at once. Resolves with the lines and how the child ended.
 */
function runChild(database: string, model: string, killWhen: (line: Line, seen: Line[]) => boolean = () => false) {
  return new Promise<{ lines: Line[]; signal: NodeJS.Signals | null; code: number | null }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, database, model], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    readline.createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      lines.push(line);
      if (child.exitCode === null && killWhen(line, lines)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`the queue child failed (${code}): ${stderr.slice(-2000)}`));
      else resolve({ lines, signal, code });
    });
  });
}

let env: QueueEnv | undefined;
afterAll(async () => env?.close());

describe('kill -9 in the middle of a batch', () => {
  it('a restart completes the batch: no partial, corrupt or duplicate outputs, and only in-flight images run twice', async () => {
    env = await queueEnv();
    const { dir, model } = env;
    const input = path.join(dir, 'in');
    const out = path.join(dir, 'out');
    for (let i = 0; i < 16; i++) await writeTestImage(path.join(input, `k${String(i).padStart(2, '0')}.png`), { width: 64, height: 64, format: 'png', seed: i });
    const hashes = new Map(listFiles(input).map((f) => [f, sha256(path.join(input, f))]));
    const database = path.join(dir, 'studio.db');
    const batch = await env.queue.enqueue({ paths: [input], settings: { tileSize: 32 }, output: { folder: out, naming: '{name}_x{scale}', collision: 'rename' } });
    env.db.close();

    // 1: killed in the middle of the engine work of the 4th image
    const enhanced = (seen: Line[]) => new Set(seen.filter((l) => l.event === 'enhance').map((l) => l.input));
    const first = await runChild(database, model.onnxPath, (line, seen) => line.event === 'tile' && enhanced(seen).size === 4 && (line as { fraction?: number }).fraction! > 0.3);
    expect(first.signal).toBe('SIGKILL');
    // 2: killed as soon as it starts writing its 3rd output (during the write, or just after)
    const second = await runChild(database, model.onnxPath, (line, seen) => line.event === 'write' && seen.filter((l) => l.event === 'write').length === 3);
    expect(second.signal).toBe('SIGKILL');
    // 3: runs to the end
    const third = await runChild(database, model.onnxPath);
    expect(third.lines.at(-1)?.event).toBe('idle');

    const db = openDatabase(database);
    const queue = new JobQueue(db, {} as never);
    try {
      expect(queue.batch(batch.id).counts).toMatchObject({ done: 16, queued: 0, running: 0, failed: 0 });
      const items = queue.items({ batchId: batch.id }).items;

      // exactly one complete output per image, at the planned name: no "(1)" copies, no .tmp
      expect(listFiles(out)).toEqual([...hashes.keys()].map((f) => f.replace('.png', '_x4.png')).sort());
      for (const item of items) expect(await fullyDecodes(item.output!)).toEqual({ width: 256, height: 256 });

      // the engine ran each image once, except the one in flight at each kill
      const runs = new Map<string, number>();
      for (const line of [...first.lines, ...second.lines, ...third.lines]) {
        if (line.event === 'enhance') runs.set(line.input!, (runs.get(line.input!) ?? 0) + 1);
      }
      const lastEnhance = (lines: Line[]) => lines.filter((l) => l.event === 'enhance').at(-1)!.input!;
      const inFlight = new Set([lastEnhance(first.lines), lastEnhance(second.lines)]);
      expect(runs.size).toBe(16);
      for (const [file, n] of runs) expect(n, file).toBe(inFlight.has(file) ? 2 : 1);
      // kill 1 always interrupts its image; kill 2 may land after that image was recorded done
      expect(runs.get(lastEnhance(first.lines))).toBe(2);

      // the database agrees: second attempts only for in-flight images, their first one interrupted
      for (const item of items) {
        const outcomes = queue.attempts(item.id).map((a) => a.outcome);
        expect(outcomes, item.input).toEqual(inFlight.has(item.input) && runs.get(item.input) === 2 ? ['interrupted', 'done'] : ['done']);
      }
      // the inputs are untouched
      for (const [file, hash] of hashes) expect(sha256(path.join(input, file))).toBe(hash);
    } finally {
      db.close();
    }
  });
});
