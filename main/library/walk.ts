import fs from 'node:fs';
import path from 'node:path';
import { isReadableImagePath } from '../imaging/formats.js';

export interface FoundImage {
  path: string;
  /** Relative directory, '/'-separated, '' at the root. */
  dir: string;
  name: string;
}

/**
 * Yields image files under `root` one at a time. Directory entries are streamed (opendir), so
 * memory holds one directory handle and the list of directories still to visit, never the file
 * list of a 100,000-photo folder. Hidden entries and symbolic links are skipped (links can loop).
 * Subdirectories that vanish or cannot be read are skipped; an unreadable root throws.
 */
export async function* walkImages(root: string, recursive: boolean, signal?: AbortSignal): AsyncGenerator<FoundImage> {
  const pending: string[] = [''];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle: fs.Dir;
    try {
      handle = await fs.promises.opendir(path.join(root, dir), { bufferSize: 64 });
    } catch (e) {
      if (dir === '') throw e;
      continue;
    }
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
  }
}
