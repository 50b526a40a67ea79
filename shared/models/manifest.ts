import { z } from 'zod';
import { describeIssues } from '../errors.js';

/**
 * The model contract (docs/model-contract.md). A model is `<id>.onnx` plus this manifest as `<id>.json`.
 * `ctmsr` graphs compute one consistency step (inputs lr, x0_prev, noise, sigma → x0);
 * `feedforward` graphs map `input` → `output` directly.
 */
export const modelKinds = ['ctmsr', 'feedforward'] as const;
export type ModelKind = (typeof modelKinds)[number];

export const modelOrigins = ['bundled', 'imported', 'fine-tuned'] as const;
export type ModelOrigin = (typeof modelOrigins)[number];

/**
 * What a model does to a photo, in the words the app and the CLI show: `faithful` stays closest to the original,
 * `detail` is generative and invents plausible texture. `--model faithful|detail` picks the bundled model of that style.
 */
export const modelStyles = ['faithful', 'detail'] as const;
export type ModelStyle = (typeof modelStyles)[number];
export const styleWords: Record<ModelStyle, string> = {
  faithful: 'Faithful: closest to the original',
  detail: 'Detail: sharper, invents plausible texture',
};

const metricValues = { psnr: z.number(), ssim: z.number(), lpips: z.number() };

/**
 * `v` to `digits` decimals as Python's round() gives it: the nearest decimal to the exact binary value, an exact half
 * to the even neighbour. `Math.round(v * 10 ** digits)` differs on both counts: the product is already rounded (26.0005
 * lands on either side of the half), and a half always goes up.
 */
function roundLikePython(v: number, digits: number): number {
  if (!Number.isFinite(v) || Math.abs(v) >= 1e21) return v;
  // toFixed rounds the exact value, breaking a tie away from zero; 100 decimals hold every double large enough to tie
  const fixed = v.toFixed(digits);
  const exact = Math.abs(v).toFixed(100);
  const tied = /^50*$/.test(exact.slice(exact.indexOf('.') + 1 + digits));
  const last = Number(fixed[fixed.length - 1]);
  return Number(tied && last % 2 === 1 ? fixed.slice(0, -1) + String(last - 1) : fixed);
}

/**
 * A measurement as manifests record it (PSNR to 0.001 dB, SSIM and LPIPS to 1e-4; LPIPS -1 when not measured), for
 * the app's evaluation and fine-tuning. The trainer's export rounds in its own language (`manifest_metrics`,
 * trainer/metrics.py); main/training/test/manifest-rounding.test.ts checks that both give the same numbers.
 */
export function manifestScore(m: { psnr: number; ssim?: number; lpips?: number }): { psnr: number; ssim: number; lpips: number } {
  return { psnr: roundLikePython(m.psnr, 3), ssim: roundLikePython(m.ssim ?? 0, 4), lpips: m.lpips === undefined ? -1 : roundLikePython(m.lpips, 4) };
}

/** One test set's scores; `bicubic`: a plain bicubic enlargement of the same images, measured the same way, for scale. */
export const metricSchema = z.object({
  ...metricValues,
  bicubic: z.object(metricValues).optional(),
});

export const modelManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'id may hold letters, digits, dot, dash and underscore'),
  name: z.string().min(1),
  kind: z.enum(modelKinds),
  scale: z.number().int().min(1).max(16),
  /** Value range of the graph's image tensors; the app maps pixels [0,1] into it and back. */
  inputRange: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => hi > lo, 'inputRange must be [low, high] with high > low'),
  /** LR sides fed to the graph must be multiples of this (the engine pads by reflection). */
  multiple: z.number().int().min(1).default(1),
  /**
   * The model's own `ctmsr` sampling: one σ per step, σ_max first. Its length is the step count used wherever none
   * is chosen (CLI, queue, previews, samples, evaluation), so a model that is better at two steps says `[1, 0.5]`.
   */
  steps: z.array(z.number().positive()).default([1]),
  params: z.number().int().nonnegative().optional(),
  trainedOn: z.string().optional(),
  metrics: z.record(z.string(), metricSchema).default({}),
  license: z.string().default('unknown'),
  createdBy: z.enum(modelOrigins),
  description: z.string().optional(),
  style: z.enum(modelStyles).optional(),
  /** Free-form provenance written by the trainer (config, iterations, warm start…). */
  training: z.record(z.string(), z.unknown()).optional(),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type ModelManifestInput = z.input<typeof modelManifestSchema>;

/** How many steps the model samples in when no count is chosen: one per σ of its manifest (an empty list still runs once). */
export function ownStepCount(manifest: Pick<ModelManifest, 'steps'>): number {
  return Math.max(1, manifest.steps.length);
}

/** Parses a manifest, turning schema errors into one readable sentence naming the file. */
export function parseModelManifest(json: unknown, source = 'manifest'): ModelManifest {
  const result = modelManifestSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues, '(root)');
  throw new Error(`${source} is not a valid model manifest (${problems}). Fix or re-export the model.`);
}

/** A model on disk: its validated manifest and the path of its ONNX graph. */
export interface LoadedModel {
  manifest: ModelManifest;
  onnxPath: string;
}
