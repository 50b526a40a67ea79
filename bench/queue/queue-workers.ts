/**
 * The app's queue on the CPU: one photo at a time (as before it ran several) against as many at
 * once as there are workers, on the same photos and the shipped model, in alternating rounds.
 * Usage: npx tsx bench/queue/queue-workers.ts [--photos 8] [--width 160] [--height 120] [--rounds 2]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Engine } from '../../main/engine/engine.js';
import { bundledModelsDir } from '../../main/models/bundled.js';
import { loadModel } from '../../main/models/load-model.js';
import { pipelineStages } from '../../main/pipeline/stages.js';
import { openDatabase } from '../../main/store/db.js';
import { writePhoto } from '../../main/testing/photos.js';
import { JobQueue } from '../../main/queue/job-queue.js';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '8' },
    width: { type: 'string', default: '160' },
    height: { type: 'string', default: '120' },
    rounds: { type: 'string', default: '2' },
  },
});
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-queue-workers-'));
const input = path.join(root, 'in');
fs.mkdirSync(input);
for (let i = 0; i < Number(values.photos); i++) await writePhoto(path.join(input, `p${i}.png`), Number(values.width), Number(values.height), 'png', i);
const model = await loadModel(path.join(bundledModelsDir(), 'ctmsr-s-x4-real.onnx'));

const configs = [
  { name: 'one worker', workers: 1, several: true },
  { name: 'two workers, one photo at a time', workers: 2, several: false },
  { name: 'two workers, a photo on each', workers: 2, several: true },
];
const seconds = new Map<string, number[]>(configs.map((c) => [c.name, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const config of configs) {
    const engine = new Engine({ providers: ['cpu'], threads: 1, workers: config.workers });
    const db = openDatabase(path.join(root, `${round}-${config.workers}-${config.several}.db`));
    const stages = pipelineStages({ engine, model: async () => model });
    const queue = new JobQueue(db, config.several ? stages : { ...stages, imagesAtOnce: undefined });
    await queue.enqueue({ paths: [input], settings: {}, output: { folder: path.join(root, `out-${round}-${config.workers}-${config.several}`) } });
    const start = performance.now();
    queue.start();
    await queue.whenIdle();
    seconds.get(config.name)!.push((performance.now() - start) / 1000);
    await queue.stop();
    await engine.close();
    db.close();
  }
}
fs.rmSync(root, { recursive: true, force: true });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const baseline = mean(seconds.get(configs[1].name)!);
console.log(`${values.photos} photos of ${values.width}×${values.height}, ctmsr-s-x4-real, ${values.rounds} rounds\n`);
console.log('| queue | seconds per round | mean | vs one at a time on two workers |\n|---|---|---|---|');
for (const [name, xs] of seconds) console.log(`| ${name} | ${xs.map((x) => x.toFixed(2)).join(', ')} | ${mean(xs).toFixed(2)} | ${(mean(xs) / baseline).toFixed(3)}× |`);
