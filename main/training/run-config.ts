/**
 * The run's finetune.json (shared/training/finetune-config.ts, docs/trainer-protocol.md): what the app decided — the
 * length plan, the scanned and split pictures, the base model — in the trainer's terms.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedModel } from '../../shared/models/manifest.js';
import type { FinetuneConfig } from '../../shared/training/finetune-config.js';
import type { ParsedTrainingSource, SourcePair, SourceScan, StageChoice } from '../../shared/training/types.js';
import type { LengthPlan } from './length-presets.js';
import { configFile } from './run-folder.js';
import { maxTrainingPixels } from './source-scan.js';

export interface RunConfigInput {
  id: number;
  runDir: string;
  /** The run's name as listed, and its model's. */
  name: string;
  stages: StageChoice;
  plan: LengthPlan;
  source: ParsedTrainingSource;
  scan: SourceScan;
  train: SourcePair[];
  heldOut: SourcePair[];
  base: LoadedModel;
  /** The base model's training weights. */
  checkpoint: string;
}

export function runConfig(input: RunConfigInput): FinetuneConfig {
  const { id, runDir, plan, source, scan, train, heldOut, base } = input;
  const files = (pairs: SourcePair[]) => pairs.map((p) => ({ stem: p.stem, hr: p.hr, ...(p.lr ? { lr: p.lr } : {}) }));
  return {
    out: runDir,
    seed: id,
    device: plan.device ?? 'auto',
    threads: plan.threads ?? 0,
    scale: base.manifest.scale,
    crop: scan.crop,
    batch: plan.batch,
    iterations: plan.iterations,
    stages: input.stages,
    preview_every: plan.previewEvery,
    checkpoint_every: plan.checkpointEvery,
    log_every: plan.logEvery,
    heldout_lr_side: plan.heldOutLrSide,
    max_pixels: maxTrainingPixels,
    base: { checkpoint: input.checkpoint, model_id: base.manifest.id },
    source:
      source.kind === 'hr'
        ? {
            kind: 'hr',
            degradation: source.degradation,
            jpeg_quality: source.jpegQuality,
            // half the samples plainly downscaled: a model tuned to one kind of damage keeps working on clean pictures
            // (measured: with a quarter, Set14 lost 0.65 dB after a JPEG fine-tune; with half, 0.13 dB)
            clean_share: source.degradation === 'bicubic' ? 0 : 0.5,
            train: files(train),
            heldout: files(heldOut),
          }
        : { kind: 'pairs', train: files(train), heldout: files(heldOut) },
    export: {
      id: `${base.manifest.id}-ft${id}`.replace(/[^a-z0-9._-]+/gi, '-'),
      // the model is named as its run: the Models screen says "Fine-tuned" beside the name
      name: input.name,
      description: `Fine-tuned from ${base.manifest.name} on ${train.length} ${scan.kind === 'pairs' ? 'pairs' : 'photos'} of ${scan.hrFolder}.`,
      trained_on: trainedOn(scan, source),
    },
    trainer: plan.trainer ?? {},
  };
}

export async function writeRunConfig(config: FinetuneConfig): Promise<void> {
  await writeFile(configFile(config.out), `${JSON.stringify(config, null, 2)}\n`);
}

function trainedOn(scan: SourceScan, source: ParsedTrainingSource): string {
  if (source.kind === 'hr') {
    const how = source.degradation === 'jpeg' ? `JPEG quality ${source.jpegQuality}` : source.degradation === 'bicubic' ? 'bicubic downscaling' : 'Real-ESRGAN degradation';
    return `${scan.pairs.length} photos of ${scan.hrFolder} with ${how} ×${scan.scale} (fine-tuned in the app)`;
  }
  return `${scan.pairs.length} LR/HR pairs of ${path.dirname(scan.hrFolder)} ×${scan.scale} (fine-tuned in the app)`;
}

/** A run's (and its model's) name when none was given; base models' names often end in brackets of their own. */
export function defaultRunName(folderName: string, baseName: string): string {
  return `${folderName} · ${baseName}`;
}

/** `name`, or "name (2)", "name (3)", … where the list already holds it: two runs, and the models they make, are
 * never told apart by their place in a list alone. */
export function distinctRunName(name: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  let candidate = name;
  for (let n = 2; names.has(candidate); n++) candidate = `${name} (${n})`;
  return candidate;
}
