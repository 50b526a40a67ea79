#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { collisionPolicies, defaultNameTemplate, enhanceSettingsSchema, outputFormats, type EnhanceSettingsInput } from '../../shared/enhance/settings.js';
import { describeIssues } from '../../shared/errors.js';
import { providerNames, type ProviderName } from '../../shared/engine/providers.js';
import { Engine } from '../engine/engine.js';
import { readPixelCount } from '../library/metadata.js';
import { dataDirOf, defaultDataDir } from '../host/app-info.js';
import { studioPaths } from '../host/paths.js';
import { bundledDefaultId, bundledModelsDir } from '../models/bundled.js';
import { ModelCatalogue } from '../models/catalogue.js';
import { collectInputs } from '../pipeline/collect-inputs.js';
import { removeStaleTemporaries } from '../pipeline/atomic-write.js';
import { ensureFolder } from '../pipeline/ensure-folder.js';
import { planOutputs, templateValues, type OutputPlanOptions } from '../pipeline/output-path.js';
import { runPlan } from '../pipeline/runner.js';
import { pipelineStages } from '../pipeline/stages.js';
import { ThroughputMeter } from '../pipeline/throughput.js';
import { runIfEntry } from './entry.js';
import { printable, printableLines } from '../../shared/printable.js';
import { progressReporter } from './progress.js';
import { imagesAtOnce } from '../engine/pool/worker-plan.js';
import { summaryTable } from './summary.js';
import { modelStyles, styleWords, type ModelManifest } from '../../shared/models/manifest.js';
import { sigmaSchedule } from '../engine/schedule.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number.`);
  return n;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number.');
  return n;
};
const workerCount = (v: string): number | 'auto' => {
  if (v === 'auto') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be "auto" or a whole number of at least 1.');
  return n;
};
const providerList = (v: string): ProviderName[] => {
  const list = v.split(',').map((s) => s.trim());
  const bad = list.filter((p) => !(providerNames as readonly string[]).includes(p));
  if (bad.length) throw new InvalidArgumentError(`unknown provider ${bad.join(', ')} (choose from ${providerNames.join(', ')}).`);
  return list as ProviderName[];
};

/** ", 2 steps": the count a `ctmsr` model runs, resolved as the engine does, since it multiplies the time; feed-forward models have none. */
const sampling = (manifest: ModelManifest, steps: number | undefined) => {
  if (manifest.kind !== 'ctmsr') return '';
  const count = sigmaSchedule(manifest, steps).length;
  return `, ${count} step${count > 1 ? 's' : ''}`;
};

/** "faithful = Faithful: closest to the original; detail = …", the shipped styles in plain words. */
const styleChoices = () => modelStyles.map((s) => `${s} = ${styleWords[s]}`).join('; ');

export function buildProgram(): Command {
  return new Command('enhance')
    .description('Enhance photos with a CTMSR super-resolution model. Inputs are files and folders; originals are never modified.')
    .argument('<inputs...>', 'image files and/or folders')
    .requiredOption('-o, --out <dir>', 'output folder (created if missing)')
    .option('-m, --model <id|style|path>', `model id (shipped, or imported or fine-tuned in the app), a style (${styleChoices()}), or a path to an .onnx file (default: ${bundledDefaultId})`)
    .option('--data-dir <dir>', `the app's data folder, whose imported and fine-tuned models --model finds by id (default: CTMSR_DATA_DIR, else ${defaultDataDir()})`)
    .option('-r, --recursive', 'include subfolders, mirroring the folder tree under --out', false)
    .option('-s, --scale <n>', 'output scale (e.g. 2, 3, 4; at most the model\'s own)', positive)
    .option('-W, --width <px>', 'exact output width (height follows the aspect unless given)', int('width'))
    .option('-H, --height <px>', 'exact output height', int('height'))
    .option('--steps <n>', "sampling steps for CTMSR models (default: the model's own, see its manifest; 1 for most)", int('steps'))
    .option('--seed <n>', 'noise seed; the same seed gives the same result', int('seed'), 0)
    .addOption(new Option('-f, --format <format>', 'output format').choices(outputFormats).default('same'))
    .option('-q, --quality <1-100>', 'JPEG/WebP/AVIF/TIFF quality', int('quality'), 92)
    .option('--compression <0-9>', 'PNG compression level', int('compression'), 6)
    .option('--no-metadata', 'drop EXIF, XMP, IPTC and the ICC profile')
    .option('--name <template>', 'output file name without extension; tokens {name}, {ext}, {model}, {scale}', defaultNameTemplate)
    .option('--skip-existing', 'skip images whose output already exists', false)
    .addOption(new Option('--on-conflict <policy>', 'when an output exists: rename, overwrite, skip or fail (inputs are never overwritten)').choices(collisionPolicies).default('rename'))
    .option('--tile-size <px>', 'LR tile side (default: from the memory budget)', int('tile size'))
    .option('--memory <MB>', 'working memory budget for the model', int('memory'), 1024)
    .option('--provider <list>', `execution providers in order of preference (${providerNames.join(', ')}); CPU is the fallback`, providerList)
    .option('--device <id>', 'GPU device id', int('device'), 0)
    .option('--threads <n>', 'CPU threads for ONNX Runtime (0 = automatic)', int('threads'), 0)
    .option('--workers <n|auto>', 'CPU sessions running side by side, one thread each unless --threads (auto = one per core, within --memory)', workerCount, 'auto')
    .addHelpText('after', '\nFile names that start with "-" go after "--", which ends the options:\n  ctmsr-enhance --out enhanced -- -holiday.jpg')
    .configureOutput({ writeErr: (text) => process.stderr.write(printableLines(text)), writeOut: (text) => process.stdout.write(printableLines(text)) });
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.parse(argv);
  const opts = program.opts();
  const settingsInput: EnhanceSettingsInput = {
    scale: opts.scale,
    width: opts.width,
    height: opts.height,
    steps: opts.steps,
    seed: opts.seed,
    format: opts.format,
    quality: opts.quality,
    compression: opts.compression,
    keepMetadata: opts.metadata,
    tileSize: opts.tileSize,
  };
  const parsed = enhanceSettingsSchema.safeParse(settingsInput);
  if (!parsed.success) {
    console.error(printable(`error: ${describeIssues(parsed.error.issues, 'settings')}`));
    return 2;
  }
  const settings = parsed.data;

  let model;
  try {
    // the app's own catalogue: shipped models, then the ones imported and fine-tuned in the app (read only here)
    const chosen = await new ModelCatalogue({ bundledDirs: [bundledModelsDir()], userDir: studioPaths(dataDirOf(opts.dataDir)).models }).resolve(opts.model);
    if (chosen.notice) console.error(printable(`note: ${chosen.notice}`));
    model = chosen.model;
  } catch (e) {
    console.error(printable(`error: ${(e as Error).message}`));
    return 2;
  }
  settings.modelId = model.manifest.id;

  const { inputs, problems, emptyFolders } = await collectInputs(program.args, { recursive: opts.recursive, outDir: resolve(opts.out) });
  for (const p of problems) console.error(printable(`warning: ${p.message}${p.code === 'not-found' ? '' : ' Skipped.'}`));
  for (const folder of emptyFolders) console.error(printable(`warning: ${folder} holds no images${opts.recursive ? '' : ' (add --recursive to include subfolders)'}.`));
  if (inputs.length === 0) {
    console.error('error: no images to enhance.');
    return 2;
  }
  const planOptions: OutputPlanOptions = {
    outDir: resolve(opts.out),
    format: settings.format,
    template: opts.name,
    templateValues: templateValues(settings, model.manifest),
    collision: opts.onConflict,
    skipExisting: opts.skipExisting,
  };
  // a file named on its own is written flat (its root is its folder); a folder's images mirror its tree
  const plan = planOutputs(inputs, planOptions);
  await removeStaleTemporaries(plan.map((p) => p.output));
  try {
    await ensureFolder(resolve(opts.out));
  } catch (e) {
    console.error(printable(`error: ${(e as Error).message}`));
    return 2;
  }

  const engine = new Engine({ providers: opts.provider, deviceId: opts.device, threads: opts.threads, memoryBudgetMB: opts.memory, workers: opts.workers });
  let onCpu = true;
  try {
    const { choice } = await engine.open(model);
    onCpu = choice.provider === 'cpu';
    const cpu = engine.cpuWorkers(model);
    const workers = choice.provider === 'cpu' && cpu.workers > 1 ? `, ${cpu.workers} CPU workers × ${cpu.threadsPerWorker} thread${cpu.threadsPerWorker > 1 ? 's' : ''}` : '';
    console.error(printable(`model ${model.manifest.id} (×${model.manifest.scale}${sampling(model.manifest, settings.steps)}) on ${choice.provider}${workers}${choice.fallbackReason ? ` (fallback: ${choice.fallbackReason})` : ''}`));
  } catch (e) {
    console.error(printable(`error: ${(e as Error).message}`));
    return 2;
  }

  const pixels = await Promise.all(plan.map(async (p) => ({ input: p.input, pixels: (await readPixelCount(p.input)) ?? 0 })));
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\nStopping after the current tile (press Ctrl+C again to quit at once)…');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const meter = new ThroughputMeter();
  const reporter = progressReporter(pixels, meter);
  const atOnce = imagesAtOnce({
    workers: onCpu ? engine.cpuWorkers(model).workers : 1,
    memoryBudgetMB: opts.memory,
    // a reduce, not a spread: a folder of 200,000 photos would overflow the call's arguments
    largestInputPixels: pixels.reduce((largest, p) => Math.max(largest, p.pixels), 0),
    scale: model.manifest.scale,
  });
  let outcomes;
  try {
    const stages = pipelineStages({ engine, model: async () => model });
    outcomes = await runPlan(plan, { stages, settings, planOptions, signal: controller.signal, events: reporter, meter, imagesAtOnce: atOnce });
  } finally {
    reporter.stop();
    const pool = engine.workerPool;
    if (pool) console.error(`${pool.peakWorkers} CPU worker${pool.peakWorkers > 1 ? 's' : ''} ran the tiles`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
  console.log(summaryTable(outcomes));
  if (outcomes.some((o) => o.status === 'cancelled')) return 130;
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

runIfEntry(import.meta.url, main);
