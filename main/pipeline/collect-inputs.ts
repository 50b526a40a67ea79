import { stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { StudioError } from '../../shared/errors.js';
import { refusal } from '../../shared/refusals.js';
import { notAnImageFile } from '../imaging/file-kind.js';
import { walkImages } from '../library/walk.js';
import { OutputManifests } from './output-manifest.js';

/** An input file, the folder its mirrored output tree starts at, and the folder it was chosen through. */
export interface CollectedInput {
  path: string;
  root: string;
  chosenIn: string;
}

export interface CollectedInputs {
  inputs: CollectedInput[];
  /** Paths that named nothing usable, each saying what it is and what to do; the rest is collected. */
  problems: StudioError[];
  /** Chosen folders with no images in them (not an error when others have some). */
  emptyFolders: string[];
}

export interface CollectOptions {
  /** Take the images of subfolders too. */
  recursive: boolean;
  /** The output folder: what lies in it is never an input when it sits inside a chosen folder. */
  outDir?: string;
  /** Other files known to be outputs of this app (the queue's earlier batches). */
  isKnownOutput?: (file: string) => boolean;
  /**
   * Where a path's mirrored output tree starts (a library folder holding it). Default: the folder
   * it was chosen through, so a file named on its own is written flat.
   */
  rootOf?: (path: string) => string | undefined;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Turns chosen files and folders into the images to enhance, each once, in the order given and
 * each folder's in name order (img2 before img10, as a file manager shows them). A file named
 * explicitly is tried whatever its extension (the decoder says clearly what is wrong with it).
 * Folders never yield the app's own outputs: not the output folder's tree, nor files an output
 * manifest lists (an output folder that is the input folder), nor `isKnownOutput` ones.
 */
export async function collectInputs(paths: readonly string[], options: CollectOptions): Promise<CollectedInputs> {
  const outDir = options.outDir === undefined ? undefined : resolve(options.outDir);
  const manifests = new OutputManifests();
  const isOwnOutput = (file: string, chosen: string) =>
    (outDir !== undefined && outDir.startsWith(chosen + sep) && file.startsWith(outDir + sep)) || manifests.isOutput(file) || options.isKnownOutput?.(file) === true;
  const found = new Map<string, CollectedInput>();
  const problems: StudioError[] = [];
  const emptyFolders: string[] = [];
  for (const given of paths) {
    const path = resolve(given);
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      problems.push(refusal('not-found', 'files.missingInput', { file: path }, { file: path }));
    } else if (info.isDirectory()) {
      const images: string[] = [];
      for await (const image of walkImages(path, options.recursive)) if (!isOwnOutput(image.path, path)) images.push(image.path);
      if (images.length === 0) emptyFolders.push(path);
      const root = options.rootOf?.(path) ?? path;
      for (const file of images.sort(collator.compare)) if (!found.has(file)) found.set(file, { path: file, root, chosenIn: path });
    } else if (!info.isFile()) {
      problems.push(notAnImageFile(path, info));
    } else if (!found.has(path)) {
      found.set(path, { path, root: options.rootOf?.(path) ?? dirname(path), chosenIn: dirname(path) });
    }
  }
  return { inputs: [...found.values()], problems, emptyFolders };
}
