import { appendFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ensureFolder } from './ensure-folder.js';

/**
 * Each folder the app writes outputs into (from the CLI or the queue) gets a hidden list of them:
 * one JSON line per output, `{"output": name, "input": path}`. Folder walks leave the listed files
 * out, so an output folder inside an input folder (or the same folder) is never enhanced again,
 * and "skip existing" knows an input is done even when its output had to take another name.
 */
export const manifestName = '.ctmsr-outputs';

export interface ManifestEntry {
  /** The output's file name, in the manifest's folder. */
  output: string;
  /** The input it was made from, absolute. */
  input: string;
}

/**
 * Notes an output about to be written (its folder made if need be); a failure to note it never
 * fails the output itself, whose own write reports a folder that cannot be made.
 */
export async function recordOutput(outputPath: string, inputPath: string): Promise<void> {
  const line = JSON.stringify({ output: basename(outputPath), input: resolve(inputPath) } satisfies ManifestEntry);
  try {
    await ensureFolder(dirname(outputPath));
    await appendFile(join(dirname(outputPath), manifestName), line + '\n');
  } catch {
    // the write that follows says what is wrong with the folder
  }
}

/** The outputs listed for one folder, read once per reader and indexed both ways (folders hold thousands). */
interface FolderOutputs {
  names: Set<string>;
  /** input → the output made from it last */
  byInput: Map<string, string>;
}

export class OutputManifests {
  private readonly folders = new Map<string, FolderOutputs>();

  private folder(folder: string): FolderOutputs {
    const key = resolve(folder);
    let listed = this.folders.get(key);
    if (!listed) {
      listed = { names: new Set(), byInput: new Map() };
      let text = '';
      try {
        text = readFileSync(join(key, manifestName), 'utf8');
      } catch {
        // no outputs written here
      }
      for (const line of text.split('\n')) {
        try {
          const entry = JSON.parse(line) as ManifestEntry;
          if (typeof entry?.output !== 'string' || typeof entry.input !== 'string') continue;
          listed.names.add(entry.output);
          listed.byInput.set(entry.input, entry.output);
        } catch {
          // a line cut short by a crash
        }
      }
      this.folders.set(key, listed);
    }
    return listed;
  }

  /** Whether the app wrote this file as an output. */
  isOutput(path: string): boolean {
    return this.folder(dirname(path)).names.has(basename(path));
  }

  /** An output in `folder` already made from `input`, if any. */
  outputOf(input: string, folder: string): string | undefined {
    const output = this.folder(folder).byInput.get(resolve(input));
    return output === undefined ? undefined : join(resolve(folder), output);
  }
}
