import * as ort from 'onnxruntime-node';
import type { PlanarImage } from '../../shared/engine/image.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { fillNoise } from './noise.js';
import { sigmaSchedule } from './schedule.js';
import { extractTile, type TileGrid } from './tiling.js';

export interface PreparedBatch {
  lefts: number[];
  top: number;
  lr: ort.Tensor;
  first: Record<string, ort.Tensor>;
}

/** Builds the input tensors for a batch of same-shaped tiles and runs the model's step(s) on them. */
export class TileRunner {
  runMs = 0;
  readonly sigmas: number[];

  constructor(
    private readonly model: LoadedModel,
    /** Undefined where the runner only builds inputs for sessions elsewhere (the worker pool). */
    private readonly session: ort.InferenceSession | undefined,
    private readonly grid: TileGrid,
    /** `steps` left out: the model's own (see sigmaSchedule). */
    private readonly options: { seed?: number; steps?: number },
  ) {
    this.sigmas = sigmaSchedule(model.manifest, options.steps);
  }

  /** The LR tiles at `lefts` on row `top`, as one [n, 3, th, tw] tensor in the model's range. */
  lrTensor(image: PlanarImage, lefts: number[], top: number): ort.Tensor {
    const { tileWidth: tw, tileHeight: th } = this.grid;
    const lr = new Float32Array(lefts.length * 3 * tw * th);
    lefts.forEach((left, i) => extractTile(image, { left, top, width: tw, height: th }, lr, i * 3 * tw * th, this.model.manifest.inputRange));
    return new ort.Tensor('float32', lr, [lefts.length, 3, th, tw]);
  }

  /** Feeds of one `ctmsr` step: the previous estimate (ignored at σ_max), seeded noise and σ. */
  stepFeeds(lr: ort.Tensor, estimate: Float32Array, lefts: number[], top: number, step: number): Record<string, ort.Tensor> {
    const { tileWidth: tw, tileHeight: th } = this.grid;
    const { scale } = this.model.manifest;
    const n = lefts.length;
    const hw = th * scale * tw * scale;
    const noise = new Float32Array(n * 3 * hw);
    lefts.forEach((left, i) =>
      fillNoise(noise, i * 3 * hw, { left: left * scale, top: top * scale, width: tw * scale, height: th * scale }, this.options.seed ?? 0, step),
    );
    const hrShape = [n, 3, th * scale, tw * scale];
    return {
      lr,
      x0_prev: new ort.Tensor('float32', estimate, hrShape),
      noise: new ort.Tensor('float32', noise, hrShape),
      sigma: new ort.Tensor('float32', new Float32Array(n).fill(this.sigmas[step]), [n]),
    };
  }

  /** Everything the first run of a batch needs, built before the model is free. */
  prepare(image: PlanarImage, lefts: number[], top: number): PreparedBatch {
    return this.prepareFromLr(this.lrTensor(image, lefts, top), lefts, top);
  }

  prepareFromLr(lr: ort.Tensor, lefts: number[], top: number): PreparedBatch {
    if (this.model.manifest.kind === 'feedforward') return { lefts, top, lr, first: { [this.openSession().inputNames[0]]: lr } };
    const { tileWidth: tw, tileHeight: th } = this.grid;
    const estimate = new Float32Array(lefts.length * 3 * th * this.model.manifest.scale ** 2 * tw);
    return { lefts, top, lr, first: this.stepFeeds(lr, estimate, lefts, top, 0) };
  }

  /** Planar output [n, 3, th·s, tw·s] in the model's range: one run, or one per `ctmsr` step. */
  async execute(batch: PreparedBatch): Promise<Float32Array> {
    let estimate = await this.timedRun(batch.first);
    for (let step = 1; step < this.sigmas.length; step++) estimate = await this.timedRun(this.stepFeeds(batch.lr, estimate, batch.lefts, batch.top, step));
    return estimate;
  }

  private openSession(): ort.InferenceSession {
    if (!this.session) throw new Error('This TileRunner only builds inputs: it has no session to run.');
    return this.session;
  }

  async timedRun(feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
    const session = this.openSession();
    const t0 = performance.now();
    const result = await session.run(feeds);
    this.runMs += performance.now() - t0;
    const output = result[session.outputNames[0]];
    const data = output.data as Float32Array;
    for (const t of Object.values(result)) if (t !== output) t.dispose();
    return data;
  }
}
