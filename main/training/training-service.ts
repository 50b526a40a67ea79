/**
 * Fine-tuning runs from the app (docs/trainer-protocol.md): checks the source and the Python, writes the run's finetune.json,
 * runs one trainer at a time, records what it reports, and at the end scores the held-out pairs through the app's
 * engine (base vs fine-tuned) and registers the result as a `fine-tuned` model with its lineage.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { loadModel } from '../models/load-model.js';
import { StudioError, explainError } from '../../shared/errors.js';
import { modelManifestSchema, type LoadedModel, type ModelManifest } from '../../shared/models/manifest.js';
import type { HeldOutMetrics, LengthPreset, PythonInfo, RunPreview, SourceScan, TrainingRun } from '../../shared/training/types.js';
import { startTrainingSchema, type ParsedTrainingSource } from '../../shared/training/types.js';
import type { z } from 'zod';
import type { StudioDatabase } from '../store/db.js';
import { baseCheckpoint } from './base-checkpoint.js';
import { scoreHeldOut, type HeldOutScore } from './heldout-eval.js';
import type { TrainerMessage } from './json-lines.js';
import { lengthPlan } from './length-presets.js';
import { discoverPython } from './python.js';
import { RunsStore, type RunPatch } from './runs-store.js';
import { maxTrainingPixels, scanSource, splitHeldOut } from './source-scan.js';
import { TrainerProcess, type TrainerExit } from './trainer-process.js';

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

/** The one trainer slot: taken before anything awaits, so that two requests can never start two trainers. */
interface Active {
  runId: number;
  /** Absent while the Python is still being found. */
  process?: TrainerProcess;
  stopRequested: boolean;
  /** Export the last checkpoint only; afterwards the run returns to this state (it can still resume). */
  exportOnly?: 'stopped' | 'failed';
  exported?: { onnx: string; manifest: string };
  heldout?: { lrDir: string; hrDir: string };
  error?: string;
}

interface PythonProbe {
  setting: string;
  info: Promise<PythonInfo>;
  pending: boolean;
}

export class TrainingService {
  private readonly store: RunsStore;
  private active: Active | null = null;
  private python: PythonProbe | null = null;
  /** Changes the database could not take (its disk is full): shown as if saved, and written when it can take them. */
  private readonly unsaved = new Map<number, RunPatch>();
  private closing = false;
  private finishing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TrainingDeps) {
    this.store = new RunsStore(deps.db);
    this.store.recoverInterrupted();
  }

  /**
   * The Python the trainer runs with. Probing imports torch (seconds), so it is done once per setting and one
   * probe at a time; `refresh` ("Check again") probes anew unless a probe is already under way.
   */
  pythonInfo(refresh = false): Promise<PythonInfo> {
    const setting = this.deps.pythonSetting();
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
    if (!checkpoint) throw new StudioError('model-invalid', `${base.manifest.name} cannot be fine-tuned: its training weights are not installed (only models made by the trainer, and the fine-tuned ones, carry them). Choose another base model.`);
    const scan = await this.scan(request.source, plan.cropSide);
    if (scan.problem) throw new StudioError('invalid-settings', scan.problem);
    if (scan.scale !== base.manifest.scale) throw new StudioError('invalid-settings', `The pairs are ×${scan.scale} but ${base.manifest.name} is ×${base.manifest.scale}. Choose a ×${scan.scale} base model.`);
    await this.requirePython();
    const { train, heldOut } = splitHeldOut(scan.pairs, request.heldOutShare);
    const folderName = path.basename(request.source.folder ?? path.dirname(scan.hrFolder));
    const name = request.name ?? `${folderName} (${base.manifest.name})`;
    const id = this.store.create({
      name,
      source: request.source,
      baseModelId: base.manifest.id,
      plan: { stages: request.stages, length: request.length, totalIterations: plan.iterations, trainPairs: train.length, heldOutPairs: heldOut.length },
      runDir: '',
    });
    const runDir = path.join(this.deps.runsDir, `run-${id}`);
    await mkdir(runDir, { recursive: true });
    const modelId = `${base.manifest.id}-ft${id}`.replace(/[^a-z0-9._-]+/gi, '-');
    const source = request.source;
    const config = {
      out: runDir,
      seed: id,
      device: plan.device ?? 'auto',
      threads: plan.threads ?? 0,
      scale: scan.scale,
      crop: scan.crop,
      batch: plan.batch,
      iterations: plan.iterations,
      stages: request.stages,
      preview_every: plan.previewEvery,
      checkpoint_every: plan.checkpointEvery,
      log_every: plan.logEvery,
      heldout_lr_side: plan.heldOutLrSide,
      max_pixels: maxTrainingPixels,
      base: { checkpoint, model_id: base.manifest.id },
      source: {
        kind: scan.kind,
        // half the samples plainly downscaled: a model tuned to one kind of damage keeps working on clean pictures
        // (measured: with a quarter, Set14 lost 0.65 dB after a JPEG fine-tune; with half, 0.13 dB)
        ...(source.kind === 'hr' ? { degradation: source.degradation, jpeg_quality: source.jpegQuality, clean_share: source.degradation === 'bicubic' ? 0 : 0.5 } : {}),
        train: train.map((p) => ({ stem: p.stem, hr: p.hr, ...(p.lr ? { lr: p.lr } : {}) })),
        heldout: heldOut.map((p) => ({ stem: p.stem, hr: p.hr, ...(p.lr ? { lr: p.lr } : {}) })),
      },
      export: { id: modelId, name: request.name ?? `${name} (fine-tuned)`, description: `Fine-tuned from ${base.manifest.name} on ${train.length} ${scan.kind === 'pairs' ? 'pairs' : 'photos'} of ${scan.hrFolder}.`, trained_on: trainedOn(scan, source) },
      trainer: plan.trainer ?? {},
    };
    await writeFile(configFile(runDir), `${JSON.stringify(config, null, 2)}\n`);
    this.record(id, { runDir });
    this.pump();
    return this.run(id);
  }

  async stop(id: number): Promise<TrainingRun> {
    const run = this.run(id);
    if (run.state === 'queued') return this.record(id, { state: 'stopped' });
    if (this.active?.runId !== id) throw new StudioError('invalid-settings', `${run.name} is not training (it is ${run.state}).`);
    this.active.stopRequested = true;
    this.record(id, { state: 'stopping' });
    void this.active.process?.stop();
    return this.run(id);
  }

  resume(id: number): TrainingRun {
    const run = this.run(id);
    if (run.state !== 'stopped' && run.state !== 'failed') throw new StudioError('invalid-settings', `${run.name} is ${run.state}; only a stopped or failed run can resume.`);
    requireRunFolder(run);
    this.record(id, { state: 'queued', error: null });
    this.pump();
    return this.run(id);
  }

  /** Takes a run that is not training off the list, with its folder (checkpoints, previews, held-out crops). */
  async remove(id: number): Promise<void> {
    const run = this.run(id);
    if (this.active?.runId === id || run.state === 'queued' || run.state === 'running' || run.state === 'stopping')
      throw new StudioError('invalid-settings', `${run.name} is ${run.state}; stop it first, then remove it.`);
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
    throw new StudioError(
      'in-use',
      `Model "${modelId}" is the base model of the training run "${run.name}" (${run.state}), which needs it to train, resume and measure its result. Let the run finish, or remove the run on the Training screen, then remove the model.`,
      { stage: 'model' },
    );
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
  async close(): Promise<void> {
    this.closing = true;
    const active = this.active;
    if (active) {
      active.stopRequested = true;
      this.record(active.runId, { state: 'stopping' });
      await active.process?.stop();
    }
    await this.finishing;
  }

  /**
   * Records a change of a run and tells the UI. A database on a full disk cannot take it: the change is then
   * kept here (the run still shows it) and written by a later call, so a full disk never leaves a run "running".
   */
  private record(id: number, patch: RunPatch): TrainingRun {
    const pending = { ...this.unsaved.get(id), ...patch };
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
    const { checkpoint: _notShown, ...shown } = patch;
    const state = shown.state ?? run.state;
    return { ...run, ...shown, state, resumable: state === 'stopped' || state === 'failed' };
  }

  private pump(): void {
    if (this.active || this.closing) return;
    const next = this.store.nextQueued();
    if (next) void this.claim(next);
  }

  /** Exports a stopped or failed run's last checkpoint now: evaluated and registered like a finished run. */
  async exportNow(id: number): Promise<TrainingRun> {
    const run = this.run(id);
    if (run.state === 'running' || run.state === 'stopping' || run.state === 'queued')
      throw new StudioError('invalid-settings', `${run.name} is ${run.state}. Stop it first (stopping writes a checkpoint), then export it.`);
    if (run.state === 'done') throw new StudioError('invalid-settings', `${run.name} has finished; its model is already in Models.`);
    requireRunFolder(run);
    if (!existsSync(path.join(run.runDir, 'checkpoint.pt')))
      throw new StudioError('invalid-settings', `${run.name} has no checkpoint to export yet; resume it for a while, or wait until it finishes.`);
    if (this.active) throw new StudioError('invalid-settings', 'Another run is training; export this one when it has finished or stopped.');
    void this.claim(run, run.state);
    return this.run(id);
  }

  /** Takes the trainer slot for `run` before anything awaits, runs it, and lets the next queued run follow. */
  private claim(run: TrainingRun, exportOnly?: 'stopped' | 'failed'): Promise<void> {
    const active: Active = { runId: run.id, stopRequested: false, exportOnly };
    this.active = active;
    this.deps.onActive?.(true);
    this.finishing = this.train(active, run)
      .catch((e: unknown) => void this.record(run.id, { state: 'failed', itPerSec: null, etaSeconds: null, error: failureOf(run, e) }))
      .finally(() => {
        this.active = null;
        this.deps.onActive?.(false);
        this.pump();
      });
    return this.finishing;
  }

  private async train(active: Active, run: TrainingRun): Promise<void> {
    this.record(run.id, { state: 'running', error: null, ...(active.exportOnly ? { stage: 'exporting' } : {}) });
    requireRunFolder(run);
    const python = await this.requirePython();
    if (active.stopRequested) {
      this.record(run.id, { state: active.exportOnly ?? 'stopped' });
      return;
    }
    const args = ['-m', 'trainer', 'finetune', '--config', configFile(run.runDir)];
    if (active.exportOnly) args.push('--export');
    else if (existsSync(path.join(run.runDir, 'checkpoint.pt'))) args.push('--resume');
    active.process = new TrainerProcess({
      python,
      args,
      cwd: this.deps.trainerRoot,
      logFile: path.join(run.runDir, 'train.log'),
      stopTimeoutMs: this.deps.stopTimeoutMs,
      onMessage: (m) => this.onMessage(active, m),
    });
    await this.finish(active, await active.process.exited, python);
  }

  /** The interpreter to train with; a cached failure is probed again, as the user may have installed PyTorch since. */
  private async requirePython(): Promise<string> {
    let python = await this.pythonInfo();
    if (!python.ok) python = await this.pythonInfo(true);
    if (!python.ok || !python.python)
      throw new StudioError('invalid-settings', `Training needs Python with PyTorch, and none was found (${python.tried.map((t) => `${t.candidate}: ${t.problem}`).join('; ')}). ${python.advice ?? ''}`.trim());
    return python.python;
  }

  private onMessage(active: Active, m: TrainerMessage): void {
    const id = active.runId;
    switch (m.type) {
      case 'started':
        this.record(id, { device: m.device === 'cpu' ? 'CPU' : `${String(m.name)} (${String(m.device)})`, step: Number(m.step) || 0 });
        break;
      case 'progress': {
        // a run folder deleted under the trainer is noticed at its next step, not when the run ends
        if (!existsSync(configFile(this.run(id).runDir))) {
          void active.process?.stop();
          break;
        }
        const losses = (m.losses ?? {}) as Record<string, number | null>;
        const step = Number(m.step);
        const point = { step, stage: String(m.stage ?? ''), ...pick(losses, ['ct', 'dtm', 'total']) };
        this.store.addLoss(id, point);
        this.record(id, { step, stage: String(m.stage ?? ''), itPerSec: num(m.itPerSec), etaSeconds: num(m.etaSec) });
        break;
      }
      case 'preview': {
        const metrics = m.metrics as { base: RunPreview['base']; current: RunPreview['current'] };
        this.record(id, { preview: { step: Number(m.step), pair: String(m.pair), base: metrics.base, current: metrics.current } });
        break;
      }
      case 'checkpoint':
        this.record(id, { checkpoint: String(m.path), step: Number(m.step) });
        break;
      case 'heldout':
        active.heldout = { lrDir: String(m.lrDir), hrDir: String(m.hrDir) };
        break;
      case 'exported':
        active.exported = { onnx: String(m.onnx), manifest: String(m.manifest) };
        break;
      case 'error':
        active.error = String(m.message);
        break;
    }
  }

  private async finish(active: Active, exit: TrainerExit, python: string): Promise<void> {
    const id = active.runId;
    const done = { itPerSec: null, etaSeconds: null };
    const run = this.run(id);
    if (!existsSync(configFile(run.runDir))) throw runFolderGone(run);
    if (active.stopRequested) {
      this.record(id, { ...done, state: active.exportOnly ?? 'stopped' });
      return;
    }
    if (exit.code !== 0 || !active.exported) {
      this.record(id, { ...done, state: 'failed', error: failureReason(run, active, exit) });
      return;
    }
    this.record(id, { ...done, stage: 'evaluating' });
    const heldout = active.heldout ?? { lrDir: path.join(run.runDir, 'heldout', 'LR'), hrDir: path.join(run.runDir, 'heldout', 'HR') };
    const tuned = await loadModel(active.exported.onnx);
    const base = await this.deps.resolveModel(run.baseModelId);
    const score = (model: LoadedModel, which: string) =>
      scoreHeldOut({ engine: this.deps.engine(), model, lrDir: heldout.lrDir, hrDir: heldout.hrDir, outDir: path.join(run.runDir, 'eval', which), python, cwd: this.deps.trainerRoot });
    const baseScore = await score(base, 'base');
    const tunedScore = await score(tuned, 'tuned');
    const heldOut: HeldOutMetrics = { pairs: tunedScore.pairs, base: metric(baseScore), tuned: metric(tunedScore) };
    const modelId = await this.register(this.run(id), tuned, baseScore, tunedScore, base);
    this.record(id, active.exportOnly ? { state: active.exportOnly, stage: null, heldOut, modelId } : { state: 'done', stage: 'done', heldOut, modelId });
    this.deps.onModelsChanged();
  }

  /** Registers the export (graph, manifest with held-out metrics and lineage, weights) among the user's models. */
  private async register(run: TrainingRun, tuned: LoadedModel, baseScore: HeldOutScore, tunedScore: HeldOutScore, base: LoadedModel): Promise<string> {
    const asMetric = (s: HeldOutScore) => ({ psnr: round(s.psnr, 3), ssim: round(s.ssim, 4), lpips: s.lpips === undefined ? -1 : round(s.lpips, 4) });
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
    return (await this.deps.registerModel(manifest, tuned.onnxPath)).manifest.id;
  }
}

function configFile(runDir: string): string {
  return path.join(runDir, 'finetune.json');
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function runFolderGone(run: TrainingRun): StudioError {
  return new StudioError(
    'not-found',
    `The run folder ${run.runDir} was deleted or moved: its settings, checkpoint and held-out pictures are gone, so ${run.name} cannot go on. Remove the run from the list and start a new one.`,
    { file: run.runDir },
  );
}

/** Refuses to start the trainer on a run whose folder is gone: it would fail the same way on every resume. */
function requireRunFolder(run: TrainingRun): void {
  if (!existsSync(configFile(run.runDir))) throw runFolderGone(run);
}

/** What a failure that threw says: a vanished run folder is named as such, not by the first file found missing. */
function failureOf(run: TrainingRun, e: unknown): string {
  return run.runDir && !existsSync(configFile(run.runDir)) ? runFolderGone(run).message : (e as Error).message;
}

/** Why the trainer ended without a model, for the person who will resume it. */
function failureReason(run: TrainingRun, active: Active, exit: TrainerExit): string {
  const log = path.join(run.runDir, 'train.log');
  const said = active.error ?? exit.spawnError;
  if (explainError(new Error(`${said ?? ''} ${exit.logError ?? ''} ${lastLine(exit.stderrTail) ?? ''}`), { file: run.runDir, stage: 'output' }).code === 'disk-full')
    return `Training stopped: the disk holding ${run.runDir} is full. Free some space on it, then resume: the run continues from its last checkpoint.`;
  // a signal says more than the last line the trainer logged before it was killed
  const reason = said ?? (exit.signal ? `the trainer was killed by ${exit.signal} (by another program, or by the system when memory ran out)` : (lastLine(exit.stderrTail) ?? `the trainer exited with code ${exit.code}`));
  return `Training failed: ${reason.replace(/\.$/, '')}. Resume continues from the last checkpoint; the log is ${log}.`;
}

function previewPath(runDir: string, step: number): string {
  return path.join(runDir, 'previews', `step_${String(step).padStart(7, '0')}.png`);
}

function trainedOn(scan: SourceScan, source: ParsedTrainingSource): string {
  if (source.kind === 'hr') {
    const how = source.degradation === 'jpeg' ? `JPEG quality ${source.jpegQuality}` : source.degradation === 'bicubic' ? 'bicubic downscaling' : 'Real-ESRGAN degradation';
    return `${scan.pairs.length} photos of ${scan.hrFolder} with ${how} ×${scan.scale} (fine-tuned in the app)`;
  }
  return `${scan.pairs.length} LR/HR pairs of ${path.dirname(scan.hrFolder)} ×${scan.scale} (fine-tuned in the app)`;
}

function metric(s: HeldOutScore): HeldOutMetrics['base'] {
  return { psnr: round(s.psnr, 3), ...(s.lpips !== undefined ? { lpips: round(s.lpips, 4) } : {}) };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function pick(values: Record<string, number | null>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.filter((k) => typeof values[k] === 'number').map((k) => [k, values[k] as number]));
}

function lastLine(text: string): string | null {
  const lines = text.trim().split('\n').filter((l) => l.trim());
  return lines.length ? lines[lines.length - 1].trim() : null;
}
