// Metrics come from the trainer (`python -m trainer evaluate --sr-dir`): one implementation of PSNR/SSIM on Y
// (BT.601, shave = scale, 8-bit), LPIPS-squeeze, NIQE (no reference) and the seed spread for the trainer's own
// evaluation and for the app's outputs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, sharedDir, trainerFailure, trainerPython } from './sets.js';

const run = promisify(execFile);

export interface MetricValues {
  /** null: infinite (the output equals the ground truth); absent without ground truth (LR-only photos). */
  psnr?: number | null;
  ssim?: number;
  /** Absent when the LPIPS weights were not found, or without ground truth. */
  lpips?: number;
  /** NIQE on the luma, crop border = scale (lower is more natural); absent without its parameters or for images
   * under two 96×96 blocks. */
  niqe?: number;
}

export interface SetScore {
  model: MetricValues;
  /** Bicubic of the LR images, when the LR folder was given. */
  bicubic?: MetricValues;
  images: number;
  perImage: Record<string, { model: MetricValues; bicubic?: MetricValues }>;
}

export interface ScoreRequest {
  srDir: string;
  /** Ground truth; absent for LR-only photos (then NIQE alone scores). */
  hrDir?: string;
  /** Given: bicubic of these LR images is scored beside. */
  lrDir?: string;
  scale: number;
  /** Label for the trainer's log. */
  name?: string;
  /** LPIPS squeeze weights; default `<shared>/weights/lpips-squeeze`. */
  lpipsDir?: string;
  /** Interpreter and the folder holding trainer/; default trainerPython() and the repository. */
  python?: string;
  cwd?: string;
}

export function lpipsDir(): string {
  return join(sharedDir(), 'weights', 'lpips-squeeze');
}

/** NIQE's pristine-model parameters (niqe_pris_params.npz). */
export function niqeDir(): string {
  return join(sharedDir(), 'weights', 'niqe');
}

async function runTrainer(args: string[], what: string, where: { python?: string; cwd?: string } = {}): Promise<void> {
  const python = where.python ?? trainerPython();
  try {
    await run(python, args, { cwd: where.cwd ?? repoRoot, maxBuffer: 64 * 2 ** 20 });
  } catch (e) {
    throw new Error(`python -m trainer ${what} failed (${python}; set CTMSR_PYTHON to a Python with PyTorch): ${trainerFailure(e)}`);
  }
}

/** Scores the images in `srDir` against `hrDir` (matched by file stem) with the trainer. */
export async function scoreOutputs(request: ScoreRequest): Promise<SetScore> {
  const dir = await mkdtemp(join(tmpdir(), 'ctmsr-eval-score-'));
  const json = join(dir, 'scores.json');
  const lpips = request.lpipsDir ?? lpipsDir();
  const args = ['-m', 'trainer', 'evaluate', '--sr-dir', request.srDir, '--scale', String(request.scale), '--json', json, '--lpips', lpips, '--niqe', niqeDir()];
  if (request.hrDir) args.push('--hr-dir', request.hrDir);
  if (request.lrDir) args.push('--lr-dir', request.lrDir);
  if (request.name) args.push('--name', request.name);
  try {
    await runTrainer(args, `evaluate --sr-dir ${request.srDir}`, request);
    const raw = JSON.parse(await readFile(json, 'utf8')) as Omit<SetScore, 'perImage'> & { per_image: SetScore['perImage'] };
    return { model: raw.model, bicubic: raw.bicubic, images: raw.images, perImage: raw.per_image };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The seed spread: mean per-pixel standard deviation (8-bit levels) across one set's outputs under several seeds,
 * one folder per seed holding the same file names.
 */
export async function scoreSpread(dirs: string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'ctmsr-eval-spread-'));
  const json = join(dir, 'spread.json');
  try {
    await runTrainer(['-m', 'trainer', 'evaluate', '--spread', ...dirs, '--json', json], `evaluate --spread ${dirs[0]} …`);
    return (JSON.parse(await readFile(json, 'utf8')) as { spread: number }).spread;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function hasNiqeParams(dir = niqeDir()): boolean {
  return existsSync(join(dir, 'niqe_pris_params.npz'));
}

export function hasLpipsWeights(dir = lpipsDir()): boolean {
  return existsSync(join(dir, 'squeezenet1_1_features.pth')) && existsSync(join(dir, 'lpips_v0.1_squeeze_lin.pth'));
}
