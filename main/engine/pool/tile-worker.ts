// A pool worker: one ONNX Runtime session on the CPU, running the tiles the main thread sends.
// The noise and feeds of a tile are built here, so that work runs beside the other workers
// instead of queueing on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { SessionCache } from '../sessions.js';
import { TileRunner } from '../tile-runner.js';
import type { TileJob, TileReply } from './tile-pool.js';

const sessions = new SessionCache({ providers: ['cpu'], deviceId: 0, threads: (workerData as { threads: number }).threads, workers: 1, threadSpinning: false });

async function run(job: TileJob): Promise<TileReply> {
  try {
    const { session } = await sessions.open(job.model);
    const grid = { tileWidth: job.tileWidth, tileHeight: job.tileHeight, xs: job.lefts, ys: [job.top], paddedWidth: 0, paddedHeight: 0, overlap: 0 };
    const runner = new TileRunner(job.model, session, grid, { seed: job.seed, steps: job.steps });
    const lr = new ort.Tensor('float32', job.lr, [job.lefts.length, 3, job.tileHeight, job.tileWidth]);
    const output = await runner.execute(runner.prepareFromLr(lr, job.lefts, job.top));
    return { id: job.id, output, runMs: runner.runMs };
  } catch (e) {
    return { id: job.id, error: String((e as Error)?.message ?? e) };
  }
}

parentPort!.on('message', async (job: TileJob) => {
  const reply = await run(job);
  parentPort!.postMessage(reply, reply.output ? [reply.output.buffer as ArrayBuffer] : []);
});
