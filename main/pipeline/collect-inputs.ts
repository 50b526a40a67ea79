import { opendir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileKind } from '../imaging/file-kind.js';
import { isReadableImagePath } from '../imaging/formats.js';
import { OutputManifests } from './output-manifest.js';
import type { OutputRequest } from './output-path.js';

export interface CollectedInputs {
  inputs: OutputRequest[];
  /** Arguments that named nothing usable, each as a sentence for the user. */
  problems: string[];
}

interface WalkOptions {
  recursive: boolean;
  /** Folders not to enter (the output folder). */
  exclude: Set<string>;
  manifests: OutputManifests;
}

async function* walk(dir: string, options: WalkOptions): AsyncGenerator<string> {
  const entries: string[] = [];
  const folders: string[] = [];
  for await (const entry of await opendir(dir)) {
    if (entry.name.startsWith('.')) continue; // hidden files, and our own .tmp outputs in progress
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!options.exclude.has(path)) folders.push(path);
    } else if (entry.isFile() && isReadableImagePath(entry.name) && !options.manifests.isOutput(path)) entries.push(path);
  }
  yield* entries.sort();
  if (options.recursive) for (const folder of folders.sort()) yield* walk(folder, options);
}

/**
 * Turns command-line arguments (files and folders) into the list of images to enhance. A folder
 * is the root of its images' mirrored tree; a file given by name is written flat into the output.
 * Folders never yield the app's own outputs: not the output folder's tree, nor files an output
 * manifest lists (an output folder that is the input folder).
 */
export async function collectInputs(args: string[], options: { recursive: boolean; outDir?: string }): Promise<CollectedInputs> {
  const walkOptions: WalkOptions = { recursive: options.recursive, exclude: new Set(options.outDir ? [resolve(options.outDir)] : []), manifests: new OutputManifests() };
  const inputs: OutputRequest[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const add = (request: OutputRequest) => {
    if (seen.has(request.path)) return;
    seen.add(request.path);
    inputs.push(request);
  };
  for (const arg of args) {
    const path = resolve(arg);
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      problems.push(`${arg} does not exist.`);
    } else if (info.isDirectory()) {
      const before = inputs.length;
      for await (const file of walk(path, walkOptions)) add({ path: file, root: path });
      if (inputs.length === before) problems.push(`${arg} holds no images${options.recursive ? '' : ' (add --recursive to include subfolders)'}.`);
    } else if (!info.isFile()) {
      problems.push(`${arg} is ${fileKind(info)}, not an image file: skipped.`);
    } else {
      // A file named explicitly is tried whatever its extension: the decoder says clearly what is wrong.
      add({ path });
    }
  }
  return { inputs, problems };
}
