// npm run bench [-- --model <id|path>] [--threads N] [--rounds N] [--only pipeline,efficiency,peers,scaling] [--skip-24mp]
//
// Every table compares figures measured in this run: configurations that a table compares run as
// child processes, interleaved round by round (so machine load hits them alike), and the median of
// the rounds is printed with its ratio to the table's baseline.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { enhanceSettingsSchema } from '../../shared/enhance/settings.js';
import { Engine } from '../../main/engine/engine.js';
import { TileRunner } from '../../main/engine/tile-runner.js';
import { decodeInput, enhanceDecoded, writeOutput } from '../../main/pipeline/enhance-file.js';
import { photoPixels } from '../../main/testing/photos.js';
import { planTiles } from '../../main/engine/tiling.js';
import { rewriteCubicUpsample } from '../../main/engine/graph/cubic-upsample.js';
import { gridForWorkers } from '../../main/engine/pool/worker-plan.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { benchModel } from './bench-model.js';
import { benchPhotos } from './bench-photos.js';
import { startBusyNeighbour } from './busy-neighbour.js';
import { matmulPeak, profileModel } from './efficiency.js';

const sections = ['pipeline', 'efficiency', 'peers', 'scaling'] as const;
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    threads: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: sections.join(',') },
    'skip-24mp': { type: 'boolean', default: false },
  },
});
const only = new Set(values.only!.split(','));
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const cores = availableParallelism();
const { model, note } = await benchModel(values.model);
const dir = await mkdtemp(join(tmpdir(), 'ctmsr-bench-'));
const root = join(import.meta.dirname, '../..');
const version = (pkg: string) => (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

console.log(`# CTMSR Studio benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
console.log(`CPU: ${cpus()[0]?.model ?? '?'}, ${cores} cores; load average ${readLoad()}; Node ${process.version}`);
console.log(`onnxruntime-node ${version('onnxruntime-node')}, @tensorflow/tfjs ${version('@tensorflow/tfjs')} + tfjs-backend-wasm ${version('@tensorflow/tfjs-backend-wasm')}, @upscalerjs/esrgan-slim ${version('@upscalerjs/esrgan-slim')}, -medium ${version('@upscalerjs/esrgan-medium')}`);
console.log(`model: ${note} — ${model.manifest.kind}, ×${model.manifest.scale}, ${model.manifest.params ?? '?'} params\n`);

function readLoad(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const f = (x: number, digits = 3) => x.toFixed(digits);

interface ChildResult {
  seconds: number;
  /** CPU time of the child over the timed part (all its threads). */
  cpuSeconds: number;
  outPixels: number;
  images: number;
  workers?: number;
  threads?: number;
  multithread?: boolean;
}

/** Runs a benchmark child script (its start-up is not timed) and returns what it printed. */
function child(script: string, args: object): ChildResult {
  const text = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, script), JSON.stringify(args)], { encoding: 'utf8', cwd: root, maxBuffer: 16 << 20 });
  return JSON.parse(text.trim().split('\n').pop()!) as ChildResult;
}

interface Config {
  label: string;
  run: () => ChildResult;
}

/** Every config once per round, in turn; the per-config results of all rounds. */
function interleaved(configs: Config[]): Map<string, ChildResult[]> {
  const results = new Map<string, ChildResult[]>(configs.map((c) => [c.label, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of configs) results.get(c.label)!.push(c.run());
    process.stderr.write(`  round ${r + 1}/${rounds} done\n`);
  }
  return results;
}

const mps = (r: ChildResult) => r.outPixels / 1e6 / r.seconds;
/** Output MP per CPU-second: the per-core rate, which other processes' load disturbs far less than wall time. */
const mpPerCpuS = (r: ChildResult) => r.outPixels / 1e6 / r.cpuSeconds;

async function pipelineSection(): Promise<void> {
  const photo = async (w: number, h: number, name: string) => {
    const path = join(dir, name);
    await sharp(photoPixels(w, h), { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
    return path;
  };
  const engine = new Engine({ providers: ['cpu'], threads });
  const { choice, session } = await engine.open(model);
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
  const grid = planTiles(decoded.width, decoded.height, { tileSize: enhanced.stats.tileSize, tileHeight: enhanced.stats.tileHeight, multiple: model.manifest.multiple });
  const runner = new TileRunner(model, session, grid, { seed: 0, steps: 1 });
  const batch = engine.batchSize(model, grid);
  for (const top of grid.ys) {
    for (let c = 0; c < grid.xs.length; c += batch) {
      const lefts = grid.xs.slice(c, c + batch);
      await runner.timedRun(runner.prepare(decoded.rgb, lefts, top).first);
    }
  }
  const bareS = runner.runMs / 1000;
  const outMP = (enhanced.width * enhanced.height) / 1e6;
  console.log(`## Pipeline overhead (one session, threads ${threads || 'auto'}, provider ${choice.provider})\n`);
  console.log(`input 1024×768 → ${enhanced.width}×${enhanced.height} (${outMP.toFixed(1)} MP), tiles of ${enhanced.stats.tileSize}×${enhanced.stats.tileHeight} LR px, ${enhanced.stats.tiles} tiles in ${enhanced.stats.batches} runs\n`);
  console.log('| measure | seconds | output MP/s | ratio to bare session.run |');
  console.log('|---|---|---|---|');
  console.log(`| bare session.run, same tiles | ${f(bareS, 2)} | ${f(outMP / bareS)} | 1.00 |`);
  console.log(`| session.run inside the pipeline | ${f(enhanced.stats.runMs / 1000, 2)} | — | ${f(enhanced.stats.runMs / 1000 / bareS, 2)} |`);
  console.log(`| whole pipeline (decode → enhance → encode → write) | ${f(pipelineS, 2)} | ${f(outMP / pipelineS)} | ${f(pipelineS / bareS, 2)} (target ≤ 1.15) |`);
  await engine.close();

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
  console.log();
}

async function efficiencySection(m: LoadedModel): Promise<void> {
  const tile = { width: 192, height: 128 };
  const outPx = tile.width * tile.height * m.manifest.scale ** 2;
  const original = await readFile(m.onnxPath);
  const engineGraph = rewriteCubicUpsample(original, { rgbInput: 'lr', scale: m.manifest.scale }).model;
  const graph = await profileModel(m, { ...tile, threads: 1, level: 'disabled', graph: original, runs: 1 });
  const peak = await matmulPeak(1);
  // interleaved, fastest of several runs each: the machine may be shared
  const before = await profileModel(m, { ...tile, threads: 1, level: 'all', runs: 5, graph: original });
  const after = await profileModel(m, { ...tile, threads: 1, level: 'all', runs: 5, graph: engineGraph });
  const convFlops = graph.ops.filter((o) => o.op === 'Conv').reduce((s, o) => s + o.flops, 0);
  const convMs = (p: typeof after) => p.ops.filter((o) => o.op === 'Conv' || o.op === 'FusedConv').reduce((s, o) => s + o.ms, 0);
  const convGflops = convFlops / 1e6 / convMs(before);
  const pct = (g: number) => `${f((100 * g) / peak.gflops, 0)} %`;
  console.log('## Per-core efficiency (one thread, one 192×128 LR tile → 768×512)\n');
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| FLOPs per output pixel (ONNX graph: Conv/MatMul/Gemm multiply-adds ×2) | ${f(graph.flops / outPx / 1e3, 1)} k, i.e. ${f(graph.flops / outPx / 1e3, 1)} GFLOP per output MP |`);
  console.log(`| this CPU's peak: ONNX Runtime MatMul, 1 thread (best, ${peak.n}×${peak.n}) | ${f(peak.gflops, 1)} GFLOP/s |`);
  console.log(`| the model's convolutions, 1 thread (each node's best of 5 runs) | ${f(convGflops, 1)} GFLOP/s = ${pct(convGflops)} of peak (target ≥ 40 %) |`);
  for (const [label, p] of [['whole run (fastest of 5), shipped graph', before], ['whole run (fastest of 5), graph as the engine runs it (bicubic as convolution)', after]] as const) {
    const g = graph.flops / 1e6 / p.runMs;
    console.log(`| ${label} | ${f(p.runMs, 0)} ms, ${f(g, 1)} GFLOP/s = ${pct(g)} of peak, ${f(outPx / 1e6 / (p.runMs / 1000))} output MP/s |`);
  }
  console.log(`| engine graph ÷ shipped graph, run time | ${f(after.runMs / before.runMs, 2)} |`);
  console.log('\nWhere the time goes (ONNX Runtime profiler, graph optimisation "all", 1 thread, each node\'s best of 5 runs):\n');
  console.log('| op | shipped graph: ms | share | engine graph: ms | share | nodes (shipped) |');
  console.log('|---|---|---|---|---|---|');
  const total = (p: typeof after) => p.ops.reduce((s, o) => s + o.ms, 0);
  const ops = [...new Set([...before.ops.slice(0, 10), ...after.ops.slice(0, 10)].map((o) => o.op))];
  for (const op of ops) {
    const b = before.ops.find((o) => o.op === op);
    const a = after.ops.find((o) => o.op === op);
    const cell = (o: typeof a, p: typeof after) => (o ? `${f(o.ms, 1)} | ${f((100 * o.ms) / total(p), 1)} %` : '— | —');
    console.log(`| ${op} | ${cell(b, before)} | ${cell(a, after)} | ${b?.count ?? 0} |`);
  }
  console.log('\nComputed LR pixels ÷ image LR pixels (tile overlap and padding to the multiple), 1024 MB budget:\n');
  console.log('| photo (LR) | old plan (48 KB/LR px: tile 144) | one session now | 2 workers now |');
  console.log('|---|---|---|---|');
  for (const [w, h] of [[192, 128], [1416, 1060]]) {
    const waste = (g: ReturnType<typeof planTiles>) => f((g.xs.length * g.ys.length * g.tileWidth * g.tileHeight) / (w * h), 2);
    const engine = new Engine({ providers: ['cpu'] });
    const one = gridForWorkers(w, h, { maxTile: engine.autoTileSize(m), multiple: m.manifest.multiple, workers: 1 });
    const two = gridForWorkers(w, h, { maxTile: engine.autoTileSize(m, 2), multiple: m.manifest.multiple, workers: 2 });
    const tiles = (g: ReturnType<typeof planTiles>) => `${g.xs.length * g.ys.length} × ${g.tileWidth}×${g.tileHeight}`;
    const old = planTiles(w, h, { tileSize: 144, multiple: m.manifest.multiple });
    console.log(`| ${w}×${h} | ${waste(old)} (${tiles(old)}) | ${waste(one)} (${tiles(one)}) | ${waste(two)} (${tiles(two)}) |`);
  }
  console.log();
}

async function peersSection(): Promise<void> {
  const { paths, source } = await benchPhotos(join(dir, 'peers'), 8, 192, 128);
  const ours = (t: number, workers: number | 'auto') => () => child('run-ours.ts', { modelPath: model.onnxPath, images: paths, threads: t, workers });
  const peer = (name: string, t: number) => () => child('run-upscalerjs.ts', { name, images: paths, threads: t });
  const configs: Config[] = [
    { label: `${model.manifest.id}, 1 thread`, run: ours(1, 1) },
    { label: `esrgan-slim, 1 thread`, run: peer('esrgan-slim', 1) },
    { label: `esrgan-medium, 1 thread`, run: peer('esrgan-medium', 1) },
    { label: `${model.manifest.id}, all ${cores} cores (workers auto)`, run: ours(0, 'auto') },
    { label: `${model.manifest.id}, one session on ${cores} threads`, run: ours(cores, 1) },
    { label: `esrgan-slim, ${cores} threads`, run: peer('esrgan-slim', cores) },
    { label: `esrgan-medium, ${cores} threads`, run: peer('esrgan-medium', cores) },
  ];
  process.stderr.write(`peers: ${configs.length} configurations × ${rounds} rounds\n`);
  const results = interleaved(configs);
  const base = median(results.get('esrgan-slim, 1 thread')!.map(mps));
  console.log(`## Against the peers (${paths.length} photos → 768×512 PNG, whole runs minus start-up, median of ${rounds} interleaved rounds)\n`);
  console.log(`Images: ${source}.\n`);
  const baseCpu = median(results.get('esrgan-slim, 1 thread')!.map(mpPerCpuS));
  console.log('| configuration | output MP/s | ratio to esrgan-slim, 1 thread | output MP per CPU-second | ratio |');
  console.log('|---|---|---|---|---|');
  for (const [label, rs] of results) {
    const m = median(rs.map(mps));
    const c = median(rs.map(mpPerCpuS));
    console.log(`| ${label} | ${f(m)} | ${f(m / base, 2)} | ${f(c)} | ${f(c / baseCpu, 2)} |`);
  }
  const tf = results.get(`esrgan-slim, ${cores} threads`)![0];
  console.log(`\nTensorFlow.js WebAssembly in Node: multithreading ${tf.multithread ? 'available' : 'unavailable (WASM_HAS_MULTITHREAD_SUPPORT is false outside a cross-origin-isolated page), so its "threads" rows run on one thread'}; threads in use: ${tf.threads}.\n`);
}

async function scalingSection(): Promise<void> {
  const { paths, source } = await benchPhotos(join(dir, 'scaling'), 20, 192, 128);
  const ours = (t: number, workers: number | 'auto', threadSpinning = false) => () => child('run-ours.ts', { modelPath: model.onnxPath, images: paths, threads: t, workers, threadSpinning });
  const configs = (tag: string): Config[] => [
    { label: `1 thread${tag}`, run: ours(1, 1) },
    { label: `one session, ${cores} threads, spinning on (ONNX Runtime's default)${tag}`, run: ours(cores, 1, true) },
    { label: `one session, ${cores} threads, spinning off${tag}`, run: ours(cores, 1) },
    { label: `${cores} workers × 1 thread${tag}`, run: ours(1, cores) },
    { label: `workers auto (the app's and CLI's default: one per core the load average leaves free)${tag}`, run: ours(0, 'auto') },
  ];
  process.stderr.write(`scaling: ${configs('').length} configurations × ${rounds} rounds, then again beside a busy neighbour\n`);
  const results = interleaved(configs(''));
  // the neighbour runs through its whole block, started a minute early so that the load average
  // (which 'workers auto' reads) sees it as it would on a user's machine
  const stop = startBusyNeighbour(cores);
  try {
    await new Promise((resolve) => setTimeout(resolve, 65_000));
    for (const [label, rs] of interleaved(configs(', busy neighbour'))) results.set(label, rs);
  } finally {
    stop();
  }
  console.log(`## Scaling: a ${paths.length}-photo batch (768×512 outputs) through the CLI's batch loop, median of ${rounds} interleaved rounds\n`);
  console.log(`Images: ${source}. Busy neighbour: ${cores} busy loops at nice 10.\n`);
  console.log("| configuration | images per hour | output MP/s | ratio to 1 thread (same neighbour) | CPU-seconds per image | CPU work ÷ 1 thread's | workers used |");
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, rs] of results) {
    const baseLabel = label.endsWith(', busy neighbour') ? '1 thread, busy neighbour' : '1 thread';
    const base = median(results.get(baseLabel)!.map(mps));
    const baseCpu = median(results.get(baseLabel)!.map((r) => r.cpuSeconds / r.images));
    const perHour = median(rs.map((r) => (r.images / r.seconds) * 3600));
    const cpuPerImage = median(rs.map((r) => r.cpuSeconds / r.images));
    console.log(`| ${label} | ${f(perHour, 0)} | ${f(median(rs.map(mps)))} | ${f(median(rs.map(mps)) / base, 2)} | ${f(cpuPerImage, 2)} | ${f(cpuPerImage / baseCpu, 2)} | ${[...new Set(rs.map((r) => r.workers))].join(', ')} |`);
  }
  console.log();
}

try {
  if (only.has('pipeline')) await pipelineSection();
  if (only.has('efficiency')) await efficiencySection(model);
  if (only.has('peers')) await peersSection();
  if (only.has('scaling')) await scalingSection();
} finally {
  await rm(dir, { recursive: true, force: true });
}
