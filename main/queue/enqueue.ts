import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { batchOutputSchema } from '../../shared/api/requests.js';
import type { BatchOutputOptions } from '../../shared/api/types.js';
import { readableFormatNames } from '../../shared/enhance/image-formats.js';
import { enhanceSettingsSchema, type EnhanceSettings, type EnhanceSettingsInput } from '../../shared/enhance/settings.js';
import { StudioError, describeIssues, type ValidationIssue } from '../../shared/errors.js';
import { imageWithRoot, libraryRoots as listLibraryRoots } from '../library/query.js';
import { collectInputs as collectFiles } from '../pipeline/collect-inputs.js';
import { OutputManifests } from '../pipeline/output-manifest.js';
import { planOutputs, type OutputPlanOptions } from '../pipeline/output-path.js';
import type { StudioDatabase } from '../store/db.js';
import type { NewItem } from './store.js';
import { refusal } from '../../shared/refusals.js';

export interface EnqueueInput {
  name?: string;
  /** Library images. */
  imageIds?: number[];
  /** Files, and folders whose images are all taken (below too when `recursive`). */
  paths?: string[];
  recursive?: boolean;
  settings: EnhanceSettingsInput;
  output: z.input<typeof batchOutputSchema>;
}

/** What a batch keeps: everything needed to run its items later, after a restart too. */
export interface BatchOptions {
  settings: EnhanceSettings;
  output: BatchOutputOptions;
  /** As planned at enqueue, to plan again an output whose name was taken meanwhile. */
  plan: OutputPlanOptions;
}

interface Input {
  path: string;
  /** Where a mirrored output tree starts: the library folder it is in, else the folder it was chosen through. */
  root: string;
  /** The folder it was chosen through, for the batch's name. */
  chosenIn: string;
  imageId?: number;
  pixels?: number;
}

/** The input files a request names, each once, in the order given: library images, then files and folders. */
export async function collectInputs(db: StudioDatabase, request: EnqueueInput): Promise<Input[]> {
  const inputs = new Map<string, Input>();
  for (const imageId of request.imageIds ?? []) {
    const row = imageWithRoot(db, imageId);
    if (!row) throw refusal('not-found', 'queue.imageGone', { id: imageId });
    if (inputs.has(row.path)) continue;
    const pixels = row.width !== null && row.height !== null ? row.width * row.height : undefined;
    inputs.set(row.path, { path: row.path, root: row.root, chosenIn: row.root, imageId, pixels });
  }
  if (!request.paths?.length) return [...inputs.values()];
  // outputs of earlier batches are never inputs: they would be enhanced again on every run
  const earlierOutput = db.prepare('SELECT 1 FROM items WHERE output_path = ? LIMIT 1').pluck();
  // One placement rule however a batch was started: the tree below the library folder is mirrored,
  // so "Enhance folder…" on Photos/set14 writes to out/set14/ as selecting its images does.
  const libraryRoots = listLibraryRoots(db).sort((a, b) => b.length - a.length);
  const { inputs: found, problems } = await collectFiles(request.paths, {
    recursive: request.recursive ?? false,
    outDir: typeof request.output?.folder === 'string' ? request.output.folder : undefined,
    isKnownOutput: (file) => earlierOutput.get(file) !== undefined,
    rootOf: (p) => libraryRoots.find((root) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep)),
  });
  if (problems.length > 0) throw problems[0];
  for (const input of found) if (!inputs.has(input.path)) inputs.set(input.path, input);
  return [...inputs.values()];
}

/**
 * Validates a request and plans every item's output up front (output-path.ts): names that two
 * inputs would share, existing files and the collision policy are settled here, so the items that
 * will be skipped or fail on a collision say so from the start.
 */
export async function planBatch(
  db: StudioDatabase,
  request: EnqueueInput,
  templateValues: (settings: EnhanceSettings) => Promise<{ model?: string; scale?: number }>,
): Promise<{ name: string; options: BatchOptions; items: NewItem[] }> {
  const settings = parseOrExplain(() => enhanceSettingsSchema.parse(request.settings), 'settings');
  const output = parseOrExplain(() => batchOutputSchema.parse(request.output), 'output options');
  const inputs = await collectInputs(db, request);
  if (inputs.length === 0) {
    const paths = (request.paths ?? []).join(', ');
    throw paths
      ? refusal('not-found', 'queue.noImagesIn', { paths, formats: readableFormatNames() })
      : refusal('not-found', 'queue.noImagesSelected', { formats: readableFormatNames() });
  }
  const outDir = path.resolve(output.folder);
  const plan: OutputPlanOptions = {
    outDir,
    format: settings.format,
    template: output.naming,
    templateValues: await templateValues(settings),
    collision: output.collision,
    skipExisting: output.skipExisting,
  };
  const manifests = new OutputManifests();
  const doneOutputs = db.prepare("SELECT output_path FROM items WHERE input_path = ? AND state = 'done' ORDER BY id DESC").pluck();
  // an input this app already enhanced into that folder, under whatever name (by the queue or the CLI)
  const doneBefore = (input: string, folder: string) =>
    (doneOutputs.all(input) as string[]).find((o) => path.dirname(o) === folder && fs.existsSync(o)) ?? manifests.outputOf(input, folder);
  const plans = planOutputs(
    inputs.map((i) => ({ path: i.path, root: output.mirrorTree ? i.root : undefined })),
    plan,
    doneBefore,
  );
  const items = plans.map((plan, i): NewItem => {
    const { path: inputPath, imageId, pixels } = inputs[i];
    const base = { inputPath, imageId, pixels, outputPath: plan.output };
    if (plan.action === 'write') return { ...base, state: 'queued' };
    if (plan.action === 'skip') return { ...base, state: 'skipped', error: plan.reason, errorSaid: plan.said };
    return { ...base, state: 'failed', errorCode: 'output-exists', error: plan.reason, errorSaid: plan.said };
  });
  const name = request.name?.trim() || defaultName(inputs.map((i) => i.chosenIn), inputs.length);
  return { name, options: { settings, output: { ...output, folder: outDir }, plan }, items };
}

function defaultName(roots: string[], count: number): string {
  const folders = [...new Set(roots)];
  const label = folders.length === 1 ? path.basename(folders[0]) || folders[0] : `${folders.length} folders`;
  return `${label} (${count} image${count === 1 ? '' : 's'})`;
}

function parseOrExplain<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (e) {
    const issues = (e as { issues?: ValidationIssue[] }).issues;
    const detail = issues ? describeIssues(issues, what) : (e as Error).message;
    throw new StudioError('invalid-settings', `The batch's ${what} are not valid (${detail}). Correct them and enqueue again.`);
  }
}
