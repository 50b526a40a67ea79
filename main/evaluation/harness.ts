// One harness run: every model × set × step count enhanced by the app's engine, scored by the trainer,
// bicubic beside, the seed spread over a few seeds, plus CPU speed through the CLI pipeline. `npm run eval` is its
// command line.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { manifestScore, ownStepCount, parseModelManifest, type ModelManifest } from '../../shared/models/manifest.js';
import { Engine } from '../engine/engine.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { bundledModelsDir } from '../models/bundled.js';
import { ModelCatalogue } from '../models/catalogue.js';
import { writeAtomically } from '../pipeline/atomic-write.js';
import { scoreOutputs, scoreSpread, type MetricValues, type SetScore } from './metrics.js';
import { enhanceInputs, evalSettings, measureSpeed, type SpeedResult } from './run-model.js';
import { resolveLrOnly, resolveSet, type EvalSet } from './sets.js';
import { versusBicubic, type ResultRow } from './table.js';

export const shippedModelIds = ['ctmsr-s-x4-real', 'ctmsr-s-x4-clean'] as const;

export interface EvaluationOptions {
  /** Model ids in `models/` or paths to .onnx files. */
  models: string[];
  sets: string[];
  /** Step counts to measure every model at; left out, each model at its own (the length of its manifest's σ list). */
  steps?: number[];
  /** Noise seed of the engine. */
  seed: number;
  /** Seed of BSD100-real's degradation (a different seed is a different set). */
  degradationSeed: number;
  /** Only the first N images of each set (for quick checks; never written into a manifest). */
  maxImages?: number;
  /** Measure CPU speed (512×512 → ×scale) per model and step count. */
  speed: boolean;
  /** ONNX Runtime intra-op threads (0 = automatic, as the CLI). */
  threads: number;
  /** CPU worker sessions; default 'auto', as the CLI. */
  workers?: number | 'auto';
  /** Folders of LR photos without ground truth, enhanced and scored by NIQE alone. */
  lrOnly?: string[];
  /** Seeds (seed, seed + 1, …) whose outputs give the seed spread; < 2 skips it. */
  spreadSeeds?: number;
  /** The spread is measured on the first N images of each set (0 = all). */
  spreadImages?: number;
  /** Keep the enhanced images here instead of a temporary folder. */
  keepOutputs?: string;
  modelsDir?: string;
  log?: (line: string) => void;
}

export interface ResultRecord extends ResultRow {
  modelPath: string;
  vsBicubic: { psnr?: number; ssim?: number; lpipsRatio?: number };
  perImage: SetScore['perImage'];
}

export interface EvaluationReport {
  generatedAt: string;
  /** `steps`: 'own' when each model was measured at its own count. */
  options: { sets: string[]; steps: number[] | 'own'; seed: number; degradationSeed: number; maxImages: number | null; threads: number; spreadSeeds: number; spreadImages: number };
  machine: { cpus: number; cpuModel: string; loadavg1m: number; provider: string };
  models: { id: string; path: string; params?: number; trainedOn?: string }[];
  results: ResultRecord[];
  speed: SpeedResult[];
}

/** Loads every model up front so a missing one fails before any work, with the way to make it. */
export async function loadModels(ids: string[], modelsDir = bundledModelsDir()): Promise<LoadedModel[]> {
  const catalogue = new ModelCatalogue({ bundledDirs: [modelsDir] });
  const models: LoadedModel[] = [];
  for (const id of ids) {
    try {
      models.push(await catalogue.find(id));
    } catch (e) {
      const hint = (shippedModelIds as readonly string[]).includes(id)
        ? ` The shipped models are trained and exported with the trainer (see models/README.md); until then pass --models <path.onnx>, e.g. a checkpoint exported with \`python -m trainer export --checkpoint … --out /tmp/m/model.onnx\`.`
        : '';
      throw new Error(`${(e as Error).message}${hint}`);
    }
  }
  return models;
}

export async function evaluateModels(options: EvaluationOptions): Promise<EvaluationReport> {
  const log = options.log ?? (() => {});
  const models = await loadModels(options.models, options.modelsDir);
  const sets: EvalSet[] = [];
  for (const name of options.sets) sets.push(await resolveSet(name, { degradationSeed: options.degradationSeed, maxImages: options.maxImages, log }));
  for (const dir of options.lrOnly ?? []) sets.push(await resolveLrOnly(dir, { maxImages: options.maxImages }));
  const spreadSeeds = options.spreadSeeds ?? 0;

  const work = options.keepOutputs ?? (await mkdtemp(join(tmpdir(), 'ctmsr-eval-')));
  const engine = new Engine({ providers: ['cpu'], threads: options.threads, workers: options.workers ?? 'auto' });
  const bicubic = new Map<string, MetricValues | undefined>();
  const results: ResultRecord[] = [];
  const speed: SpeedResult[] = [];
  let provider = 'cpu';
  try {
    for (const model of models) {
      const id = model.manifest.id;
      provider = (await engine.open(model)).choice.provider;
      const counts = stepCountsOf(model.manifest, options.steps);
      const mpPerSec = new Map<number, number>();
      if (options.speed) {
        for (const steps of counts) {
          log(`${id}: speed, ${steps} step(s), 512×512 → ×${model.manifest.scale} …`);
          const s = await measureSpeed(engine, model, steps, work, { seed: options.seed });
          speed.push(s);
          mpPerSec.set(steps, s.mpPerSec);
        }
      }
      for (const set of sets) {
        for (const steps of counts) {
          const outDir = join(work, id, set.name, `steps${steps}-seed${options.seed}`);
          log(`${id}: ${set.name}, ${set.inputs.length} image(s), ${steps} step(s) …`);
          const { seconds } = await enhanceInputs(engine, model, set.inputs, outDir, evalSettings(model, steps, options.seed));
          const withBicubic = !bicubic.has(set.name);
          const score = await scoreOutputs({ srDir: outDir, hrDir: set.hrDir, lrDir: withBicubic ? set.lrDir : undefined, scale: model.manifest.scale, name: `${id}/${set.name}/${steps}` });
          if (withBicubic) bicubic.set(set.name, score.bicubic);
          const spread = spreadSeeds > 1 ? await seedSpread(engine, model, set, steps, outDir, options) : undefined;
          const row: ResultRow = { model: id, set: set.name, steps, images: score.images, sr: score.model, bicubic: bicubic.get(set.name), spread, mpPerSec: mpPerSec.get(steps) };
          results.push({ ...row, modelPath: model.onnxPath, vsBicubic: versusBicubic(row.sr, row.bicubic), perImage: score.perImage });
          log(
            `  PSNR ${row.sr.psnr?.toFixed(2) ?? '—'} SSIM ${row.sr.ssim?.toFixed(4) ?? '—'} LPIPS ${row.sr.lpips?.toFixed(4) ?? '—'} NIQE ${row.sr.niqe?.toFixed(3) ?? '—'} ` +
              `spread ${spread?.toFixed(3) ?? '—'} (bicubic ${row.bicubic?.psnr?.toFixed(2) ?? '—'}) in ${seconds.toFixed(1)} s`,
          );
          if (!options.keepOutputs) await rm(outDir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await engine.close();
    if (!options.keepOutputs) await rm(work, { recursive: true, force: true });
  }
  // Bicubic of a set is computed once (with its first model row) and shown beside every row of that set.
  for (const r of results) r.bicubic ??= bicubic.get(r.set);
  return {
    generatedAt: new Date().toISOString(),
    options: {
      sets: sets.map((s) => s.name),
      steps: options.steps ?? 'own',
      seed: options.seed,
      degradationSeed: options.degradationSeed,
      maxImages: options.maxImages ?? null,
      threads: options.threads,
      spreadSeeds,
      spreadImages: options.spreadImages ?? 0,
    },
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadavg1m: loadavg()[0], provider },
    models: models.map((m) => ({ id: m.manifest.id, path: m.onnxPath, params: m.manifest.params, trainedOn: m.manifest.trainedOn })),
    results,
    speed,
  };
}

/** The step counts a model is measured at: those asked for, else its own, as users get it with nothing chosen. */
export function stepCountsOf(manifest: Pick<ModelManifest, 'steps'>, steps: number[] | undefined): number[] {
  return steps ?? [ownStepCount(manifest)];
}

/**
 * The seed spread of one model, set and step count: the first `spreadImages` inputs enhanced again with seeds
 * seed + 1 … seed + spreadSeeds − 1, compared per pixel with their seed-`seed` outputs already in `outDir`.
 */
async function seedSpread(engine: Engine, model: LoadedModel, set: EvalSet, steps: number, outDir: string, options: EvaluationOptions): Promise<number> {
  const inputs = options.spreadImages ? set.inputs.slice(0, options.spreadImages) : set.inputs;
  const stems = new Set(inputs.map((p) => basename(p, extname(p))));
  const base = `${outDir}-spread`;
  const dirs = [join(base, `seed${options.seed}`)];
  try {
    await mkdir(dirs[0], { recursive: true });
    for (const name of await readdir(outDir)) if (stems.has(basename(name, extname(name)))) await copyFile(join(outDir, name), join(dirs[0], name));
    for (let k = 1; k < (options.spreadSeeds ?? 0); k++) {
      const dir = join(base, `seed${options.seed + k}`);
      await enhanceInputs(engine, model, inputs, dir, evalSettings(model, steps, options.seed + k));
      dirs.push(dir);
    }
    return await scoreSpread(dirs);
  } finally {
    if (!options.keepOutputs) await rm(base, { recursive: true, force: true });
  }
}

type ManifestScores = { psnr: number; ssim: number; lpips: number };

/**
 * {set: {psnr, ssim, lpips, bicubic}} of one model's rows at its own step count (what the app runs unless told
 * otherwise, so what its card should promise), rounded as the trainer's export does (-1: not measured); bicubic
 * beside, so the app can show what the numbers mean.
 */
export function manifestMetrics(results: ResultRecord[], manifest: Pick<ModelManifest, 'id' | 'steps'>): Record<string, ManifestScores & { bicubic?: ManifestScores }> {
  const rounded = (m: MetricValues): ManifestScores => manifestScore({ psnr: m.psnr!, ssim: m.ssim, lpips: m.lpips });
  const out: Record<string, ManifestScores & { bicubic?: ManifestScores }> = {};
  const own = ownStepCount(manifest);
  for (const r of results.filter((x) => x.model === manifest.id && x.steps === own && x.sr.psnr !== undefined)) {
    if (r.sr.psnr === null) throw new Error(`${manifest.id} on ${r.set}: PSNR is infinite (outputs equal the ground truth); not a measurement to ship.`);
    out[r.set] = rounded(r.sr);
    if (r.bicubic && r.bicubic.psnr !== null && r.bicubic.psnr !== undefined) out[r.set].bicubic = rounded(r.bicubic);
  }
  return out;
}

/**
 * Writes the measured metrics into the model's manifest (`metrics`, merged per set), keeping every other
 * field as written; the result is validated before it replaces the file.
 */
export async function writeManifestMetrics(model: LoadedModel, metrics: Record<string, ManifestScores & { bicubic?: ManifestScores }>): Promise<string> {
  const path = model.onnxPath.replace(/\.onnx$/i, '.json');
  if (!existsSync(path)) throw new Error(`No manifest beside ${model.onnxPath}.`);
  const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  json.metrics = { ...((json.metrics as Record<string, unknown> | undefined) ?? {}), ...metrics };
  parseModelManifest(json, path);
  await writeAtomically(path, (tmp) => writeFile(tmp, `${JSON.stringify(json, null, 2)}\n`));
  return path;
}
