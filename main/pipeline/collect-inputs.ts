import { opendir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isReadableImagePath } from '../imaging/formats.js';
import type { OutputRequest } from './output-path.js';

export interface CollectedInputs {
  inputs: OutputRequest[];
  /** Arguments that named nothing usable, each as a sentence for the user. */
  problems: string[];
}

async function* walk(dir: string, recursive: boolean): AsyncGenerator<string> {
  const entries: string[] = [];
  const folders: string[] = [];
  for await (const entry of await opendir(dir)) {
    if (entry.name.startsWith('.')) continue; // hidden files, and our own .tmp outputs in progress
    const path = join(dir, entry.name);
    if (entry.isDirectory()) folders.push(path);
    else if (entry.isFile() && isReadableImagePath(entry.name)) entries.push(path);
  }
  yield* entries.sort();
  if (recursive) for (const folder of folders.sort()) yield* walk(folder, recursive);
}

/**
 * Turns command-line arguments (files and folders) into the list of images to enhance. A folder
 * is the root of its images' mirrored tree; a file given by name is written flat into the output.
 */
export async function collectInputs(args: string[], options: { recursive: boolean }): Promise<CollectedInputs> {
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
      for await (const file of walk(path, options.recursive)) add({ path: file, root: path });
      if (inputs.length === before) problems.push(`${arg} holds no images${options.recursive ? '' : ' (add --recursive to include subfolders)'}.`);
    } else {
      // A file named explicitly is tried whatever its extension: the decoder says clearly what is wrong.
      add({ path });
    }
  }
  return { inputs, problems };
}
