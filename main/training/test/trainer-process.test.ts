/** Real child processes standing in for the trainer: Node scripts that speak (and break) the protocol. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawMessage } from '../json-lines.js';
import { TrainerProcess } from '../trainer-process.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-trainer-process-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, body);
  return file;
}

function start(args: string[], python = process.execPath, stopTimeoutMs = 5000) {
  const messages: RawMessage[] = [];
  const logFile = path.join(dir, `${path.basename(args[0] ?? 'none')}.log`);
  const p = new TrainerProcess({ python, args, cwd: dir, logFile, stopTimeoutMs, onMessage: (m) => messages.push(m) });
  return { p, messages, logFile };
}

describe('TrainerProcess', () => {
  it('reads the messages of a trainer that crashes mid-run, keeps its stderr as the log and reports the exit', async () => {
    const file = await script(
      'crash.mjs',
      `process.stdout.write('{"type":"progress","step":1}\\nnot json\\n{"type":"progress","st');
       process.stderr.write('Traceback: RuntimeError: out of memory\\n');
       process.exit(3);`,
    );
    const { p, messages, logFile } = start([file]);
    const exit = await p.exited;
    expect(exit.code).toBe(3);
    expect(exit.stderrTail).toContain('RuntimeError: out of memory');
    expect(messages).toEqual([{ type: 'progress', step: 1 }]);
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('Traceback: RuntimeError: out of memory');
    expect(log).toContain('stdout: not json');
    expect(log).toContain('stdout: {"type":"progress","st');
    expect(p.running).toBe(false);
  });

  it('reports a trainer that never starts (the interpreter is missing)', async () => {
    const { p, messages } = start(['-m', 'trainer'], path.join(dir, 'no-such-python'));
    const exit = await p.exited;
    expect(exit.code).toBeNull();
    expect(exit.spawnError).toMatch(/no-such-python could not be started: .*ENOENT/);
    expect(messages).toEqual([]);
  });

  it('stops with SIGTERM: a trainer that checkpoints on it exits cleanly', async () => {
    const file = await script(
      'graceful.mjs',
      // the handler first: a SIGTERM that comes as soon as "started" is read must find it
      `process.on('SIGTERM', () => { console.log(JSON.stringify({ type: 'stopped', step: 7 })); process.exit(0); });
       console.log(JSON.stringify({ type: 'started' }));
       setInterval(() => {}, 1000);`,
    );
    const { p, messages } = start([file]);
    await expect.poll(() => messages.length).toBe(1);
    const exit = await p.stop();
    expect(exit).toMatchObject({ code: 0, killed: false });
    expect(messages.map((m) => m.type)).toEqual(['started', 'stopped']);
  });

  it('kills a trainer that ignores SIGTERM once the grace period is over', async () => {
    const file = await script('stubborn.mjs', `process.on('SIGTERM', () => {}); console.log('{"type":"started"}'); setInterval(() => {}, 1000);`);
    const { p, messages } = start([file], process.execPath, 300);
    await expect.poll(() => messages.length).toBe(1);
    const exit = await p.stop();
    expect(exit.killed).toBe(true);
    expect(exit.signal).toBe('SIGKILL');
  });
});
