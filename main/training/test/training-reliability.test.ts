/**
 * The training API as a hostile client and an unlucky user meet it: requests that race, Python probes, a trainer
 * killed with SIGKILL, a run folder deleted under a run, a base model removed under one. Real trainer processes
 * (tiny network, CPU), a real SQLite file, the API's own dispatch.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioHandlers } from '../../../shared/api/contract.js';
import type { TrainingRun } from '../../../shared/training/types.js';
import { openStudio, type Studio } from '../../services/studio.js';
import { makePairsFolder } from '../../testing/pairs.js';
import { canMountTmpfs, fillDisk, mountTmpfs, unmount } from '../../testing/small-disk.js';
import { testPython, writeTestModel } from '../../testing/test-models.js';
import { createDispatch } from '../../transport/dispatch.js';

let dir: string;
let dataDir: string;
let pairs: string;
let studio: Studio;
/** A python3 that counts the probes run with it (`-c <script>`) before handing over to the real one. */
let countingPython: string;
const probes = () => (existsSync(path.join(dir, 'probes')) ? readFileSync(path.join(dir, 'probes'), 'utf8').split('\n').filter(Boolean).length : 0);

const open = (data = dataDir) => openStudio({ dataDir: data, bundledModelDirs: [path.join(dir, 'models')] });
const run = async (id: number, s = studio) => (await s.handlers.training.runs({})).find((r) => r.id === id)!;
const running = async () => (await studio.handlers.training.runs({})).filter((r) => r.state === 'running');
const long = { source: { kind: 'pairs' as const, folder: '' }, baseModelId: 'tiny-ctmsr', length: 'test' as const, iterations: 400, stages: 'warmup' as const, heldOutShare: 0.1 };

async function until(id: number, test: (r: TrainingRun) => boolean, what: string, s = studio): Promise<TrainingRun> {
  for (let i = 0; i < 1200; i++) {
    const r = await run(id, s);
    if (test(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${id} never ${what}: ${JSON.stringify(await run(id, s))}`);
}
/** The trainer processes working for this test's runs (pgrep finds them by their command line). */
function trainerPids(runDir = path.join(dataDir, 'training')): number[] {
  try {
    return execFileSync('pgrep', ['-f', `trainer finetune --config ${runDir}`]).toString().trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when none matches
  }
}
const trained = (id: number, steps = 2) => until(id, (r) => r.state === 'running' && r.step >= steps, `trained ${steps} steps`);
const stopped = (id: number) => until(id, (r) => r.state === 'stopped', 'stopped');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-training-reliability-'));
  dataDir = path.join(dir, 'data');
  writeTestModel('ctmsr', path.join(dir, 'models', 'tiny-ctmsr.onnx'), { checkpoint: true });
  // a base model of the user's own (removable), as an earlier fine-tune would be
  writeTestModel('ctmsr', path.join(dataDir, 'models', 'user-base.onnx'), { checkpoint: true, seed: 3 });
  pairs = path.join(dir, 'pairs');
  long.source.folder = pairs;
  await makePairsFolder(pairs, { count: 10, width: 64, height: 48 });
  await mkdir(path.join(dir, 'bin'));
  countingPython = path.join(dir, 'bin', 'python3');
  await writeFile(countingPython, `#!/bin/sh\n[ "$1" = "-c" ] && echo probe >> ${path.join(dir, 'probes')}\nexec ${testPython} "$@"\n`);
  await chmod(countingPython, 0o755);
  studio = await open();
  await studio.handlers.settings.update({ pythonPath: countingPython });
}, 120_000);

afterAll(async () => {
  await studio?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the training API', () => {
  it('refuses, at the door, a relative folder, the length meant for tests and a runaway iteration count', async () => {
    const dispatch = createDispatch({ ...studio.handlers, system: {} as StudioHandlers['system'] });
    const start = async (request: object) => {
      const result = await dispatch('training.start', { ...long, length: 'quick', ...request });
      return result.ok ? 'accepted' : result.error.message;
    };
    expect(await start({ source: { kind: 'pairs', folder: 'pairs' } })).toBe(
      "The request training.start was not accepted: source.folder: give the folder's full path (e.g. /home/me/Photos or C:\\Users\\me\\Photos), not a relative one.",
    );
    expect(await start({ length: 'test' })).toMatch(/^The request training.start was not accepted: length: /);
    expect(await start({ length: 'custom', iterations: 1_000_000 })).toBe(
      'The request training.start was not accepted: iterations: at most 60,000 iterations (ten times Long); for more, fine-tune the resulting model again.',
    );
  });

  it('checks a request before it runs Python, and probes once per setting, one probe at a time', async () => {
    const before = probes();
    const few = path.join(dir, 'few');
    await makePairsFolder(few, { count: 5, width: 64, height: 48 });
    await expect(studio.training.start({ ...long, source: { kind: 'pairs', folder: few } })).rejects.toThrow(/Only 5 usable pairs/);
    await expect(studio.training.start({ ...long, baseModelId: 'no-such-model' })).rejects.toThrow(/not found/);
    expect(probes()).toBe(before);

    const infos = await Promise.all([studio.handlers.training.python({ refresh: false }), studio.handlers.training.python({ refresh: true }), studio.handlers.training.python({ refresh: true })]);
    expect(infos.every((i) => i.ok)).toBe(true);
    expect(probes()).toBe(before + 1);
    await studio.handlers.training.python({ refresh: false });
    expect(probes()).toBe(before + 1);
    await studio.handlers.training.python({ refresh: true }); // "Check again"
    expect(probes()).toBe(before + 2);

    // another interpreter in the settings: the check when it is set is the probe training then uses
    await studio.handlers.settings.update({ pythonPath: testPython });
    expect((await studio.handlers.training.python({ refresh: false })).tried[0].candidate).toBe(`the setting (${testPython})`);
    const set = probes();
    await studio.handlers.settings.update({ pythonPath: countingPython });
    expect(probes()).toBe(set + 1);
    expect((await studio.handlers.training.python({ refresh: false })).tried[0]).toEqual({ candidate: `the setting (${countingPython})`, problem: null });
    expect(probes()).toBe(set + 1);
  });

  it('runs one trainer at a time, whatever arrives while Python is being found', async () => {
    const a = await studio.training.start(long);
    const b = await studio.training.start(long);
    expect(b.state).toBe('queued');
    expect(b.name).toBe(`${a.name} (2)`); // the same folder and base: the second run is told apart by its name
    await studio.handlers.training.stop({ id: b.id });
    await trained(a.id);
    await studio.handlers.training.stop({ id: a.id });
    await stopped(a.id);

    // a fresh app has not found its Python yet: both resumes arrive while it is looked for
    await studio.close();
    studio = await open();
    await studio.handlers.training.resume({ id: a.id });
    expect((await studio.handlers.training.resume({ id: b.id })).state).toBe('queued');
    await trained(a.id, (await run(a.id)).step + 1);
    for (let i = 0; i < 10; i++) {
      expect((await running()).map((r) => r.id)).toEqual([a.id]);
      expect(trainerPids()).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(existsSync(path.join((await run(b.id)).runDir, 'train.log'))).toBe(false);

    await studio.handlers.training.stop({ id: a.id });
    await trained(b.id, 1);
    expect((await running()).map((r) => r.id)).toEqual([b.id]);
    await studio.close();
    studio = await open();
    expect(await running()).toEqual([]);
    expect([(await run(a.id)).state, (await run(b.id)).state]).toEqual(['stopped', 'stopped']);
    for (const id of [a.id, b.id]) await studio.handlers.training.remove({ id });
  }, 300_000);

  it('says a trainer was killed, by which signal; its base model stays until the run is removed', async () => {
    const r = await studio.training.start({ ...long, baseModelId: 'user-base' });
    await trained(r.id);
    const [pid] = trainerPids(r.runDir);
    process.kill(pid, 'SIGKILL');
    const failed = await until(r.id, (x) => x.state === 'failed', 'failed');
    expect(failed.error).toBe(
      `Training failed: the trainer was killed by SIGKILL (by another program, or by the system when memory ran out). Resume continues from the last checkpoint; the log is ${path.join(r.runDir, 'train.log')}.`,
    );
    // and what the Training screen says in its language
    expect(failed.errorSaid).toEqual({ key: 'training.killed', params: { signal: 'SIGKILL', log: path.join(r.runDir, 'train.log') } });

    const removal = studio.handlers.models.remove({ id: 'user-base' });
    await expect(removal).rejects.toMatchObject({ code: 'in-use', stage: 'model' });
    await expect(removal).rejects.toThrow(
      `Model "user-base" is the base model of the training run "${r.name}" (failed), which needs it to train, resume and measure its result. Let the run finish, or remove the run on the Training screen, then remove the model.`,
    );
    await studio.handlers.training.remove({ id: r.id });
    expect((await studio.handlers.training.runs({})).some((x) => x.id === r.id)).toBe(false);
    expect(existsSync(r.runDir)).toBe(false);
    await studio.handlers.models.remove({ id: 'user-base' });
    expect((await studio.handlers.models.list({})).some((m) => m.manifest.id === 'user-base')).toBe(false);
  }, 300_000);

  it('fails a run at once when its folder is deleted under it, says what to do, and lets it be removed', async () => {
    const r = await studio.training.start(long);
    await trained(r.id);
    await expect(studio.handlers.training.exportNow({ id: r.id })).rejects.toThrow(`${r.name} is running. Stop it first (stopping writes a checkpoint), then export it.`);
    await expect(studio.handlers.training.remove({ id: r.id })).rejects.toThrow(`${r.name} is running; stop it first, then remove it.`);
    // a state conflict, not a bad setting: the request is right, the run is not ready for it
    await expect(studio.handlers.training.remove({ id: r.id })).rejects.toMatchObject({ code: 'conflict', stage: 'input' });
    // the trainer keeps writing into the folder while it goes: retry as a person deleting it would
    await rm(r.runDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    const failed = await until(r.id, (x) => x.state === 'failed', 'failed');
    const gone = `The run folder ${r.runDir} was deleted or moved: its settings, checkpoint and held-out pictures are gone, so ${r.name} cannot go on. Remove the run from the list and start a new one.`;
    expect(failed.error).toBe(gone);
    expect(failed.errorSaid).toEqual({ key: 'training.folderGone', params: { folder: r.runDir, run: r.name } });
    expect(failed.step).toBeLessThan(failed.totalIterations);
    expect(() => studio.handlers.training.resume({ id: r.id })).toThrow(gone);
    expect((await run(r.id)).state).toBe('failed');
    await studio.handlers.training.remove({ id: r.id });
    expect((await studio.handlers.training.runs({})).some((x) => x.id === r.id)).toBe(false);
  }, 300_000);
});

describe.skipIf(!canMountTmpfs())('a full data disk during training (a small tmpfs: needs root)', () => {
  /** An app whose data folder is a 24 MB tmpfs of its own, closed and unmounted after `use`. */
  async function onSmallDisk(name: string, use: (small: string, studio: () => Studio, reopen: () => Promise<Studio>) => Promise<void>): Promise<void> {
    const small = path.join(dir, name);
    await mkdir(small);
    mountTmpfs(small, '24m');
    let s: Studio | undefined;
    try {
      s = await open(small);
      await s.handlers.settings.update({ pythonPath: testPython });
      await use(small, () => s!, async () => {
        await s!.close();
        return (s = await open(small));
      });
    } finally {
      await s?.close();
      unmount(small);
    }
  }

  it('ends the run failed with "disk full" and what to do; the app stays up, and the database learns it once it can', async () => {
    await onSmallDisk('small', async (small, studio, reopen) => {
      const s = studio();
      const r = await s.training.start(long);
      await until(r.id, (x) => x.state === 'running' && x.step >= 3, 'trained 3 steps', s);
      const filler = fillDisk(small);
      const failed = await until(r.id, (x) => x.state !== 'running', 'ended', s);
      const full = `Training stopped: the disk holding ${r.runDir} is full. Free some space on it, then resume: the run continues from its last checkpoint.`;
      expect(failed).toMatchObject({ state: 'failed', error: full, resumable: true });

      await rm(filler);
      expect(await run(r.id, s)).toMatchObject({ state: 'failed', error: full });
      const said = { key: 'training.diskFullStopped', params: { folder: r.runDir } };
      expect(await run(r.id, await reopen())).toMatchObject({ state: 'failed', error: full, errorSaid: said });
    });
  }, 300_000);

  it('refuses to start a run on a full disk with what to do, and leaves no half-made run behind', async () => {
    await onSmallDisk('small-start', async (small, studio) => {
      const s = studio();
      const before = await s.handlers.training.runs({});
      const filler = fillDisk(small);
      await expect(s.training.start(long)).rejects.toMatchObject({
        code: 'disk-full',
        message: expect.stringMatching(/^Cannot set up the run in .*training.*: the disk is full\. Free some space on it, then start the run again\.$/),
      });
      const after = await s.handlers.training.runs({});
      expect(after.filter((r) => !before.some((b) => b.id === r.id) && r.state !== 'failed')).toEqual([]);
      expect(existsSync(path.join(small, 'training', `run-${before.length + 1}`, 'finetune.json'))).toBe(false);

      await rm(filler);
      const r = await s.training.start(long);
      await until(r.id, (x) => x.state === 'running' && x.step >= 1, 'trained a step', s);
      await s.handlers.training.stop({ id: r.id });
      await until(r.id, (x) => x.state === 'stopped', 'stopped', s);
    });
  }, 300_000);
});
