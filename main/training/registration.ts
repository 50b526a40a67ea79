/**
 * The end of a run: when the trainer exited with a model, the app (not the trainer) enhances the held-out LR crops
 * with the base model and the new one through its own engine, has the trainer score both, and registers the new
 * model among the user's models as `fine-tuned`, with those scores and its lineage (docs/model-contract.md).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { loadModel } from '../models/load-model.js';
import { manifestScore, modelManifestSchema, type LoadedModel, type ModelManifest } from '../../shared/models/manifest.js';
import type { HeldOutMetrics, TrainingRun } from '../../shared/training/types.js';
import { scoreHeldOut, type HeldOutScore } from './heldout-eval.js';
import { configFile, failureReason, runFolderGone } from './run-folder.js';
import { failure, type RunPatch } from './runs-store.js';
import type { TrainerExit } from './trainer-process.js';
import type { Active } from './trainer-slot.js';

export interface FinishDeps {
  run(id: number): TrainingRun;
  record(id: number, patch: RunPatch): TrainingRun;
  resolveModel(id: string): Promise<LoadedModel>;
  registerModel(manifest: ModelManifest, onnxPath: string): Promise<LoadedModel>;
  engine(): Engine;
  trainerRoot: string;
  onModelsChanged(): void;
}

/** Records how the trainer ended; a run that exported is scored on its held-out pairs and registered. */
export async function finishRun(active: Active, exit: TrainerExit, python: string, deps: FinishDeps): Promise<void> {
  const id = active.runId;
  const done = { itPerSec: null, etaSeconds: null };
  const run = deps.run(id);
  if (!existsSync(configFile(run.runDir))) throw runFolderGone(run);
  if (active.stopRequested) {
    deps.record(id, { ...done, state: active.exportOnly ?? 'stopped' });
    return;
  }
  if (exit.code !== 0 || !active.exported) {
    deps.record(id, { ...done, state: 'failed', ...failure(failureReason(run, active.error, exit)) });
    return;
  }
  deps.record(id, { ...done, stage: 'evaluating' });
  const heldout = active.heldout ?? { lrDir: path.join(run.runDir, 'heldout', 'LR'), hrDir: path.join(run.runDir, 'heldout', 'HR') };
  const tuned = await loadModel(active.exported.onnx);
  const base = await deps.resolveModel(run.baseModelId);
  const score = (model: LoadedModel, which: string) =>
    scoreHeldOut({ engine: deps.engine(), model, lrDir: heldout.lrDir, hrDir: heldout.hrDir, outDir: path.join(run.runDir, 'eval', which), python, cwd: deps.trainerRoot });
  const baseScore = await score(base, 'base');
  const tunedScore = await score(tuned, 'tuned');
  const heldOut: HeldOutMetrics = { pairs: tunedScore.pairs, base: metric(baseScore), tuned: metric(tunedScore) };
  const modelId = await register(deps.run(id), tuned, baseScore, tunedScore, base, deps);
  deps.record(id, active.exportOnly ? { state: active.exportOnly, stage: null, heldOut, modelId } : { state: 'done', stage: 'done', heldOut, modelId });
  deps.onModelsChanged();
}

/** Registers the export (graph, manifest with held-out metrics and lineage, weights) among the user's models. */
async function register(run: TrainingRun, tuned: LoadedModel, baseScore: HeldOutScore, tunedScore: HeldOutScore, base: LoadedModel, deps: FinishDeps): Promise<string> {
  const asMetric = (s: HeldOutScore) => manifestScore(s);
  const manifest: ModelManifest = modelManifestSchema.parse({
    ...tuned.manifest,
    createdBy: 'fine-tuned',
    metrics: { 'held-out': asMetric(tunedScore) },
    training: {
      ...(tuned.manifest.training ?? {}),
      fineTune: {
        runId: run.id,
        base: { id: base.manifest.id, name: base.manifest.name, heldOut: asMetric(baseScore) },
        source: run.source,
        trainPairs: run.trainPairs,
        heldOutPairs: run.heldOutPairs,
        iterations: run.step,
        stages: run.stages,
        device: run.device,
      },
    },
  });
  return (await deps.registerModel(manifest, tuned.onnxPath)).manifest.id;
}

function metric(s: HeldOutScore): HeldOutMetrics['base'] {
  const { psnr, lpips } = manifestScore(s);
  return { psnr, ...(s.lpips !== undefined ? { lpips } : {}) };
}
