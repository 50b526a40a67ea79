/**
 * Fine-tuning runs from the app (docs/trainer-protocol.md): checks the source and the Python, writes the run's
 * finetune.json (run-config.ts), queues runs for the one trainer slot (trainer-slot.ts), records what the trainer
 * reports (run-messages.ts), and at the end scores and registers the result (registration.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { StudioError } from '../../shared/errors.js';
import { explainError } from '../../shared/explain-error.js';
import type { LoadedModel, ModelManifest } from '../../shared/models/manifest.js';
import type { LengthPreset, PythonInfo, SourceScan, TrainingRun } from '../../shared/training/types.js';
import { startTrainingSchema, type ParsedTrainingSource } from '../../shared/training/types.js';
import type { z } from 'zod';
import type { StudioDatabase } from '../store/db.js';
import { baseCheckpoint } from './base-checkpoint.js';
import { lengthPlan } from './length-presets.js';
import { discoverPython, validatePythonSetting } from './python.js';
import { finishRun } from './registration.js';
import { defaultRunName, distinctRunName, runConfig, writeRunConfig } from './run-config.js';
import { checkpointFile, isInside, previewPath, requireRunFolder, setupFailure } from './run-folder.js';
import { handleTrainerMessage } from './run-messages.js';
import { RunsStore, clearingStaleWords, type RunPatch } from './runs-store.js';
import { scanSource, splitHeldOut } from './source-scan.js';
import { TrainerSlot } from './trainer-slot.js';
import { refusal } from '../../shared/refusals.js';

/** What the API takes, or the `test` length the app's own tests start runs with. */
export type StartRequest = Omit<z.output<typeof startTrainingSchema>, 'length'> & { length: LengthPreset };

export interface TrainingDeps {
  db: StudioDatabase;
  /** Where run folders go (<data>/training). */
  runsDir: string;
  /** The folder that holds trainer/ (the repository, or the packaged app's resources). */
  trainerRoot: string;
  resolveModel(id: string): Promise<LoadedModel>;
  /** Adds the fine-tuned model to the user's models (under another id when this one is taken) and returns it as added. */
  registerModel(manifest: ModelManifest, onnxPath: string): Promise<LoadedModel>;
  engine(): Engine;
  pythonSetting(): string;
  /** The system folder a file really lies in, if any: the scan never lets the trainer read one. */
  systemFolderOf?(file: string): string | undefined;
  /** A run starts (true) or the last one ends (false): the host pauses batches if the user asked for it. */
  onActive?(active: boolean): void;
  onRunChanged(run: TrainingRun): void;
  onModelsChanged(): void;
  /** Grace after SIGTERM before the trainer is killed. */
  stopTimeoutMs?: number;
}

interface PythonProbe {
  setting: string;
  info: Promise<PythonInfo>;
  pending: boolean;
}

export class TrainingService {
  private readonly store: RunsStore;
  private readonly slot: TrainerSlot;
  private python: PythonProbe | null = null;
  /** Changes the database could not take (its disk is full): shown as if saved, and written when it can take them. */
  private readonly unsaved = new Map<number, RunPatch>();

  constructor(private readonly deps: TrainingDeps) {
    this.store = new RunsStore(deps.db);
    this.store.recoverInterrupted();
    const record = (id: number, patch: RunPatch) => this.record(id, patch);
    const run = (id: number) => this.run(id);
    this.slot = new TrainerSlot({
      nextQueued: () => this.store.nextQueued(),
      record,
      requirePython: () => this.requirePython(),
      trainerRoot: deps.trainerRoot,
      stopTimeoutMs: deps.stopTimeoutMs,
      onActive: deps.onActive,
      onMessage: (active, m) => handleTrainerMessage(active, m, { runDir: (id) => run(id).runDir, record, addLoss: (id, point) => this.store.addLoss(id, point) }),
      finish: (active, exit, python) => finishRun(active, exit, python, { ...deps, run, record }),
    });
  }

  /**
   * The Python the trainer runs with. Probing imports torch (seconds), so it is done once per setting and one
   * probe at a time; `refresh` ("Check again") probes anew unless a probe is already under way.
   */
  pythonInfo(refresh = false): Promise<PythonInfo> {
    return this.probe(this.deps.pythonSetting(), refresh);
  }

  /** Checks an interpreter for the Settings screen before it is saved; its probe is the one training then uses. */
  checkPythonSetting(value: string): Promise<void> {
    return validatePythonSetting(value, { discover: (setting) => this.probe(setting, false) });
  }

  private probe(setting: string, refresh: boolean): Promise<PythonInfo> {
    const last = this.python;
    if (last && last.setting === setting && (!refresh || last.pending)) return last.info;
    const after = last?.info ?? Promise.resolve();
    const probe: PythonProbe = { setting, pending: true, info: after.then(() => discoverPython({ setting })) };
    void probe.info.finally(() => (probe.pending = false));
    this.python = probe;
    return probe.info;
  }

  scan(source: ParsedTrainingSource, cropSide?: number): Promise<SourceScan> {
    return scanSource(source, { cropSide, systemFolderOf: this.deps.systemFolderOf });
  }

  runs(): TrainingRun[] {
    this.saveUnsaved();
    return this.store.list().map((run) => this.withUnsaved(run));
  }

  run(id: number): TrainingRun {
    return this.withUnsaved(this.store.get(id));
  }

  async start(request: StartRequest): Promise<TrainingRun> {
    // the request is checked first: one refused for its content never waits for (or runs) Python
    const plan = lengthPlan(request.length, request.iterations);
    const base = await this.deps.resolveModel(request.baseModelId);
    const checkpoint = baseCheckpoint(base, this.deps.trainerRoot);
    if (!checkpoint) throw refusal('model-invalid', 'training.noWeights', { model: base.manifest.name });
    const scan = await this.scan(request.source, plan.cropSide);
    if (scan.problem) throw new StudioError('invalid-settings', scan.problem, { said: scan.problemSaid });
    if (scan.scale !== base.manifest.scale) throw refusal('invalid-settings', 'training.scaleMismatch', { pairs: String(scan.scale), model: base.manifest.name, scale: base.manifest.scale });
    await this.requirePython();
    const { train, heldOut } = splitHeldOut(scan.pairs, request.heldOutShare);
    const folderName = path.basename(request.source.folder ?? path.dirname(scan.hrFolder));
    const name = distinctRunName(request.name ?? defaultRunName(folderName, base.manifest.name), this.store.list().map((r) => r.name));
    let id: number | undefined;
    let runDir = this.deps.runsDir;
    try {
      id = this.store.create({
        name,
        source: request.source,
        baseModelId: base.manifest.id,
        plan: { stages: request.stages, length: request.length, totalIterations: plan.iterations, trainPairs: train.length, heldOutPairs: heldOut.length },
        runDir: '',
      });
      runDir = path.join(this.deps.runsDir, `run-${id}`);
      await mkdir(runDir, { recursive: true });
      await writeRunConfig(runConfig({ id, runDir, name, stages: request.stages, plan, source: request.source, scan, train, heldOut, base, checkpoint }));
    } catch (e) {
      const failure = setupFailure(runDir, e);
      if (id !== undefined) await this.discard(id, runDir, failure);
      throw failure;
    }
    this.record(id, { runDir });
    this.slot.pump();
    return this.run(id);
  }

  /** A run that could not be set up leaves nothing behind; where the database cannot forget it (a full disk), it
   * stays failed with the reason, never queued. */
  private async discard(id: number, runDir: string, failure: StudioError): Promise<void> {
    if (runDir !== this.deps.runsDir) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
    try {
      this.store.remove(id);
    } catch {
      this.record(id, { state: 'failed', error: failure.message, errorSaid: failure.said ?? null });
    }
  }

  async stop(id: number): Promise<TrainingRun> {
    const run = this.run(id);
    if (run.state === 'queued') return this.record(id, { state: 'stopped' });
    if (this.slot.active?.runId !== id) throw refusal('conflict', 'training.notTraining', { run: run.name, state: run.state });
    this.slot.active.stopRequested = true;
    this.record(id, { state: 'stopping' });
    void this.slot.active.process?.stop();
    return this.run(id);
  }

  resume(id: number): TrainingRun {
    const run = this.run(id);
    if (run.state !== 'stopped' && run.state !== 'failed') throw refusal('conflict', 'training.cannotResume', { run: run.name, state: run.state });
    requireRunFolder(run);
    this.record(id, { state: 'queued', error: null });
    this.slot.pump();
    return this.run(id);
  }

  /** Takes a run that is not training off the list, with its folder (checkpoints, previews, held-out crops). */
  async remove(id: number): Promise<void> {
    const run = this.run(id);
    if (this.slot.active?.runId === id || run.state === 'queued' || run.state === 'running' || run.state === 'stopping')
      throw refusal('conflict', 'training.stopBeforeRemove', { run: run.name, state: run.state });
    this.store.remove(id);
    this.unsaved.delete(id);
    // only a folder the app made for the run: a run row never leads the app to delete anything else
    if (run.runDir && isInside(run.runDir, this.deps.runsDir)) await rm(run.runDir, { recursive: true, force: true });
  }

  /**
   * Refuses removing a model some run still needs as its base: to train, resume, export and be scored. Only a
   * finished run whose result is registered needs it no more.
   */
  checkModelUnused(modelId: string): void {
    const run = this.runs().find((r) => r.baseModelId === modelId && !(r.state === 'done' && r.modelId));
    if (!run) return;
    throw refusal('in-use', 'training.baseModelInUse', { model: modelId, run: run.name, state: run.state }, { stage: 'model' });
  }

  /** The preview strip (LR | base | current | HR) of a run's latest preview, as a PNG data URL. */
  async previewImage(id: number): Promise<string | null> {
    const run = this.run(id);
    if (!run.preview) return null;
    try {
      const png = await readFile(previewPath(run.runDir, run.preview.step));
      return `data:image/png;base64,${png.toString('base64')}`;
    } catch {
      return null;
    }
  }

  /** Stops the running trainer (it checkpoints) so the next start can resume it. */
  close(): Promise<void> {
    return this.slot.close();
  }

  /**
   * Records a change of a run and tells the UI. A database on a full disk cannot take it: the change is then
   * kept here (the run still shows it) and written by a later call, so a full disk never leaves a run "running".
   */
  private record(id: number, patch: RunPatch): TrainingRun {
    // merged after clearing: a newer error must not keep the words of an older one still waiting to be saved
    const pending = { ...this.unsaved.get(id), ...clearingStaleWords(patch) };
    try {
      this.store.update(id, pending);
      this.unsaved.delete(id);
    } catch (e) {
      if (explainError(e, { file: 'the database', stage: 'output' }).code !== 'disk-full') throw e;
      this.unsaved.set(id, pending);
    }
    const run = this.run(id);
    this.deps.onRunChanged(run);
    return run;
  }

  private saveUnsaved(): void {
    for (const id of [...this.unsaved.keys()]) this.record(id, {});
  }

  private withUnsaved(run: TrainingRun): TrainingRun {
    const patch = this.unsaved.get(run.id);
    if (!patch) return run;
    const { checkpoint: _notShown, errorSaid, ...shown } = patch;
    const state = shown.state ?? run.state;
    return { ...run, ...shown, errorSaid: errorSaid === undefined ? run.errorSaid : (errorSaid ?? undefined), state, resumable: state === 'stopped' || state === 'failed' };
  }

  /** Exports a stopped or failed run's last checkpoint now: evaluated and registered like a finished run. */
  async exportNow(id: number): Promise<TrainingRun> {
    const run = this.run(id);
    if (run.state === 'running' || run.state === 'stopping' || run.state === 'queued')
      throw refusal('conflict', 'training.stopBeforeExport', { run: run.name, state: run.state });
    if (run.state === 'done') throw refusal('conflict', 'training.alreadyExported', { run: run.name });
    requireRunFolder(run);
    if (!existsSync(checkpointFile(run.runDir)))
      throw refusal('conflict', 'training.noCheckpoint', { run: run.name });
    if (this.slot.active) throw refusal('conflict', 'training.anotherTraining');
    void this.slot.claim(run, run.state);
    return this.run(id);
  }

  /** The interpreter to train with; a cached failure is probed again, as the user may have installed PyTorch since. */
  private async requirePython(): Promise<string> {
    let python = await this.pythonInfo();
    if (!python.ok) python = await this.pythonInfo(true);
    if (!python.ok || !python.python)
      throw new StudioError('python-missing', `Training needs Python with PyTorch, and none was found (${python.tried.map((t) => `${t.candidate}: ${t.problem}`).join('; ')}). ${python.advice ?? ''}`.trim());
    return python.python;
  }
}
