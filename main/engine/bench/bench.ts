// npm run bench [-- --model <id|path>] [--threads N] [--skip-24mp]
// Prints the engine's throughput on a 1024×768 photo, the ratio of the whole pipeline's time to the
// bare session.run time of the same tiles (measured in this process), and peak memory for 24 MP.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { enhanceSettingsSchema } from '../../../shared/enhance/settings.js';
import { Engine, TileRunner } from '../engine.js';
import { decodeInput, enhanceDecoded, writeOutput } from '../../pipeline/enhance-file.js';
import { photoPixels } from '../../testing/photos.js';
import { planTiles } from '../tiling.js';
import { benchModel } from './bench-model.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, threads: { type: 'string', default: '0' }, 'skip-24mp': { type: 'boolean', default: false } } });
const threads = Number(values.threads);
const { model, note } = await benchModel(values.model);
const dir = await mkdtemp(join(tmpdir(), 'ctmsr-bench-'));
const photo = async (w: number, h: number, name: string) => {
  const path = join(dir, name);
  await sharp(photoPixels(w, h), { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
  return path;
};

const engine = new Engine({ providers: ['cpu'], threads });
const { choice } = await engine.open(model);
const settings = enhanceSettingsSchema.parse({ format: 'png', compression: 1 });
await enhanceDecoded(await decodeInput(await photo(64, 64, 'warm.png')), settings, { engine, model }); // warm-up

// Whole pipeline: decode, tiles + noise + model + blending, encode and atomic write.
const input = await photo(1024, 768, 'input.png');
const t0 = performance.now();
const decoded = await decodeInput(input);
const enhanced = await enhanceDecoded(decoded, settings, { engine, model });
await writeOutput(enhanced, join(dir, 'out.png'), settings);
const pipelineS = (performance.now() - t0) / 1000;

// Bare session.run over exactly the same tiles and batches, inputs prepared outside the timing.
const grid = planTiles(decoded.width, decoded.height, { tileSize: enhanced.stats.tileSize, multiple: model.manifest.multiple });
const { session } = await engine.open(model);
const runner = new TileRunner(model, session, grid, { seed: 0, steps: 1 });
const batch = engine.batchSize(model, grid);
for (const top of grid.ys) {
  for (let c = 0; c < grid.xs.length; c += batch) {
    const lefts = grid.xs.slice(c, c + batch);
    const lr = runner.lrTensor(decoded.rgb, lefts, top);
    const hr = lefts.length * 3 * grid.tileWidth * grid.tileHeight * model.manifest.scale ** 2;
    const feeds = model.manifest.kind === 'ctmsr' ? runner.stepFeeds(lr, new Float32Array(hr), lefts, top, 0) : { [session.inputNames[0]]: lr };
    await runner.timedRun(feeds);
  }
}
const bareS = runner.runMs / 1000;
const outMP = (enhanced.width * enhanced.height) / 1e6;

console.log(`model: ${note} — ${model.manifest.kind}, ×${model.manifest.scale}, ${model.manifest.params ?? '?'} params; provider ${choice.provider}; threads ${threads || 'auto'}`);
console.log(`input 1024×768 → ${enhanced.width}×${enhanced.height} (${outMP.toFixed(1)} MP), tile ${enhanced.stats.tileSize} LR px, ${enhanced.stats.tiles} tiles in ${enhanced.stats.batches} runs\n`);
console.log('| measure | seconds | output MP/s | ratio to bare session.run |');
console.log('|---|---|---|---|');
console.log(`| bare session.run, same tiles | ${bareS.toFixed(2)} | ${(outMP / bareS).toFixed(3)} | 1.00 |`);
console.log(`| session.run inside the pipeline | ${(enhanced.stats.runMs / 1000).toFixed(2)} | — | ${(enhanced.stats.runMs / 1000 / bareS).toFixed(2)} |`);
console.log(`| whole pipeline (decode → enhance → encode → write) | ${pipelineS.toFixed(2)} | ${(outMP / pipelineS).toFixed(3)} | ${(pipelineS / bareS).toFixed(2)} (target ≤ 1.15) |`);

if (!values['skip-24mp']) {
  // 1416×1060 ×4 = 5664×4240 ≈ 24.0 MP.
  const big = await photo(1416, 1060, 'big.png');
  const text = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'peak-memory.ts'), model.onnxPath, big, join(dir, 'big-out.png'), String(threads)], { encoding: 'utf8' });
  const r = JSON.parse(text.trim().split('\n').pop()!);
  console.log(`\n| 24 MP output | value |\n|---|---|`);
  console.log(`| output | ${r.width}×${r.height} (${((r.width * r.height) / 1e6).toFixed(1)} MP) |`);
  console.log(`| peak RSS | ${r.peakMB.toFixed(0)} MB (process with model loaded: ${r.idleMB.toFixed(0)} MB) |`);
  console.log(`| of which the output image itself (16-bit RGB) | ${((r.width * r.height * 6) / 2 ** 20).toFixed(0)} MB |`);
  console.log(`| time | ${r.seconds.toFixed(1)} s (${((r.width * r.height) / 1e6 / r.seconds).toFixed(3)} MP/s) |`);
}
await engine.close();
await rm(dir, { recursive: true, force: true });
