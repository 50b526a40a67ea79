#!/usr/bin/env node
// npm run eval -- [--models ctmsr-s-x4-real ctmsr-s-x4-clean | paths] [--sets Set5 Set14 BSD100 BSD100-real
//                 BSD100-jpeg20] [--lr-only DIR …] [--steps 1 2] [--seed 0] [--spread-seeds 4] [--spread-images 10]
//                 [--max-images N] [--json out.json] [--write-manifest]
// The app's engine enhances each set (the one image runner, PNG, seed fixed); the trainer scores the outputs
// (PSNR/SSIM on Y, shave 4, LPIPS-squeeze, NIQE, seed spread) with bicubic beside; a markdown table goes to stdout.
import { Command, InvalidArgumentError } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ownStepCount } from '../../shared/models/manifest.js';
import { evaluateModels, manifestMetrics, shippedModelIds, writeManifestMetrics, loadModels, type EvaluationReport } from '../evaluation/harness.js';
import { defaultSets } from '../evaluation/sets.js';
import { resultsTable, speedTable } from '../evaluation/table.js';
import { runIfEntry } from './entry.js';

const wholeNumber = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}.`);
  return n;
};
const stepCounts = (v: string, previous: number[] | undefined) => [...(previous ?? []), wholeNumber('steps', 1)(v)];

export function buildProgram(): Command {
  return new Command('eval')
    .description('Measure models as users get them: the app engine enhances the benchmark sets, the trainer scores them (PSNR/SSIM on Y, LPIPS-squeeze, NIQE, seed spread), bicubic beside.')
    .option('--models <ids...>', 'model ids in models/ or paths to .onnx files', [...shippedModelIds])
    .option('--sets <names...>', `sets: ${defaultSets.join(', ')}, or folders holding HR/ and LR_x4/`, [...defaultSets])
    .option('--lr-only <dirs...>', 'also folders of LR photos without ground truth, scored by NIQE alone')
    .option('--steps <n...>', "sampling step counts to measure (default: each model's own, see its manifest; 1 for most)", stepCounts)
    .option('--seed <n>', 'noise seed of the engine', wholeNumber('seed', 0), 0)
    .option('--degradation-seed <n>', 'seed of the BSD100-real degradation', wholeNumber('degradation seed', 0), 0)
    .option('--spread-seeds <n>', 'seed spread: mean per-pixel std of the output over this many seeds (0 or 1: skip)', wholeNumber('spread seeds', 0), 4)
    .option('--spread-images <n>', 'measure the seed spread on the first N images of each set (0: all)', wholeNumber('spread images', 0), 10)
    .option('--max-images <n>', 'only the first N images of each set (quick checks)', wholeNumber('max images', 1))
    .option('--json <path>', 'also write the full results (per image too) as JSON')
    .option('--write-manifest', "write the metrics at each model's own step count into its manifest (metrics field)", false)
    .option('--no-speed', 'skip the CPU speed measurement (512×512 → 2048×2048)')
    .option('--threads <n>', 'ONNX Runtime threads (0 = automatic, as the CLI)', wholeNumber('threads', 0), 0)
    .option('--keep-outputs <dir>', 'keep the enhanced images in this folder');
}

export function markdownReport(report: EvaluationReport): string {
  const m = report.machine;
  const note =
    `CPU: ${m.cpus} × ${m.cpuModel}, ONNX Runtime ${m.provider}, threads ${report.options.threads || 'auto'}, load average ${m.loadavg1m.toFixed(1)} at the end ` +
    `(a busy machine lowers MP/s). Seed ${report.options.seed}; BSD100-real degradation seed ${report.options.degradationSeed}` +
    `${report.options.maxImages ? `; only the first ${report.options.maxImages} image(s) of each set` : ''}.`;
  const spread = report.options.spreadSeeds > 1 ? `; seed spread: mean per-pixel std over seeds ${report.options.seed}–${report.options.seed + report.options.spreadSeeds - 1}, 8-bit levels, first ${report.options.spreadImages || 'all'} image(s) of each set` : '';
  const parts = [`## Quality (×4; PSNR/SSIM on Y, BT.601, shave 4; LPIPS-squeeze; NIQE on Y, crop border 4${spread}; bicubic beside)`, '', resultsTable(report.results)];
  if (report.speed.length > 0) parts.push('', '## CPU speed (CLI pipeline: decode → enhance → PNG encode → write)', '', speedTable(report.speed, note));
  else parts.push('', note);
  return parts.join('\n');
}

/** Why --write-manifest cannot record what `steps` measures: a model's own count missing from it (checked before hours of work). */
async function ownCountsLeftOut(ids: string[], steps: number[]): Promise<string | undefined> {
  let models;
  try {
    models = await loadModels(ids);
  } catch {
    return undefined; // the evaluation reports a missing model, with the way to make it
  }
  const missing = models.filter((m) => !steps.includes(ownStepCount(m.manifest)));
  if (missing.length === 0) return undefined;
  const counts = missing.map((m) => `${m.manifest.id}: ${ownStepCount(m.manifest)}`).join(', ');
  return `--write-manifest records each model's metrics at its own step count (${counts}); include it in --steps, or leave --steps out.`;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.parse(argv);
  const o = program.opts();
  const steps: number[] | undefined = o.steps;
  if (o.writeManifest) {
    if (o.maxImages) {
      console.error('error: --write-manifest records whole sets; leave out --max-images.');
      return 2;
    }
    const problem = steps && (await ownCountsLeftOut(o.models, steps));
    if (problem) {
      console.error(`error: ${problem}`);
      return 2;
    }
  }
  let report: EvaluationReport;
  try {
    report = await evaluateModels({
      models: o.models,
      sets: o.sets,
      steps,
      seed: o.seed,
      degradationSeed: o.degradationSeed,
      maxImages: o.maxImages,
      lrOnly: o.lrOnly,
      spreadSeeds: o.spreadSeeds,
      spreadImages: o.spreadImages,
      speed: o.speed,
      threads: o.threads,
      keepOutputs: o.keepOutputs ? resolve(o.keepOutputs) : undefined,
      log: (line) => console.error(line),
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
  console.log(markdownReport(report));
  if (o.json) await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`);
  if (o.writeManifest) {
    for (const model of await loadModels(o.models)) {
      const path = await writeManifestMetrics(model, manifestMetrics(report.results, model.manifest));
      console.error(`metrics written into ${path}`);
    }
  }
  return 0;
}

runIfEntry(import.meta.url, main);
