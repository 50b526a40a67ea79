// Child process of the benchmark: enhances a folder's images as `npm run enhance` does (the one
// image runner, PNG out) and prints the time after start-up (model open and a warm-up image), so
// every configuration is measured in a fresh process on the same footing as the peers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { enhanceSettingsSchema } from '../../shared/enhance/settings.js';
import { runPlan } from '../../main/pipeline/runner.js';
import { pipelineStages } from '../../main/pipeline/stages.js';
import { loadModel } from '../../main/models/load-model.js';
import { planOutputs } from '../../main/pipeline/output-path.js';
import { photoPixels } from '../../main/testing/photos.js';
import { Engine } from '../../main/engine/engine.js';
import { imagesAtOnce } from '../../main/engine/pool/worker-plan.js';

const { modelPath, images, threads, workers, threadSpinning } = JSON.parse(process.argv[2]) as { modelPath: string; images: string[]; threads: number; workers: number | 'auto'; threadSpinning?: boolean };
const model = await loadModel(modelPath);
const engine = new Engine({ providers: ['cpu'], threads, workers, threadSpinning });
const settings = enhanceSettingsSchema.parse({ format: 'png', compression: 1 });
const out = await mkdtemp(join(tmpdir(), 'ctmsr-bench-out-'));
const plan = (inputs: string[], dir: string) => planOutputs(inputs.map((path) => ({ path })), { outDir: join(out, dir), format: 'png', template: '{name}', collision: 'overwrite', skipExisting: false });

const warm = join(out, 'warm.png');
await sharp(photoPixels(96, 64), { raw: { width: 96, height: 64, channels: 3 } }).png().toFile(warm);
const stages = pipelineStages({ engine, model: async () => model });
await runPlan(plan([warm], 'warm'), { stages, settings });

const sizes = await Promise.all(images.map(async (p) => sharp(p).metadata()));
const largestInputPixels = Math.max(...sizes.map((m) => (m.width ?? 0) * (m.height ?? 0)));
// as the CLI chooses
const atOnce = imagesAtOnce({ workers: engine.cpuWorkers(model).workers, memoryBudgetMB: engine.options.memoryBudgetMB, largestInputPixels, scale: model.manifest.scale });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const outcomes = await runPlan(plan(images, 'out'), { stages, settings, imagesAtOnce: atOnce });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const failed = outcomes.filter((o) => o.status !== 'done');
if (failed.length) throw new Error(`bench images failed: ${JSON.stringify(failed)}`);
const outPixels = outcomes.reduce((s, o) => s + (o.status === 'done' ? o.width * o.height : 0), 0);
console.log(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, outPixels, images: outcomes.length, workers: engine.workerPool?.size ?? 1 }));
await engine.close();
await rm(out, { recursive: true, force: true });
