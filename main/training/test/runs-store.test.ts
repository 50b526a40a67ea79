import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/db.js';
import { downsample, RunsStore } from '../runs-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-runs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const plan = { stages: 'ct' as const, length: 'quick' as const, totalIterations: 300, trainPairs: 22, heldOutPairs: 2 };

describe('RunsStore', () => {
  it('keeps runs across reopening; a run the app was killed in is failed and resumable, a stopping one stopped', () => {
    const file = path.join(dir, 'studio.db');
    let db = openDatabase(file);
    let store = new RunsStore(db);
    const a = store.create({ name: 'A', source: { kind: 'pairs', folder: '/p' }, baseModelId: 'm', plan, runDir: '/r/1' });
    const b = store.create({ name: 'B', source: { kind: 'pairs', folder: '/p' }, baseModelId: 'm', plan, runDir: '/r/2' });
    store.update(a, { state: 'running', step: 120, checkpoint: '/r/1/checkpoint.pt', preview: { step: 100, pair: 'x', base: { psnr: 20 }, current: { psnr: 21, lpips: 0.3 } } });
    store.update(b, { state: 'stopping' });
    store.addLoss(a, { step: 10, stage: 'ct', ct: 0.1, total: 0.1 });
    db.close();

    db = openDatabase(file);
    store = new RunsStore(db);
    expect(store.recoverInterrupted().sort()).toEqual([a, b]);
    expect(store.get(a)).toMatchObject({ state: 'failed', step: 120, resumable: true, preview: { step: 100 }, losses: [{ step: 10, ct: 0.1 }], totalIterations: 300 });
    expect(store.get(a).error).toMatch(/closed while this run was training/);
    expect(store.get(a).errorSaid).toEqual({ key: 'training.appClosed', params: {} });
    // a new error without words for the UI clears the old ones: the screen never words a stale failure
    store.update(a, { state: 'queued', error: null });
    expect(store.get(a).error).toBeNull();
    expect(store.get(a).errorSaid).toBeUndefined();
    expect(store.get(b)).toMatchObject({ state: 'stopped', resumable: true });
    expect(() => store.get(99)).toThrow(/Training run #99 does not exist/);
    db.close();
  });

  it('downsamples the loss history: the older half thinned, the recent half kept', () => {
    const points = Array.from({ length: 401 }, (_, i) => ({ step: i, stage: 'ct', total: 1 / (i + 1) }));
    const kept = downsample(points, 400);
    expect(kept.length).toBe(301); // 100 of the first 200, all of the last 201
    expect(kept.at(-1)!.step).toBe(400);
    expect(kept.slice(-200).map((p) => p.step)).toEqual(points.slice(-200).map((p) => p.step));
    expect(downsample(points.slice(0, 10), 400)).toHaveLength(10);
  });
});
