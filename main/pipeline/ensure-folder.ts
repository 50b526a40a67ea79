import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { refusal } from '../../shared/refusals.js';
import { writeError } from './atomic-write.js';

/**
 * Creates a folder and the missing ones above it, one level at a time. Node's recursive mkdir
 * retries for ever where a parent exists but refuses new entries without saying EACCES (/proc,
 * /sys); here every failure ends at once, as an error that names the folder.
 */
export async function ensureFolder(folder: string): Promise<void> {
  const missing: string[] = [];
  let at = folder;
  for (;;) {
    const info = await stat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(writeError(folder, e))));
    if (info) {
      if (!info.isDirectory()) throw refusal('not-found', 'files.outputFolderIsAFile', { folder, file: at }, { file: folder });
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      const error = writeError(folder, e);
      throw error.code === 'not-found'
        ? refusal('permission-denied', 'files.cannotCreateFolder', { folder, parent: dirname(dir), detail: (e as Error).message }, { file: folder, cause: e })
        : error;
    }
  }
}
