/**
 * The held-out pairs scored through the app's own engine, base model and fine-tuned model alike, so the numbers
 * are what the user will get in a batch (not what PyTorch gets).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { scoreOutputs, type MetricValues } from '../evaluation/metrics.js';
import { enhanceInputs, evalSettings } from '../evaluation/run-model.js';
import type { LoadedModel } from '../../shared/models/manifest.js';

export interface HeldOutScore {
  pairs: number;
  psnr: number;
  ssim: number;
  lpips?: number;
}

export async function scoreHeldOut(options: {
  engine: Engine;
  model: LoadedModel;
  lrDir: string;
  hrDir: string;
  outDir: string;
  python: string;
  cwd: string;
}): Promise<HeldOutScore> {
  const inputs = (await readdir(options.lrDir)).filter((f) => f.endsWith('.png')).sort().map((f) => path.join(options.lrDir, f));
  await enhanceInputs(options.engine, options.model, inputs, options.outDir, evalSettings(options.model, 1, 0));
  const score = await scoreOutputs({ srDir: options.outDir, hrDir: options.hrDir, scale: options.model.manifest.scale, python: options.python, cwd: options.cwd, name: options.model.manifest.id });
  return summary(score.model, score.images);
}

function summary(m: MetricValues, pairs: number): HeldOutScore {
  // null PSNR: the output equals the ground truth (infinite); 99 dB stands for it in a table
  if (m.ssim === undefined) throw new Error("held-out pairs were scored without their HR pictures");
  return { pairs, psnr: m.psnr ?? 99, ssim: m.ssim, ...(m.lpips !== undefined ? { lpips: m.lpips } : {}) };
}
