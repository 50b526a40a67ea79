import fs from 'node:fs';
import path from 'node:path';
import { isReadableImagePath } from '../imaging/formats.js';

export interface FoundImage {
  path: string;
  /** Relative directory, '/'-separated, '' at the root. */
  dir: string;
  name: string;
}

/** A folder a walk could not read, and why. */
export interface SkippedFolder {
  path: string;
  reason: string;
}

/**
 * Yields image files under `root` one at a time. Directory entries are streamed (opendir), so
 * memory holds one directory handle and the list of directories still to visit, never the file
 * list of a 100,000-photo folder. Hidden entries and symbolic links are skipped (links can loop).
 * Subdirectories that vanish or cannot be read (opened, or listed: /proc opens folders it then
 * refuses to list) are skipped and passed to `onSkipped`; the rest is walked. An unreadable root
 * throws.
 */
export async function* walkImages(
  root: string,
  recursive: boolean,
  signal?: AbortSignal,
  onSkipped?: (folder: SkippedFolder) => void,
): AsyncGenerator<FoundImage> {
  const pending: string[] = [''];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const full = path.join(root, dir);
    try {
      const handle = await fs.promises.opendir(full, { bufferSize: 64 });
      for await (const entry of handle) {
        signal?.throwIfAborted();
        if (entry.name.startsWith('.')) continue;
        const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (recursive) pending.push(rel);
        } else if (entry.isFile() && isReadableImagePath(entry.name)) {
          yield { path: path.join(root, rel), dir, name: entry.name };
        }
      }
    } catch (e) {
      if (dir === '' || signal?.aborted) throw e;
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'ENOENT') onSkipped?.({ path: full, reason: err.code ?? err.message });
    }
  }
}
