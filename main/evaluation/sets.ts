// Evaluation sets: the ×4 benchmarks in ../shared/data/eval (given LR_x4); BSD100-real, a fixed, seeded
// Real-ESRGAN-style degradation of BSD100's HR images; BSD100-jpeg20, BSD100's given LR at JPEG quality 20 (strong
// blocking, as in small web photos). The last two are made once by the trainer into a cache folder (../shared is
// read-only). And folders of LR photos without ground truth (`--lr-only`), scored by NIQE alone.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { imageFormatOfName, readableFormatNames } from '../../shared/enhance/image-formats.js';
import { trainerMessageSchema } from '../../shared/training/trainer-messages.js';

const run = promisify(execFile);

export const benchmarkSets = ['Set5', 'Set14', 'BSD100'] as const;
export const madeSets = ['BSD100-real', 'BSD100-jpeg20'] as const;
export const defaultSets = [...benchmarkSets, ...madeSets] as const;
/** JPEG quality of BSD100-jpeg20. */
export const jpegSetQuality = 20;

/** A set ready to measure: LR inputs for the engine and HR ground truth, matched by file stem. */
export interface EvalSet {
  name: string;
  /** Absent for LR-only photos (no ground truth). */
  hrDir?: string;
  lrDir: string;
  /** LR images (absolute paths, sorted by name), cut to `maxImages` when given. */
  inputs: string[];
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The team's read-only data folder: CTMSR_SHARED, else ../shared beside the repository. */
export function sharedDir(): string {
  return process.env.CTMSR_SHARED ?? resolve(repoRoot, '..', 'shared');
}

/** Where made sets are kept between runs: CTMSR_CACHE, else ~/.cache/ctmsr-studio. */
export function cacheDir(): string {
  return process.env.CTMSR_CACHE ?? join(homedir(), '.cache', 'ctmsr-studio');
}

/** The Python with PyTorch that runs the trainer (CTMSR_PYTHON, else /usr/bin/python3). */
export function trainerPython(): string {
  return process.env.CTMSR_PYTHON ?? '/usr/bin/python3';
}

export function evalRoot(shared = sharedDir()): string {
  return join(shared, 'data', 'eval');
}

/** The real-world set of BSD100 for a degradation seed, e.g. `BSD100-real` → `<cache>/eval/BSD100-real-seed0`. */
export function realSetDir(degradationSeed: number, cache = cacheDir()): string {
  return join(cache, 'eval', `BSD100-real-seed${degradationSeed}`);
}

async function listImages(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => imageFormatOfName(n) !== undefined)
    .sort()
    .map((n) => join(dir, n));
}

function missingDataError(what: string, path: string): Error {
  return new Error(
    `${what} not found: ${path} does not exist. The evaluation images live in ../shared/data/eval beside the repository ` +
      `(the team's read-only data folder); set CTMSR_SHARED to the folder that holds data/eval.`,
  );
}

/** BSD100's given LR at JPEG quality 20: `<cache>/eval/BSD100-jpeg20`. */
export function jpegSetDir(cache = cacheDir()): string {
  return join(cache, 'eval', `BSD100-jpeg${jpegSetQuality}`);
}

type MakeOptions = { shared?: string; cache?: string; log?: (line: string) => void };
interface SetInfo {
  images?: Record<string, unknown>;
  seed?: number;
  degradation?: string;
  quality?: number;
}

/** Makes `<cache>/eval/BSD100-real-seed<N>` with `python -m trainer make-eval-set` unless it is complete already. */
export function ensureRealSet(degradationSeed: number, options: MakeOptions = {}): Promise<string> {
  return ensureMadeSet(
    realSetDir(degradationSeed, options.cache),
    `BSD100-real (Real-ESRGAN degradation, seed ${degradationSeed})`,
    ['--degradation', 'realesrgan', '--seed', String(degradationSeed)],
    (info) => info.seed === degradationSeed,
    options,
  );
}

/** Makes `<cache>/eval/BSD100-jpeg20` (BSD100's LR_x4 at JPEG quality 20, no randomness) unless complete already. */
export function ensureJpegSet(options: MakeOptions = {}): Promise<string> {
  const lrSource = join(evalRoot(options.shared), 'BSD100', 'LR_x4');
  return ensureMadeSet(
    jpegSetDir(options.cache),
    `BSD100-jpeg${jpegSetQuality} (BSD100's LR_x4 at JPEG quality ${jpegSetQuality})`,
    ['--degradation', 'jpeg', '--lr-dir', lrSource, '--quality', String(jpegSetQuality)],
    (info) => info.degradation === 'jpeg' && info.quality === jpegSetQuality,
    options,
  );
}

async function ensureMadeSet(out: string, what: string, degradationArgs: string[], matches: (info: SetInfo) => boolean, options: MakeOptions): Promise<string> {
  const hrSource = join(evalRoot(options.shared), 'BSD100', 'HR');
  if (existsSync(join(out, 'eval-set.json'))) {
    const info = JSON.parse(await readFile(join(out, 'eval-set.json'), 'utf8')) as SetInfo;
    const expected = existsSync(hrSource) ? (await listImages(hrSource)).length : undefined;
    if (matches(info) && (expected === undefined || Object.keys(info.images ?? {}).length === expected)) return out;
    options.log?.(`${out} is incomplete or stale; making it again`);
  }
  if (!existsSync(hrSource)) throw missingDataError(`BSD100 HR images (the source of ${what.split(' ')[0]})`, hrSource);
  options.log?.(`making ${what} once into ${out} …`);
  const tmp = `${out}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(dirname(out), { recursive: true });
  try {
    await run(trainerPython(), ['-m', 'trainer', 'make-eval-set', '--hr-dir', hrSource, ...degradationArgs, '--scale', '4', '--out', tmp], {
      cwd: repoRoot,
      maxBuffer: 64 * 2 ** 20,
    });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`python -m trainer make-eval-set failed (${trainerPython()}; set CTMSR_PYTHON to a Python with PyTorch): ${trainerFailure(e)}`);
  }
  await rm(out, { recursive: true, force: true });
  await rename(tmp, out);
  return out;
}

/** The reason a trainer command failed: its `error` line if it printed one, else the end of stderr. */
export function trainerFailure(e: unknown): string {
  const err = e as { stdout?: string; stderr?: string; message?: string };
  const lines = String(err.stdout ?? '').trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const msg = trainerMessageSchema.safeParse(JSON.parse(line));
      if (msg.success && msg.data.type === 'error' && msg.data.message) return msg.data.message;
    } catch {
      // not a protocol line
    }
  }
  return String(err.stderr ?? '').trim().split('\n').slice(-3).join(' ') || String(err.message ?? e);
}

/**
 * A set by name (Set5, Set14, BSD100, BSD100-real) or a folder holding HR/ and LR_x4/.
 */
export async function resolveSet(
  name: string,
  options: { degradationSeed?: number; maxImages?: number; shared?: string; cache?: string; log?: (line: string) => void } = {},
): Promise<EvalSet> {
  let base: string;
  if (name === 'BSD100-real') base = await ensureRealSet(options.degradationSeed ?? 0, options);
  else if (name === `BSD100-jpeg${jpegSetQuality}`) base = await ensureJpegSet(options);
  else if ((benchmarkSets as readonly string[]).includes(name)) {
    const root = evalRoot(options.shared);
    if (!existsSync(root)) throw missingDataError('Evaluation data', root);
    base = join(root, name);
  } else if (existsSync(join(name, 'HR'))) base = resolve(name);
  else throw new Error(`Unknown evaluation set "${name}": use ${defaultSets.join(', ')}, or a folder holding HR/ and LR_x4/.`);
  const hrDir = join(base, 'HR');
  const lrDir = join(base, 'LR_x4');
  for (const [what, dir] of [['HR images', hrDir], ['LR_x4 images', lrDir]] as const) if (!existsSync(dir)) throw missingDataError(`${name} ${what}`, dir);
  let inputs = await listImages(lrDir);
  if (inputs.length === 0) throw new Error(`${lrDir} holds no images.`);
  if (options.maxImages && options.maxImages > 0) inputs = inputs.slice(0, options.maxImages);
  const label = (defaultSets as readonly string[]).includes(name) ? name : base.split(/[\\/]/).pop()!;
  return { name: label, hrDir, lrDir, inputs };
}

/** A folder of LR photos without ground truth (`--lr-only`): enhanced and scored by NIQE alone. */
export async function resolveLrOnly(dir: string, options: { maxImages?: number } = {}): Promise<EvalSet> {
  if (!existsSync(dir)) throw new Error(`--lr-only folder not found: ${dir}`);
  let inputs = await listImages(resolve(dir));
  if (inputs.length === 0) throw new Error(`${dir} holds no images (${readableFormatNames()}).`);
  if (options.maxImages && options.maxImages > 0) inputs = inputs.slice(0, options.maxImages);
  return { name: `${resolve(dir).split(/[\\/]/).pop()!} (LR only)`, lrDir: resolve(dir), inputs };
}
