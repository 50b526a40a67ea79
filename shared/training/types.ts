/**
 * Fine-tuning from the app (docs/trainer-protocol.md): what the Training screen sends and sees. Plain data; both transports
 * carry it unchanged.
 */
import { z } from 'zod';
import type { Said } from '../errors.js';

export const degradations = ['realesrgan', 'bicubic', 'jpeg'] as const;
export type Degradation = (typeof degradations)[number];
/**
 * What a run trains: `warmup`, the supervised warm start (the shipped models' last stage; the screen calls it
 * "Supervised"), or CT, or CT then CT + DTM (CTMSR). The names are the trainer's (trainer/config.py).
 */
export const stageChoices = ['warmup', 'ct', 'ct+dtm'] as const;
export type StageChoice = (typeof stageChoices)[number];

/** A stage choice as stored: runs recorded before the app took the trainer's name call the warm start `supervised`. */
export function stageChoiceOf(stored: string): StageChoice {
  return stored === 'supervised' ? 'warmup' : (stored as StageChoice);
}
/** The lengths a user chooses from. */
export const lengthChoices = ['quick', 'standard', 'long', 'custom'] as const;
export type LengthChoice = (typeof lengthChoices)[number];
/** `test` is for the app's own tests (a handful of iterations on tiny crops): the API does not take it. */
export const lengthPresets = [...lengthChoices, 'test'] as const;
export type LengthPreset = (typeof lengthPresets)[number];
/** The most iterations a custom length may ask for: ten times Long, already days on a CPU. */
export const maxCustomIterations = 60_000;

/** `/…`, `C:\…` or `\\server\…`: a relative folder would be read from wherever the app happens to run. */
const isFullPath = (p: string) => /^([\\/]|[A-Za-z]:[\\/])/.test(p);
const pathText = z
  .string()
  .min(1, 'a folder is required')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'invalid path')
  .refine(isFullPath, 'give the folder\'s full path (e.g. /home/me/Photos or C:\\Users\\me\\Photos), not a relative one');

/** Where the pictures come from: a pairs folder (LR/ + HR/ inside, or two folders) or HR photos only. */
export const trainingSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pairs'), folder: pathText.optional(), lrFolder: pathText.optional(), hrFolder: pathText.optional() }).strict(),
  z
    .object({
      kind: z.literal('hr'),
      folder: pathText,
      degradation: z.enum(degradations).default('realesrgan'),
      jpegQuality: z.number().int().min(5).max(95).default(40),
      /** ×scale the LR is made at. */
      scale: z.number().int().min(2).max(8).default(4),
    })
    .strict(),
]);
export type TrainingSource = z.input<typeof trainingSourceSchema>;
export type ParsedTrainingSource = z.output<typeof trainingSourceSchema>;

export const startTrainingSchema = z
  .object({
    source: trainingSourceSchema,
    baseModelId: z.string().min(1).max(200),
    length: z.enum(lengthChoices).default('quick'),
    /** With `custom`: the iteration count. */
    iterations: z
      .number()
      .int()
      .min(1)
      .max(maxCustomIterations, `at most ${maxCustomIterations.toLocaleString('en-US')} iterations (ten times Long); for more, fine-tune the resulting model again`)
      .optional(),
    stages: z.enum(stageChoices).default('warmup'),
    /** Share of the usable pairs kept for evaluation (at least 2 pairs). */
    heldOutShare: z.number().min(0.05).max(0.5).default(0.1),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict();
export type StartTrainingRequest = z.input<typeof startTrainingSchema>;

export interface BadFile {
  file: string;
  /** In English, as the CLI and the logs say it... */
  reason: string;
  /** ...and its key and values (shared/refusals.ts), for the UI's language; none for a reader's own words. */
  reasonSaid?: Said;
}

export interface SourcePair {
  stem: string;
  /** Absent in HR-only mode (the trainer makes the LR). */
  lr?: string;
  hr: string;
  width: number;
  height: number;
}

export interface SourceScan {
  kind: 'pairs' | 'hr';
  lrFolder?: string;
  hrFolder: string;
  pairs: SourcePair[];
  /** Detected from the pairs (or the HR-only choice); null when nothing matched. */
  scale: number | null;
  bad: BadFile[];
  /** Fewer than this many usable pairs: the run does not start. */
  minimumPairs: number;
  /** HR crop side the trainer takes; smaller images are listed as bad. */
  crop: number;
  /** Set when the scan as a whole cannot be used (in English, as the CLI and the logs say it)... */
  problem: string | null;
  /** ...and its key and values (shared/refusals.ts), for the UI's language. */
  problemSaid?: Said;
}

export const runStates = ['queued', 'running', 'stopping', 'stopped', 'failed', 'done'] as const;
export type RunState = (typeof runStates)[number];

export interface LossPoint {
  step: number;
  stage: string;
  ct?: number;
  dtm?: number;
  total?: number;
}

export interface PreviewMetrics {
  psnr: number;
  ssim?: number;
  lpips?: number;
}

export interface RunPreview {
  step: number;
  pair: string;
  base: PreviewMetrics;
  current: PreviewMetrics;
}

export interface HeldOutMetrics {
  pairs: number;
  base: PreviewMetrics;
  tuned: PreviewMetrics;
}

export interface TrainingRun {
  id: number;
  name: string;
  state: RunState;
  source: ParsedTrainingSource;
  baseModelId: string;
  stages: StageChoice;
  length: LengthPreset;
  totalIterations: number;
  step: number;
  stage: string | null;
  itPerSec: number | null;
  etaSeconds: number | null;
  /** The training device as the trainer reported it, e.g. "CPU" or "NVIDIA H200 (cuda)". */
  device: string | null;
  trainPairs: number;
  heldOutPairs: number;
  losses: LossPoint[];
  preview: RunPreview | null;
  /** Why it failed (or stopped on its own). */
  error: string | null;
  /** `error` in the UI's language: its key and values (shared/refusals.ts). */
  errorSaid?: Said;
  /** A checkpoint exists: resume continues from it. */
  resumable: boolean;
  /** Registered model id, once exported. */
  modelId: string | null;
  heldOut: HeldOutMetrics | null;
  createdAt: number;
  updatedAt: number;
  runDir: string;
}

export interface PythonInfo {
  ok: boolean;
  /** The interpreter used (absolute when known). */
  python: string | null;
  version: string | null;
  torch: string | null;
  devices: { kind: 'cuda' | 'mps' | 'cpu'; name: string }[];
  /** Every candidate tried, and why it was not used. */
  tried: { candidate: string; problem: string | null }[];
  /** When !ok: what to install, for this OS. */
  advice: string | null;
}
