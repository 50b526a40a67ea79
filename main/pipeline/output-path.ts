import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { defaultNameTemplate, type CollisionPolicy, type EnhanceSettings, type OutputFormat } from '../../shared/enhance/settings.js';
import { reason, type Reason } from '../../shared/refusals.js';
import { outputExtension, resolveOutputFormat } from '../imaging/formats.js';
import { OutputManifests } from './output-manifest.js';

export interface OutputPlanOptions {
  outDir: string;
  format: OutputFormat;
  /** File name without extension; tokens {name}, {ext} (the input's extension), {model}, {scale}. Default "{name}_x{scale}". */
  template?: string;
  templateValues?: { model?: string; scale?: number | string };
  collision: CollisionPolicy;
  /** An existing output means "already done": the input is skipped whatever the policy. */
  skipExisting: boolean;
}

/** Why an output was not written where planned: one wording for the plan and for the check as an image starts. */
export const collisionReason = {
  skipExisting: (file: string) => reason('output.existsSkipExisting', { file }),
  skip: (file: string) => reason('output.existsSkip', { file }),
  fail: (file: string) => reason('output.exists', { file }),
};

/** An input file, and the folder it was found under when its tree is mirrored. */
export interface OutputRequest {
  path: string;
  root?: string;
}

export type PlannedOutput =
  | { input: string; action: 'write'; output: string; replaces: boolean }
  | ({ input: string; action: 'skip'; output: string } & Reason)
  | ({ input: string; action: 'fail'; output: string } & Reason);

/**
 * The naming template's {model} and {scale} for a batch: the scale asked for, else the model's own;
 * none when an exact width or height sets the size (each image's scale is then its own).
 */
export function templateValues(settings: EnhanceSettings, model: { id: string; scale: number }): { model: string; scale?: number } {
  const sized = settings.width !== undefined || settings.height !== undefined;
  return { model: model.id, scale: settings.scale ?? (sized ? undefined : model.scale) };
}

export function applyTemplate(template: string, input: string, values: OutputPlanOptions['templateValues'] = {}): string {
  const name = basename(input, extname(input));
  const out = template
    .replaceAll('{name}', name)
    .replaceAll('{ext}', extname(input).slice(1).toLowerCase())
    .replaceAll('{model}', values.model ?? '')
    .replaceAll('{scale}', values.scale === undefined ? '' : String(values.scale));
  // A template must not climb out of the output folder or name a hidden file.
  const safe = out.replace(/[\\/]/g, '_').replace(/^\.+/, '');
  return safe.length > 0 ? safe : name;
}

/** The path an input is written to before collisions are considered. */
export function intendedOutputPath({ path: input, root }: OutputRequest, options: OutputPlanOptions): string {
  const folder = root ? join(options.outDir, relative(root, dirname(input))) : options.outDir;
  const name = applyTemplate(options.template ?? defaultNameTemplate, input, options.templateValues);
  return join(folder, name + outputExtension(resolveOutputFormat(options.format, input)));
}

function manifestLookup(): (input: string, folder: string) => string | undefined {
  const manifests = new OutputManifests();
  return (input, folder) => manifests.outputOf(input, folder);
}

function renamed(path: string, n: number): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)} (${n})${ext}`);
}

/**
 * Decides every output of a batch at once, so two inputs never claim one name (a.jpg and a.png
 * both wanting a.png), an existing file is treated per policy, and no input is ever an output.
 */
export function planOutputs(
  requests: OutputRequest[],
  options: OutputPlanOptions,
  /** An output already made from `input` in `folder` (default: from the folder's output manifest). */
  doneBefore: (input: string, folder: string) => string | undefined = manifestLookup(),
): PlannedOutput[] {
  const protectedPaths = new Set(requests.map((r) => resolve(r.path)));
  const claimed = new Set<string>();
  const exists = (p: string) => claimed.has(p) || protectedPaths.has(p) || existsSync(p);
  return requests.map((request): PlannedOutput => {
    const input = request.path;
    const wanted = resolve(intendedOutputPath(request, options));
    const onDisk = existsSync(wanted) || protectedPaths.has(wanted);
    if (onDisk && options.skipExisting && !protectedPaths.has(wanted)) {
      return { input, action: 'skip', output: wanted, ...collisionReason.skipExisting(wanted) };
    }
    // done before under another name (its own name was taken, by the input itself or another file)
    const earlier = options.skipExisting ? doneBefore(input, dirname(wanted)) : undefined;
    if (earlier && existsSync(earlier)) return { input, action: 'skip', output: earlier, ...reason('output.alreadyEnhanced', { name: basename(earlier) }) };
    const taken = claimed.has(wanted) || onDisk;
    if (!taken) {
      claimed.add(wanted);
      return { input, action: 'write', output: wanted, replaces: false };
    }
    // Inputs are never overwritten, whatever the policy: fall back to a new name.
    const policy = protectedPaths.has(wanted) && options.collision === 'overwrite' ? 'rename' : options.collision;
    switch (policy) {
      case 'overwrite':
        if (claimed.has(wanted)) break; // another input of this batch already writes it
        claimed.add(wanted);
        return { input, action: 'write', output: wanted, replaces: true };
      case 'skip':
        return { input, action: 'skip', output: wanted, ...collisionReason.skip(wanted) };
      case 'fail':
        return { input, action: 'fail', output: wanted, ...collisionReason.fail(wanted) };
      case 'rename':
        break;
    }
    let n = 1;
    while (exists(renamed(wanted, n))) n++;
    const output = renamed(wanted, n);
    claimed.add(output);
    return { input, action: 'write', output, replaces: false };
  });
}
