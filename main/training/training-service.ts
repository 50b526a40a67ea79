/**
 * Fine-tuning runs from the app (DESIGN §6): checks the source and the Python, writes the run's finetune.json,
 * runs one trainer at a time, records what it reports, and at the end scores the held-out pairs through the app's
 * engine (base vs fine-tuned) and registers the result as a `fine-tuned` model with its lineage.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { loadModel } from '../models/load-model.js';
import { StudioError } from '../../shared/errors.js';
import { modelManifestSchema, type LoadedModel, type ModelManifest } from '../../shared/models/manifest.js';
import type { HeldOutMetrics, PythonInfo, RunPreview, SourceScan, TrainingRun } from '../../shared/training/types.js';
import { startTrainingSchema, type ParsedTrainingSource } from '../../shared/training/types.js';
import type { z } from 'zod';
import type { StudioDatabase } from '../store/db.js';
import { baseCheckpoint } from './base-checkpoint.js';
import { scoreHeldOut, type HeldOutScore } from './heldout-eval.js';
import type { TrainerMessage } from './json-lines.js';
import { lengthPlan } from './length-presets.js';
import { discoverPython } from './python.js';
import { RunsStore } from './runs-store.js';
import { scanSource, splitHeldOut } from './source-scan.js';
import { TrainerProcess } from './trainer-process.js';

export type StartRequest = z.output<typeof startTrainingSchema>;

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
  /** A run starts (true) or the last one ends (false): the host pauses batches if the user asked for it. */
  onActive?(active: boolean): void;
  onRunChanged(run: TrainingRun): void;
  onModelsChanged(): void;
  /** Grace after SIGTERM before the trainer is killed. */
  stopTimeoutMs?: number;
}

interface Active {
  runId: number;
  process: TrainerProcess;
  stopRequested: boolean;
  /** Export the last checkpoint only; afterwards the run returns to this state (it can still resume). */
  exportOnly?: 'stopped' | 'failed';
  exported?: { onnx: string; manifest: string };
  heldout?: { lrDir: string; hrDir: string };
  error?: string;
}

export class TrainingService {
  private readonly store: RunsStore;
  private active: Active | null = null;
  private python: Promise<PythonInfo> | null = null;
  private closing = false;
  private finishing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TrainingDeps) {
    this.store = new RunsStore(deps.db);
    this.store.recoverInterrupted();
  }

  /** The Python the trainer runs with (found once; `refresh` looks again, e.g. after the setting changed). */
  pythonInfo(refresh = false): Promise<PythonInfo> {
    if (refresh || !this.python) this.python = discoverPython({ setting: this.deps.pythonSetting() });
    return this.python;
  }

  scan(source: ParsedTrainingSource, cropSide?: number): Promise<SourceScan> {
    return scanSource(source, { cropSide });
  }

  runs(): TrainingRun[] {
    return this.store.list();
  }

  run(id: number): TrainingRun {
    return this.store.get(id);
  }

  async start(request: StartRequest): Promise<TrainingRun> {
    const python = await this.pythonInfo(true);
    if (!python.ok) throw new StudioError('invalid-settings', `Training needs Python with PyTorch, and none was found (${python.tried.map((t) => `${t.candidate}: ${t.problem}`).join('; ')}). ${python.advice}`);
    const base = await this.deps.resolveModel(request.baseModelId);
    const checkpoint = baseCheckpoint(base, this.deps.trainerRoot);
    if (!checkpoint) throw new StudioError('model-invalid', `${base.manifest.name} cannot be fine-tuned: its training weights are not installed (only models made by the trainer, and the fine-tuned ones, carry them). Choose another base model.`);
    const plan = lengthPlan(request.length, request.iterations);
    const scan = await scanSource(request.source, { cropSide: plan.cropSide });
    if (scan.problem) throw new StudioError('invalid-settings', scan.problem);
    if (scan.scale !== base.manifest.scale) throw new StudioError('invalid-settings', `The pairs are ×${scan.scale} but ${base.manifest.name} is ×${base.manifest.scale}. Choose a ×${scan.scale} base model.`);
    const { train, heldOut } = splitHeldOut(scan.pairs, request.heldOutShare);
    const folderName = path.basename(request.source.folder ?? path.dirname(scan.hrFolder));
    const name = request.name ?? defaultRunName(folderName, base.manifest.name);
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
      base: { checkpoint, model_id: base.manifest.id },
      source: {
        kind: scan.kind,
        // half the samples plainly downscaled: a model tuned to one kind of damage keeps working on clean pictures
        // (measured: with a quarter, Set14 lost 0.65 dB after a JPEG fine-tune; with half, 0.13 dB)
        ...(source.kind === 'hr' ? { degradation: source.degradation, jpeg_quality: source.jpegQuality, clean_share: source.degradation === 'bicubic' ? 0 : 0.5 } : {}),
        train: train.map((p) => ({ stem: p.stem, hr: p.hr, ...(p.lr ? { lr: p.lr } : {}) })),
        heldout: heldOut.map((p) => ({ stem: p.stem, hr: p.hr, ...(p.lr ? { lr: p.lr } : {}) })),
      },
      // the model is named as its run: the Models screen says "Fine-tuned" beside the name
      export: { id: modelId, name, description: `Fine-tuned from ${base.manifest.name} on ${train.length} ${scan.kind === 'pairs' ? 'pairs' : 'photos'} of ${scan.hrFolder}.`, trained_on: trainedOn(scan, source) },
      trainer: plan.trainer ?? {},
    };
    await writeFile(path.join(runDir, 'finetune.json'), `${JSON.stringify(config, null, 2)}\n`);
    this.changed(this.store.update(id, { runDir }));
    this.pump();
    return this.store.get(id);
  }

  async stop(id: number): Promise<TrainingRun> {
    const run = this.store.get(id);
    if (run.state === 'queued') return this.changed(this.store.update(id, { state: 'stopped' }));
    if (this.active?.runId !== id) throw new StudioError('invalid-settings', `${run.name} is not training (it is ${run.state}).`);
    this.active.stopRequested = true;
    this.changed(this.store.update(id, { state: 'stopping' }));
    void this.active.process.stop();
    return this.store.get(id);
  }

  resume(id: number): TrainingRun {
    const run = this.store.get(id);
    if (run.state !== 'stopped' && run.state !== 'failed') throw new StudioError('invalid-settings', `${run.name} is ${run.state}; only a stopped or failed run can resume.`);
    this.changed(this.store.update(id, { state: 'queued', error: null }));
    this.pump();
    return this.store.get(id);
  }

  /** The preview strip (LR | base | current | HR) of a run's latest preview, as a PNG data URL. */
  async previewImage(id: number): Promise<string | null> {
    const run = this.store.get(id);
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
      this.store.update(active.runId, { state: 'stopping' });
      await active.process.stop();
    }
    await this.finishing;
  }

  private changed(run: TrainingRun): TrainingRun {
    this.deps.onRunChanged(run);
    return run;
  }

  private pump(): void {
    if (this.active || this.closing) return;
    const next = this.store.nextQueued();
    if (!next) return;
    void this.launch(next).catch((e: unknown) => {
      this.changed(this.store.update(next.id, { state: 'failed', error: (e as Error).message }));
      this.active = null;
      this.deps.onActive?.(false);
      this.pump();
    });
  }

  /** Exports a stopped or failed run's last checkpoint now: evaluated and registered like a finished run. */
  async exportNow(id: number): Promise<TrainingRun> {
    const run = this.store.get(id);
    if ((run.state !== 'stopped' && run.state !== 'failed') || !existsSync(path.join(run.runDir, 'checkpoint.pt')))
      throw new StudioError('invalid-settings', `${run.name} has no checkpoint to export yet; resume it for a while, or wait until it finishes.`);
    if (this.active) throw new StudioError('invalid-settings', 'Another run is training; export this one when it has finished or stopped.');
    await this.launch(run, run.state);
    return this.store.get(id);
  }

  private async launch(run: TrainingRun, exportOnly?: 'stopped' | 'failed'): Promise<void> {
    const python = await this.pythonInfo();
    if (!python.ok || !python.python) throw new StudioError('invalid-settings', `Training needs Python with PyTorch. ${python.advice ?? ''}`);
    const config = path.join(run.runDir, 'finetune.json');
    const args = ['-m', 'trainer', 'finetune', '--config', config];
    if (exportOnly) args.push('--export');
    else if (existsSync(path.join(run.runDir, 'checkpoint.pt'))) args.push('--resume');
    this.changed(this.store.update(run.id, { state: 'running', error: null, ...(exportOnly ? { stage: 'exporting' } : {}) }));
    const active: Active = {
      runId: run.id,
      stopRequested: false,
      exportOnly,
      process: new TrainerProcess({
        python: python.python,
        args,
        cwd: this.deps.trainerRoot,
        logFile: path.join(run.runDir, 'train.log'),
        stopTimeoutMs: this.deps.stopTimeoutMs,
        onMessage: (m) => this.onMessage(active, m),
      }),
    };
    this.active = active;
    this.deps.onActive?.(true);
    void active.process.exited.then((exit) => {
      this.finishing = this.finish(active, exit.code, exit.spawnError ?? null, exit.stderrTail, python.python!).catch((e: unknown) => {
        this.changed(this.store.update(active.runId, { state: 'failed', error: (e as Error).message }));
      }).finally(() => {
        this.active = null;
        this.deps.onActive?.(false);
        this.pump();
      });
    });
  }

  private onMessage(active: Active, m: TrainerMessage): void {
    const id = active.runId;
    switch (m.type) {
      case 'started':
        this.changed(this.store.update(id, { device: m.device === 'cpu' ? 'CPU' : `${String(m.name)} (${String(m.device)})`, step: Number(m.step) || 0 }));
        break;
      case 'progress': {
        const losses = (m.losses ?? {}) as Record<string, number | null>;
        const step = Number(m.step);
        const point = { step, stage: String(m.stage ?? ''), ...pick(losses, ['ct', 'dtm', 'total']) };
        this.store.addLoss(id, point);
        this.changed(this.store.update(id, { step, stage: String(m.stage ?? ''), itPerSec: num(m.itPerSec), etaSeconds: num(m.etaSec) }));
        break;
      }
      case 'preview': {
        const metrics = m.metrics as { base: RunPreview['base']; current: RunPreview['current'] };
        this.changed(this.store.update(id, { preview: { step: Number(m.step), pair: String(m.pair), base: metrics.base, current: metrics.current } }));
        break;
      }
      case 'checkpoint':
        this.changed(this.store.update(id, { checkpoint: String(m.path), step: Number(m.step) }));
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

  private async finish(active: Active, code: number | null, spawnError: string | null, stderrTail: string, python: string): Promise<void> {
    const id = active.runId;
    const done = { itPerSec: null, etaSeconds: null };
    if (active.stopRequested) {
      this.changed(this.store.update(id, { ...done, state: 'stopped' }));
      return;
    }
    if (code !== 0 || !active.exported) {
      const reason = (active.error ?? spawnError ?? lastLine(stderrTail) ?? `the trainer exited with code ${code}`).replace(/\.$/, '');
      this.changed(this.store.update(id, { ...done, state: 'failed', error: `Training failed: ${reason}. Resume continues from the last checkpoint; the log is ${path.join(this.store.get(id).runDir, 'train.log')}.` }));
      return;
    }
    this.changed(this.store.update(id, { ...done, stage: 'evaluating' }));
    const run = this.store.get(id);
    const heldout = active.heldout ?? { lrDir: path.join(run.runDir, 'heldout', 'LR'), hrDir: path.join(run.runDir, 'heldout', 'HR') };
    const tuned = await loadModel(active.exported.onnx);
    const base = await this.deps.resolveModel(run.baseModelId);
    const score = (model: LoadedModel, which: string) =>
      scoreHeldOut({ engine: this.deps.engine(), model, lrDir: heldout.lrDir, hrDir: heldout.hrDir, outDir: path.join(run.runDir, 'eval', which), python, cwd: this.deps.trainerRoot });
    const baseScore = await score(base, 'base');
    const tunedScore = await score(tuned, 'tuned');
    const heldOut: HeldOutMetrics = { pairs: tunedScore.pairs, base: metric(baseScore), tuned: metric(tunedScore) };
    const modelId = await this.register(run, tuned, baseScore, tunedScore, base);
    this.changed(this.store.update(id, active.exportOnly ? { state: active.exportOnly, stage: null, heldOut, modelId } : { state: 'done', stage: 'done', heldOut, modelId }));
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

/** A run's (and its model's) name when none was given; base models' names often end in brackets of their own. */
export function defaultRunName(folderName: string, baseName: string): string {
  return `${folderName} · ${baseName}`;
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
