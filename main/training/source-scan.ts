/**
 * The Training screen's instant check of a source folder: which pairs can train, the scale they show, and every
 * file that cannot, by name, with the reason. Reads image headers only (the library's reader), plus a hash to find copies.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BadFile, ParsedTrainingSource, SourcePair, SourceScan } from '../../shared/training/types.js';
import { imageFormatOfName } from '../../shared/enhance/image-formats.js';
import { readImageHeader, type ImageInfo } from '../library/metadata.js';
import { refusalText, type RefusalKey, type RefusalParams } from '../../shared/refusals.js';

export const minimumPairs = 8;
/**
 * The largest picture the trainer reads: Pillow's own limit (twice Image.MAX_IMAGE_PIXELS). The app writes it into
 * finetune.json and the trainer refuses larger ones by it, so a photo the scan passes never stops a run midway.
 */
export const maxTrainingPixels = 178_956_970;

export interface ScanOptions {
  /** The training crop the run will take (about; rounded to the scale). */
  cropSide?: number;
  /** The system folder a file really lies in (links followed), if any: such files are never read. */
  systemFolderOf?: (file: string) => string | undefined;
}
/** Narrower than what the app enhances: the formats the trainer's Pillow reads (see `trainable`). */
export const isTrainableImage = (name: string): boolean => imageFormatOfName(name)?.trainable === true;

/** The HR crop the trainer takes at this scale (a multiple of it), about `side` px. */
export function cropFor(scale: number, side = 128): number {
  return Math.max(scale, Math.round(side / scale) * scale);
}

interface ImageFile {
  stem: string;
  file: string;
  width: number;
  height: number;
  hash: string;
}

async function listImages(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    // symbolic links count: a folder of links to the pictures is a common way to pick them
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && isTrainableImage(e.name))
    .map((e) => path.join(folder, e.name))
    .sort();
}

const megapixels = (pixels: number) => `${Math.round(pixels / 1e6)} MP`;

/** The file's header, or why the trainer must not read it (a link into a system folder, a header it cannot take). */
async function headerOf(file: string, options: ScanOptions): Promise<ImageInfo | string> {
  const system = options.systemFolderOf?.(file);
  if (system) return `in a system folder: it leads into ${system}, and CTMSR Studio never reads photos there. Copy the picture into the folder instead`;
  let info: ImageInfo;
  try {
    info = await readImageHeader(file);
  } catch (e) {
    return `unreadable: ${(e as Error).message.replace(/\s+/g, ' ').trim()}`;
  }
  const pixels = info.width * info.height;
  if (pixels > maxTrainingPixels) return `too large: ${info.width}×${info.height} is ${megapixels(pixels)}, more than the ${megapixels(maxTrainingPixels)} the trainer reads; downscale it`;
  return info;
}

/** Images of one folder by stem; unreadable files and two files of one stem go to `bad`. */
async function readFolder(folder: string, bad: BadFile[], options: ScanOptions, seen = new Set<string>()): Promise<Map<string, ImageFile>> {
  const byStem = new Map<string, ImageFile>();
  const clashes = new Set<string>();
  for (const file of await listImages(folder)) {
    const stem = path.basename(file, path.extname(file));
    seen.add(stem);
    const info = await headerOf(file, options);
    if (typeof info === 'string') {
      bad.push({ file, reason: info });
      continue;
    }
    // sizes as displayed (EXIF orientation applied)
    const image: ImageFile = { stem, file, width: info.width, height: info.height, hash: '' };
    const other = byStem.get(stem);
    if (other) {
      bad.push(badFile(file, 'badFile.duplicateNameOf', { other: path.basename(other.file) }));
      clashes.add(stem);
      continue;
    }
    byStem.set(stem, image);
  }
  for (const stem of clashes) {
    const kept = byStem.get(stem)!;
    bad.push(badFile(kept.file, 'badFile.duplicateName'));
    byStem.delete(stem);
  }
  return byStem;
}

async function hashOf(file: string): Promise<string> {
  return createHash('sha1').update(await readFile(file)).digest('hex');
}

/** Pairs whose HR file is byte-identical to an earlier pair's are left out (they would be trained twice and
 * could end up on both sides of the held-out split). */
async function dropCopies(pairs: SourcePair[], bad: BadFile[]): Promise<SourcePair[]> {
  const seen = new Map<string, string>();
  const kept: SourcePair[] = [];
  for (const pair of pairs) {
    const hash = await hashOf(pair.hr);
    const first = seen.get(hash);
    if (first) bad.push(badFile(pair.hr, 'badFile.copyOf', { first }));
    else {
      seen.set(hash, path.basename(pair.hr));
      kept.push(pair);
    }
  }
  return kept;
}

/** A reason the scan as a whole cannot be used: the English text and its key for the UI's language. */
type Problem = Pick<SourceScan, 'problem' | 'problemSaid'>;

function problemOf(key: RefusalKey, params: RefusalParams = {}): Problem {
  return { problem: refusalText(key, params), problemSaid: { key, params } };
}

function badFile(file: string, key: RefusalKey, params: RefusalParams = {}): BadFile {
  return { file, reason: refusalText(key, params), reasonSaid: { key, params } };
}

/** What keeps `p` from being read as a folder, in words that say what to do (the browser UI has no picker); null when it is one. */
async function folderProblem(p: string): Promise<Problem | null> {
  try {
    const info = await stat(p);
    if (info.isDirectory()) return null;
    return problemOf(info.isFile() ? 'scan.isAFile' : 'scan.notAFolder', { path: p });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? problemOf('scan.missing', { path: p }) : problemOf('scan.unreadable', { path: p, code: String(code) });
  }
}

async function subfolder(folder: string, name: string): Promise<string | null> {
  try {
    const entry = (await readdir(folder, { withFileTypes: true })).find((e) => e.isDirectory() && e.name.toLowerCase() === name.toLowerCase());
    return entry ? path.join(folder, entry.name) : null;
  } catch {
    return null;
  }
}

function empty(kind: 'pairs' | 'hr', hrFolder: string, problem: Problem, lrFolder?: string): SourceScan {
  return { kind, hrFolder, lrFolder, pairs: [], scale: null, bad: [], minimumPairs, crop: 0, ...problem };
}

function mostCommon(values: number[]): number | null {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | null = null;
  for (const [v, n] of counts) if (best === null || n > counts.get(best)! || (n === counts.get(best)! && v > best)) best = v;
  return best;
}

function withProblem(scan: Omit<SourceScan, 'problem' | 'problemSaid' | 'minimumPairs'>): SourceScan {
  const n = scan.pairs.length;
  if (n >= minimumPairs) return { ...scan, minimumPairs, problem: null };
  const what = scan.kind === 'pairs' ? 'Pairs' : 'Photos';
  const params = { count: n, minimum: minimumPairs };
  const problem = scan.bad.length > 0 ? problemOf(`scan.tooFew${what}Fix`, params) : problemOf(`scan.tooFew${what}`, { ...params, folder: scan.hrFolder });
  return { ...scan, minimumPairs, ...problem };
}

async function scanPairs(lrFolder: string, hrFolder: string, options: ScanOptions): Promise<SourceScan> {
  for (const folder of [lrFolder, hrFolder]) {
    const problem = await folderProblem(folder);
    if (problem) return empty('pairs', hrFolder, problem, lrFolder);
  }
  const bad: BadFile[] = [];
  const lrSeen = new Set<string>();
  const hrSeen = new Set<string>();
  const lrs = await readFolder(lrFolder, bad, options, lrSeen);
  const hrs = await readFolder(hrFolder, bad, options, hrSeen);
  // a partner that exists but is listed as bad itself: say so, rather than "missing"
  const partnerProblem = (file: string, seen: Set<string>, folder: string, stem: string, side: string) =>
    seen.has(stem) ? badFile(file, 'badFile.partnerUnusable', { side, stem, folder }) : badFile(file, 'badFile.partnerMissing', { side, path: path.join(folder, `${stem}.*`) });
  const matched: { lr: ImageFile; hr: ImageFile; scale: number | null }[] = [];
  for (const [stem, lr] of lrs) {
    const hr = hrs.get(stem);
    if (!hr) {
      bad.push(partnerProblem(lr.file, hrSeen, hrFolder, stem, 'HR'));
      continue;
    }
    const sx = hr.width / lr.width;
    const sy = hr.height / lr.height;
    if (!Number.isInteger(sx) || sx !== sy || sx < 2) {
      bad.push(badFile(hr.file, 'badFile.notAMultiple', { hr: `${hr.width}×${hr.height}`, lr: `${lr.width}×${lr.height}` }));
      continue;
    }
    matched.push({ lr, hr, scale: sx });
  }
  for (const [stem, hr] of hrs) if (!lrs.has(stem)) bad.push(partnerProblem(hr.file, lrSeen, lrFolder, stem, 'LR'));
  const scale = mostCommon(matched.map((m) => m.scale!));
  const crop = scale ? cropFor(scale, options.cropSide) : 0;
  let pairs: SourcePair[] = [];
  for (const m of matched) {
    if (m.scale !== scale) {
      bad.push(badFile(m.hr.file, 'badFile.scaleDisagrees', { lr: `${m.lr.width}×${m.lr.height}`, hr: `${m.hr.width}×${m.hr.height}`, scale: m.scale!, common: scale! }));
      continue;
    }
    if (Math.min(m.hr.width, m.hr.height) < crop) {
      bad.push(badFile(m.hr.file, 'badFile.tooSmallHr', { size: `${m.hr.width}×${m.hr.height}`, crop }));
      continue;
    }
    pairs.push({ stem: m.hr.stem, lr: m.lr.file, hr: m.hr.file, width: m.hr.width, height: m.hr.height });
  }
  pairs = await dropCopies(pairs, bad);
  return withProblem({ kind: 'pairs', lrFolder, hrFolder, pairs, scale, bad: sortBad(bad), crop });
}

async function scanHr(folder: string, scale: number, options: ScanOptions): Promise<SourceScan> {
  const problem = await folderProblem(folder);
  if (problem) return empty('hr', folder, problem);
  const bad: BadFile[] = [];
  const crop = cropFor(scale, options.cropSide);
  let pairs: SourcePair[] = [];
  for (const image of (await readFolder(folder, bad, options)).values()) {
    if (Math.min(image.width, image.height) < crop) {
      bad.push(badFile(image.file, 'badFile.tooSmall', { size: `${image.width}×${image.height}`, crop }));
      continue;
    }
    pairs.push({ stem: image.stem, hr: image.file, width: image.width, height: image.height });
  }
  pairs = await dropCopies(pairs.sort((a, b) => a.stem.localeCompare(b.stem)), bad);
  return withProblem({ kind: 'hr', hrFolder: folder, pairs, scale, bad: sortBad(bad), crop });
}

function sortBad(bad: BadFile[]): BadFile[] {
  return bad.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Scans a source as the Training screen describes it. A pairs folder holds LR/ and HR/ subfolders (any case);
 * or both folders are given.
 */
export async function scanSource(source: ParsedTrainingSource, options: ScanOptions = {}): Promise<SourceScan> {
  if (source.kind === 'hr') return scanHr(path.resolve(source.folder), source.scale, options);
  if (source.lrFolder && source.hrFolder) return scanPairs(path.resolve(source.lrFolder), path.resolve(source.hrFolder), options);
  if (!source.folder) return empty('pairs', '', problemOf('scan.chooseSource'));
  const folder = path.resolve(source.folder);
  const problem = await folderProblem(folder);
  if (problem) return empty('pairs', folder, problem);
  const lr = await subfolder(folder, 'LR');
  const hr = await subfolder(folder, 'HR');
  if (!lr || !hr) return empty('pairs', folder, problemOf('scan.noSubfolders', { folder }));
  return scanPairs(lr, hr, options);
}

/**
 * Splits the usable pairs into training and held-out ones: a fixed share (at least 2), picked evenly across the
 * names so that a folder sorted by date or subject keeps each part represented. Always the same for a scan.
 */
export function splitHeldOut<T>(pairs: T[], share: number): { train: T[]; heldOut: T[] } {
  const count = Math.min(pairs.length - 1, Math.max(2, Math.round(pairs.length * share)));
  const step = pairs.length / count;
  const picked = new Set(Array.from({ length: count }, (_, i) => Math.floor(i * step + step / 2)));
  return { train: pairs.filter((_, i) => !picked.has(i)), heldOut: pairs.filter((_, i) => picked.has(i)) };
}
