/**
 * `finetune.json`: the configuration the app writes into a run folder and the trainer reads as `FinetuneConfig`
 * (trainer/config.py), which rejects an unknown or missing key, a value of the wrong type and one outside its choices
 * or range by name (docs/trainer-protocol.md). Keys are snake_case because the file is the trainer's;
 * `main/training/test/trainer-seam.test.ts` runs the trainer's own check on what the app writes and compares the
 * enums here with the trainer's choices, so the two descriptions cannot drift apart unnoticed.
 */
import { z } from 'zod';
import { degradations, stageChoices } from './types.js';

const fileEntry = z.object({ stem: z.string().min(1), hr: z.string().min(1), lr: z.string().min(1).optional() }).strict();
const count = z.number().int().min(1);

const pairsSource = z.object({ kind: z.literal('pairs'), train: z.array(fileEntry), heldout: z.array(fileEntry) }).strict();
const hrSource = z
  .object({
    kind: z.literal('hr'),
    train: z.array(fileEntry),
    heldout: z.array(fileEntry),
    degradation: z.enum(degradations),
    jpeg_quality: z.number().int().min(1).max(100),
    /** The share of samples plainly downscaled. */
    clean_share: z.number().min(0).max(1),
    /** Overrides of the Real-ESRGAN pipeline's ranges (the app leaves them at the trainer's). */
    degradation_opts: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .strict();

export const finetuneConfigSchema = z
  .object({
    /** The run folder: checkpoint, previews, held-out crops, export/. */
    out: z.string().min(1),
    seed: z.number().int(),
    device: z.enum(['auto', 'cpu', 'cuda', 'mps']),
    /** CPU threads (0: torch decides). */
    threads: z.number().int().min(0),
    scale: count,
    /** The HR training crop side. */
    crop: count,
    batch: count,
    iterations: count,
    stages: z.enum(stageChoices),
    /** With `ct+dtm`: the share of the run spent on DTM (the trainer's default when absent). */
    dtm_share: z.number().min(0).max(1).optional(),
    preview_every: z.number().int().min(0),
    checkpoint_every: z.number().int().min(0),
    log_every: count,
    heldout_lr_side: count,
    /** The largest picture the trainer reads: the app's scan refused larger ones by the same number. */
    max_pixels: z.number().int().min(0),
    base: z.object({ checkpoint: z.string().min(1), model_id: z.string().min(1) }).strict(),
    source: z.discriminatedUnion('kind', [pairsSource, hrSource]),
    export: z.object({ id: z.string().min(1), name: z.string(), description: z.string(), trained_on: z.string() }).strict(),
    /** Overrides of the trainer's own configuration, e.g. `{optim: {lr: 1e-5}}`. */
    trainer: z.record(z.string(), z.unknown()),
  })
  .strict();
export type FinetuneConfig = z.output<typeof finetuneConfigSchema>;
