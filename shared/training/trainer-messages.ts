/**
 * Every message the trainer prints on stdout, one JSON object per line (docs/trainer-protocol.md): a union on `type`,
 * one member per function of trainer/protocol.py. The objects are strict, so a field added on one side alone fails
 * `main/training/test/trainer-seam.test.ts`, which parses real trainer output of every kind through this schema.
 */
import { z } from 'zod';

/** The trainer writes NaN and infinities as null (JSON has neither). */
const maybe = z.number().nullable();
const step = z.number().int().min(0);

/** The stages a run goes through, as progress messages name them (trainer/config.py STAGES). */
export const trainerStages = ['warmup', 'ct', 'dtm'] as const;

export const imageScoresSchema = z.object({ psnr: maybe, ssim: maybe.optional(), lpips: maybe.optional() }).strict();
export type ImageScores = z.output<typeof imageScoresSchema>;

export const trainerMessageSchema = z.discriminatedUnion('type', [
  /** Where a fine-tuning run wrote its held-out pairs, to score them at the end. */
  z.object({ type: z.literal('heldout'), lrDir: z.string(), hrDir: z.string(), count: z.number().int().min(0) }).strict(),
  /** A fine-tuning run began; `step` is above 0 on a resume. */
  z.object({ type: z.literal('started'), step, total: step, pairs: z.number().int().min(0), resumed: z.boolean(), device: z.string(), name: z.string() }).strict(),
  z
    .object({
      type: z.literal('progress'),
      step,
      total: step,
      losses: z.record(z.string(), maybe),
      lr: maybe,
      itPerSec: maybe,
      etaSec: maybe,
      stage: z.enum(trainerStages).optional(),
      // informative extras
      intervals: z.number().int().optional(),
      gradNorm: maybe.optional(),
      skipped: z.number().int().min(0).optional(),
      dtmCheck: z.record(z.string(), maybe).optional(),
    })
    .strict(),
  /** A preview strip; `pair` names what was scored (a held-out pair, or a validation set), under the reference
   * (`base`: the base model, or bicubic) and the weights being trained (`current`). */
  z
    .object({
      type: z.literal('preview'),
      step,
      path: z.string(),
      pair: z.string().nullable(),
      metrics: z.object({ base: imageScoresSchema, current: imageScoresSchema }).strict().nullable(),
    })
    .strict(),
  z
    .object({
      type: z.literal('checkpoint'),
      path: z.string(),
      step,
      slim: z.boolean().optional(),
      blend: z.object({ a: z.string(), b: z.string(), alpha: z.number() }).strict().optional(),
    })
    .strict(),
  z.object({ type: z.literal('exported'), onnx: z.string(), manifest: z.string() }).strict(),
  /** Stopped when asked (`step`: where it checkpointed) or interrupted (`reason`). */
  z.object({ type: z.literal('stopped'), step: step.optional(), reason: z.string().optional() }).strict(),
  z.object({ type: z.literal('error'), message: z.string() }).strict(),
  // `evaluate`, `make-eval-set` and `campaign`: the app reads their results from files, or not at all
  z.object({ type: z.literal('metrics'), results: z.record(z.string(), z.record(z.string(), z.unknown())) }).strict(),
  z.object({ type: z.literal('eval-set'), out: z.string(), images: z.number().int().min(0), degradation: z.string(), seed: z.number().int(), scale: z.number().int() }).strict(),
  z.object({ type: z.literal('campaignScore'), step, results: z.record(z.string(), z.record(z.string(), maybe)), seconds: z.number() }).strict(),
  z.object({ type: z.literal('campaignCheckpoint'), path: z.string(), step, hours: z.number() }).strict(),
]);
export type TrainerMessage = z.output<typeof trainerMessageSchema>;
export type TrainerMessageType = TrainerMessage['type'];
