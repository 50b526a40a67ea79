/**
 * Fine-tuning through the studio's handlers, as the Training screen uses them: a real trainer (tiny network,
 * CPU, a few iterations) on a generated pairs folder, a real SQLite file, scoring through the ONNX engine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../../shared/api/events.js';
import { enqueueRequest } from '../../../shared/api/requests.js';
import type { TrainingRun } from '../../../shared/training/types.js';
import { openStudio, type Studio } from '../../services/studio.js';
import { makePairsFolder } from '../../testing/pairs.js';
import { testPython, writeTestModel } from '../../testing/test-models.js';

let dir: string;
let studio: Studio;
let pairs: string;
const events: StudioEvent[] = [];

async function open(): Promise<Studio> {
  const s = await openStudio({ dataDir: path.join(dir, 'data'), bundledModelDirs: [path.join(dir, 'models')] });
  s.events.subscribe((e) => events.push(e));
  return s;
}

async function until(id: number, states: TrainingRun['state'][]): Promise<TrainingRun> {
  for (let i = 0; i < 1200; i++) {
    const run = (await studio.handlers.training.runs({})).find((r) => r.id === id)!;
    if (states.includes(run.state) && !(run.state === 'running' && run.stage === 'evaluating')) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} never reached ${states.join('/')}`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-training-'));
  writeTestModel('ctmsr', path.join(dir, 'models', 'tiny-ctmsr.onnx'), { checkpoint: true });
  writeTestModel('ctmsr', path.join(dir, 'models', 'no-weights.onnx'), { seed: 1 });
  writeTestModel('ctmsr', path.join(dir, 'models', 'broken-weights.onnx'), { seed: 2 });
  await writeFile(path.join(dir, 'models', 'broken-weights.pt'), 'not a checkpoint');
  pairs = path.join(dir, 'pairs');
  await makePairsFolder(pairs, { count: 10, width: 64, height: 48 });
  process.env.CTMSR_PYTHON = testPython;
  studio = await open();
}, 120_000);

afterAll(async () => {
  await studio?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fine-tuning from the app', () => {
  it('reports the Python it trains with, and checks the interpreter setting before keeping it', async () => {
    const info = await studio.handlers.training.python({ refresh: false });
    expect(info.ok).toBe(true);
    expect(info.devices.some((d) => d.kind === 'cpu')).toBe(true);
    await expect(studio.handlers.settings.update({ pythonPath: path.join(dir, 'no-python') })).rejects.toThrow(/does not exist/);
    expect((await studio.handlers.settings.get({})).pythonPath).toBe('');
    await studio.handlers.settings.update({ pythonPath: testPython });
    expect((await studio.handlers.training.python({ refresh: true })).tried[0].candidate).toBe(`the setting (${testPython})`);
  });

  it('refuses a base model without training weights and a source with too few pairs', async () => {
    await expect(studio.training.start({ source: { kind: 'pairs', folder: pairs }, baseModelId: 'no-weights', length: 'test', stages: 'ct', heldOutShare: 0.1 })).rejects.toThrow(/cannot be fine-tuned: its training weights are not installed/);
    const few = path.join(dir, 'few');
    await makePairsFolder(few, { count: 5, width: 64, height: 48 });
    await expect(studio.training.start({ source: { kind: 'pairs', folder: few }, baseModelId: 'tiny-ctmsr', length: 'test', stages: 'ct', heldOutShare: 0.1 })).rejects.toThrow(/Only 5 usable pairs/);
  });

  it('fails with the reason when the trainer crashes; holds batches if asked; stops with a checkpoint and resumes after a restart', async () => {
    // a trainer that crashes (its base weights are not a checkpoint): failed, with the reason, resumable
    let run = await studio.training.start({ source: { kind: 'pairs', folder: pairs }, baseModelId: 'broken-weights', length: 'test', stages: 'ct', heldOutShare: 0.1 });
    expect(run).toMatchObject({ trainPairs: 8, heldOutPairs: 2, totalIterations: 8 });
    run = await until(run.id, ['failed', 'done']);
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(/^Training failed: .*(pickle|load|magic|zip).*Resume continues from the last checkpoint; the log is .*train\.log\.$/i);
    expect(run.resumable).toBe(true);

    // with "pause batches while training", a batch waits for the run to end
    await studio.handlers.settings.update({ pauseBatchesWhileTraining: true });
    run = await studio.training.start({ source: { kind: 'pairs', folder: pairs }, baseModelId: 'tiny-ctmsr', length: 'test', iterations: 400, stages: 'ct', heldOutShare: 0.1 });
    await expect.poll(async () => (await studio.handlers.training.runs({})).find((r) => r.id === run.id)!.step, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    const batch = await studio.handlers.queue.enqueue(enqueueRequest.parse({ paths: [path.join(pairs, 'LR', 'pair-00.png')], settings: { modelId: 'tiny-ctmsr' }, output: { folder: path.join(dir, 'out') } }));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await studio.handlers.queue.batches({})).find((b) => b.id === batch.id)!.status).toBe('queued');
    await studio.handlers.training.stop({ id: run.id });
    run = await until(run.id, ['stopped']);
    await expect.poll(async () => (await studio.handlers.queue.batches({})).find((b) => b.id === batch.id)!.status, { timeout: 60_000, interval: 200 }).toBe('done');
    await studio.handlers.settings.update({ pauseBatchesWhileTraining: false });
    expect(run.device).toBe('CPU');
    expect(run.losses.length).toBeGreaterThan(0);
    expect(existsSync(path.join(run.runDir, 'checkpoint.pt'))).toBe(true);
    const stoppedAt = run.step;

    await studio.close();
    studio = await open();
    run = (await studio.handlers.training.runs({})).find((r) => r.id === run.id)!;
    expect(run).toMatchObject({ state: 'stopped', resumable: true, step: stoppedAt });
    await studio.handlers.training.resume({ id: run.id });
    const preview = await (async () => {
      await expect.poll(async () => (await studio.handlers.training.runs({})).find((r) => r.id === run.id)!.preview?.step ?? 0, { timeout: 60_000, interval: 100 }).toBeGreaterThan(stoppedAt);
      return studio.handlers.training.preview({ id: run.id });
    })();
    expect(preview).toMatch(/^data:image\/png;base64,/);
    await studio.handlers.training.stop({ id: run.id });
    run = await until(run.id, ['stopped']);
    const log = await readFile(path.join(run.runDir, 'train.log'), 'utf8');
    expect(log).toContain(`resumed from ${path.join(run.runDir, 'checkpoint.pt')} at step ${stoppedAt}`);

    // the last checkpoint, exported on demand: a registered model, and the run can still resume
    await studio.handlers.training.exportNow({ id: run.id });
    await expect.poll(async () => (await studio.handlers.training.runs({})).find((r) => r.id === run.id)!.modelId, { timeout: 120_000, interval: 200 }).toBe(`tiny-ctmsr-ft${run.id}`);
    run = await until(run.id, ['stopped']);
    expect(run).toMatchObject({ resumable: true, heldOut: { pairs: 2 } });
    expect((await studio.handlers.models.list({})).some((m) => m.manifest.id === run.modelId)).toBe(true);
  }, 300_000);

  it('finishes a short run: evaluation through the engine, a fine-tuned model with lineage', async () => {
    let run = await studio.training.start({ source: { kind: 'pairs', folder: pairs }, baseModelId: 'tiny-ctmsr', length: 'test', iterations: 4, stages: 'warmup', heldOutShare: 0.1, name: 'Tiny pairs' });
    run = await until(run.id, ['done', 'failed']);
    expect(run.error).toBeNull();
    expect(run.state).toBe('done');
    expect(run.heldOut!.pairs).toBe(2);
    expect(run.heldOut!.base.psnr).toBeGreaterThan(5);
    const model = (await studio.handlers.models.list({})).find((m) => m.manifest.id === run.modelId)!;
    expect(model.manifest.createdBy).toBe('fine-tuned');
    expect(model.removable).toBe(true);
    expect(model.manifest.metrics['held-out'].psnr).toBeCloseTo(run.heldOut!.tuned.psnr, 2);
    expect(model.manifest.training).toMatchObject({ fineTune: { base: { id: 'tiny-ctmsr' }, trainPairs: 8, heldOutPairs: 2, stages: 'warmup', iterations: 4 } });
    expect(existsSync(model.path.replace(/\.onnx$/, '.pt'))).toBe(true); // it can be the base of a later run
    expect(events.some((e) => e.type === 'models.changed')).toBe(true);
    expect(events.filter((e) => e.type === 'training.run').length).toBeGreaterThan(3);
  }, 300_000);
});
