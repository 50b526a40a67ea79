/**
 * Library scan rate and queue overhead per item, on this machine.
 * Usage: npx tsx bench/queue/queue-bench.ts [--files 10000] [--images 40] [--size 64]
 *
 * Scan: a folder of empty *.jpg files (header read fails fast) plus real JPEGs, scanned new and
 * then again unchanged. Queue: the same images through the bare pipeline (decode → enhance →
 * write, one after another) and through the JobQueue on a real database with a subscriber, on
 * the small random-weight CTMSR model; overhead = queue time per item − bare time per item (below
 * zero when the queue's decode prefetch saves more than its bookkeeping costs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { enhanceSettingsSchema } from '../../shared/enhance/settings.js';
import { Engine } from '../../main/engine/engine.js';
import { Library } from '../../main/library/library.js';
import { writeTestImage } from '../../main/testing/test-images.js';
import { decodeInput, enhanceDecoded, writeOutput } from '../../main/pipeline/enhance-file.js';
import { openDatabase } from '../../main/store/db.js';
import { makeTestModel } from '../../main/testing/test-models.js';
import { JobQueue } from '../../main/queue/job-queue.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { pipelineStages } from '../../main/pipeline/stages.js';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '10000' }, images: { type: 'string', default: '40' }, size: { type: 'string', default: '64' } },
});
const files = Number(values.files);
const images = Number(values.images);
const side = Number(values.size);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-queue-bench-'));
const rows: [string, string][] = [];

async function benchScan(): Promise<void> {
  const folder = path.join(root, 'scan');
  const real = Math.min(500, Math.floor(files / 10));
  for (let i = 0; i < files - real; i++) {
    const dir = path.join(folder, `d${i % 20}`);
    if (i < 20) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.jpg`), '');
  }
  for (let i = 0; i < real; i++) await writeTestImage(path.join(folder, 'real', `r${i}.jpg`), { width: 64, height: 48, seed: i });
  const db = openDatabase(path.join(root, 'scan.db'));
  const library = new Library(db, { thumbnailDir: path.join(root, 'thumbs') });
  const { id } = library.addFolder(folder);
  let t = performance.now();
  await library.scanFolder(id);
  const first = performance.now() - t;
  t = performance.now();
  await library.scanFolder(id);
  const again = performance.now() - t;
  db.close();
  rows.push([`scan, new (${files} files, ${real} real JPEGs)`, `${Math.round(files / (first / 1000))} files/s`]);
  rows.push([`rescan, unchanged (${files} files)`, `${Math.round(files / (again / 1000))} files/s`]);
}

async function benchQueue(): Promise<void> {
  const input = path.join(root, 'in');
  for (let i = 0; i < images; i++) await writeTestImage(path.join(input, `q${String(i).padStart(3, '0')}.png`), { width: side, height: side, format: 'png', seed: i });
  const inputs = fs.readdirSync(input).sort().map((f) => path.join(input, f));
  const model = await makeTestModel('ctmsr');
  const engine = new Engine({ providers: ['cpu'], threads: 1 });
  const settings = enhanceSettingsSchema.parse({});
  // the first run opens the ONNX session; neither side should pay for it
  await enhanceDecoded(await decodeInput(inputs[0]), settings, { engine, model });

  const bare = async (out: string) => {
    const t = performance.now();
    for (const file of inputs) {
      const enhanced = await enhanceDecoded(await decodeInput(file), settings, { engine, model });
      await writeOutput(enhanced, path.join(out, path.basename(file)), settings);
    }
    return (performance.now() - t) / inputs.length;
  };
  const queued = async (run: number) => {
    const db = openDatabase(path.join(root, `queue-${run}.db`));
    const queue = new JobQueue(db, pipelineStages({ engine, model: async () => model }));
    let events = 0;
    queue.subscribe(() => events++);
    const t = performance.now();
    await queue.enqueue({ paths: [input], settings: {}, output: { folder: path.join(root, `queued-${run}`), naming: '{name}' } });
    queue.start();
    await queue.whenIdle();
    const perItem = (performance.now() - t) / inputs.length;
    await queue.stop();
    db.close();
    return { perItem, events };
  };

  const bareTimes: number[] = [];
  const queueTimes: number[] = [];
  let events = 0;
  for (let run = 0; run < 5; run++) {
    bareTimes.push(await bare(path.join(root, `bare-${run}`)));
    const q = await queued(run);
    queueTimes.push(q.perItem);
    events = q.events;
  }
  await engine.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const b = median(bareTimes);
  const q = median(queueTimes);
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
  rows.push([`bare pipeline (${images} × ${side}×${side} PNG, ×4)`, `${b.toFixed(1)} ms/item (runs: ${spread(bareTimes)})`]);
  rows.push(['queue, same images (enqueue → idle)', `${q.toFixed(1)} ms/item (runs: ${spread(queueTimes)})`]);
  rows.push(['queue overhead (medians of 5 alternating runs)', `${(q - b).toFixed(1)} ms/item (${(((q - b) / b) * 100).toFixed(1)}%)`]);
  rows.push(['events to a subscriber', `${(events / images).toFixed(1)} per item`]);
  for (const size of [1_000, 20_000]) {
    rows.push([`queue bookkeeping alone, batch of ${size} (no image work)`, `${(await bookkeeping(size)).toFixed(2)} ms/item`]);
  }
}

/**
 * The queue's own cost per item (SQLite transactions, output checks, events) with stages
 * that does no image work: what the queue adds when nothing overlaps it. Measured over the first
 * 1,000 items of a batch of `size`, to show it does not grow with the batch.
 */
async function bookkeeping(size: number): Promise<number> {
  const input = path.join(root, `many-${size}`);
  fs.mkdirSync(input);
  for (let i = 0; i < size; i++) fs.writeFileSync(path.join(input, `b${i}.png`), '');
  const db = openDatabase(path.join(root, `bookkeeping-${size}.db`));
  const queue = new JobQueue<null, null>(db, {
    model: async () => ({ manifest: { id: 'none', scale: 4 } }) as LoadedModel,
    decode: async () => null,
    size: () => ({ width: 1, height: 1 }),
    pixels: () => 1,
    enhance: async (_decoded, _settings, { onProgress }) => {
      onProgress(1);
      return null;
    },
    write: async (_enhanced, output) => {
      await fs.promises.mkdir(path.dirname(output), { recursive: true });
      await fs.promises.writeFile(output, '');
    },
  });
  await queue.enqueue({ paths: [input], settings: {}, output: { folder: path.join(root, `many-out-${size}`), naming: '{name}' } });
  let done = 0;
  let finished!: () => void;
  const thousand = new Promise<void>((resolve) => (finished = resolve));
  queue.subscribe((e) => {
    if (e.type === 'queue.item' && e.payload.status === 'done' && ++done === 1000) finished();
  });
  const t = performance.now();
  queue.start();
  await thousand;
  const perItem = (performance.now() - t) / 1000;
  await queue.stop();
  db.close();
  return perItem;
}

async function main(): Promise<void> {
  try {
    await benchScan();
    await benchQueue();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`${'measure'.padEnd(width)}  result`);
  console.log(`${'-'.repeat(width)}  ${'-'.repeat(24)}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(`(${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version})`);
}

void main();
