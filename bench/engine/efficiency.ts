// Per-core efficiency: the model's FLOPs per output pixel counted from its ONNX graph, this CPU's
// peak through a large MatMul in ONNX Runtime, and where a one-thread run's time goes (ONNX
// Runtime's profiler).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { matmulModel } from './matmul-model.js';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  ts: number;
  args: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

export interface OpTime {
  op: string;
  ms: number;
  count: number;
  flops: number;
}

export interface ModelProfile {
  /** The fastest whole run. */
  runMs: number;
  ops: OpTime[];
  flops: number;
}

const shapes = (list: Record<string, number[]>[] | undefined) => (list ?? []).map((s) => Object.values(s)[0]);
const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** Multiply-adds ×2 of one node, from its concrete shapes; 0 for ops without a MAC loop. */
export function nodeFlops(op: string, inputs: number[][], outputs: number[][]): number {
  if ((op === 'Conv' || op === 'FusedConv') && inputs[1] && outputs[0]) {
    const [, , ...kernel] = inputs[1];
    const inPerGroup = inputs[1][1];
    // NCHWc convolutions carry blocked weights; the output's channels × pixels times the
    // weight's inputs per group × kernel is the same product either way
    return 2 * product(outputs[0]) * inPerGroup * product(kernel);
  }
  if (op === 'MatMul' && inputs[0] && inputs[1]) return 2 * product(outputs[0]) * inputs[0][inputs[0].length - 1];
  if (op === 'Gemm' && inputs[0] && outputs[0]) return 2 * product(outputs[0]) * inputs[0][1];
  return 0;
}

function feedsFor(model: LoadedModel, session: ort.InferenceSession, width: number, height: number): Record<string, ort.Tensor> {
  const { scale } = model.manifest;
  const lr = new ort.Tensor('float32', new Float32Array(3 * width * height).fill(0.1), [1, 3, height, width]);
  if (model.manifest.kind === 'feedforward') return { [session.inputNames[0]]: lr };
  const hr = [1, 3, height * scale, width * scale];
  return {
    lr,
    x0_prev: new ort.Tensor('float32', new Float32Array(product(hr)), hr),
    noise: new ort.Tensor('float32', new Float32Array(product(hr)).fill(0.5), hr),
    sigma: new ort.Tensor('float32', new Float32Array([1]), [1]),
  };
}

/**
 * Profiles `runs` runs of the model on a `width`×`height` LR tile (after a warm-up run): the
 * fastest whole run, and per op the sum of its nodes' best times. At graph optimisation 'disabled' the nodes
 * are the ONNX graph's own, which is where FLOPs are counted.
 */
export async function profileModel(model: LoadedModel, options: { width: number; height: number; threads: number; level: 'disabled' | 'all'; runs?: number; graph?: Uint8Array }): Promise<ModelProfile> {
  const dir = await mkdtemp(join(tmpdir(), 'ctmsr-profile-'));
  try {
    const session = await ort.InferenceSession.create(options.graph ?? (await readFile(model.onnxPath)), {
      intraOpNumThreads: options.threads,
      graphOptimizationLevel: options.level,
      enableProfiling: true,
      profileFilePrefix: join(dir, 'p'),
    });
    const feeds = feedsFor(model, session, options.width, options.height);
    for (let i = 0; i <= (options.runs ?? 1); i++) await session.run(feeds);
    session.endProfiling();
    await session.release();
    const file = (await readdir(dir)).find((f) => f.endsWith('.json'));
    const events = JSON.parse(await readFile(join(dir, file!), 'utf8')) as ProfileEvent[];
    const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(1);
    const run = runs.reduce((a, b) => (b.dur < a.dur ? b : a));
    // each node's best time over the runs: like the MatMul peak's best-of, the time a busy machine
    // disturbed least (a whole run is long enough to be interrupted every time)
    const best = new Map<string, { e: ProfileEvent; dur: number }>();
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !e.args.op_name || !runs.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur)) continue;
      const seen = best.get(e.name);
      if (!seen || e.dur < seen.dur) best.set(e.name, { e, dur: e.dur });
    }
    const ops = new Map<string, OpTime>();
    let flops = 0;
    for (const { e, dur } of best.values()) {
      const f = nodeFlops(e.args.op_name!, shapes(e.args.input_type_shape), shapes(e.args.output_type_shape));
      const op = ops.get(e.args.op_name!) ?? { op: e.args.op_name!, ms: 0, count: 0, flops: 0 };
      op.ms += dur / 1000;
      op.count++;
      op.flops += f;
      flops += f;
      ops.set(op.op, op);
    }
    return { runMs: run.dur / 1000, ops: [...ops.values()].sort((a, b) => b.ms - a.ms), flops };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Best GFLOP/s of square MatMuls through ONNX Runtime on `threads` threads: this CPU's practical peak. */
export async function matmulPeak(threads: number, seconds = 3): Promise<{ gflops: number; n: number }> {
  let best = { gflops: 0, n: 0 };
  for (const n of [256, 512, 768, 1024]) {
    const session = await ort.InferenceSession.create(matmulModel(n), { intraOpNumThreads: threads });
    const a = new ort.Tensor('float32', new Float32Array(n * n).map((_, i) => (i % 7) / 7), [n, n]);
    const until = performance.now() + (seconds * 1000) / 4;
    do {
      const t0 = performance.now();
      await session.run({ A: a, B: a });
      const gflops = (2 * n ** 3) / ((performance.now() - t0) * 1e6);
      if (gflops > best.gflops) best = { gflops, n };
    } while (performance.now() < until);
    await session.release();
  }
  return best;
}
