// Child process of the benchmark: enhances one image and prints its peak resident memory, so the
// figure is this job's alone and not the benchmark's earlier runs.
import { enhanceSettingsSchema } from '../../shared/enhance/settings.js';
import { Engine } from '../../main/engine/engine.js';
import { loadModel } from '../../main/models/load-model.js';
import { enhanceFile } from '../../main/pipeline/enhance-file.js';

const [modelPath, input, output, threads] = process.argv.slice(2);
const model = await loadModel(modelPath);
const engine = new Engine({ providers: ['cpu'], threads: Number(threads ?? 0) });
await engine.open(model);
const idle = process.resourceUsage().maxRSS;
const t0 = performance.now();
const result = await enhanceFile(input, output, enhanceSettingsSchema.parse({ format: 'png', compression: 1 }), { engine, model });
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ idleMB: idle / 1024, peakMB: process.resourceUsage().maxRSS / 1024, seconds, width: result.width, height: result.height, tileSize: result.stats.tileSize }));
await engine.close();
