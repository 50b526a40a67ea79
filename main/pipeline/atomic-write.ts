import { rename, rm } from 'node:fs/promises';
import { StudioError, isStudioError } from '../../shared/errors.js';

/** Where an output is written before it is complete; a crash leaves at most this, never a half image. */
export function temporaryPathFor(path: string): string {
  return `${path}.tmp`;
}

export function writeError(path: string, e: unknown): StudioError {
  if (isStudioError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const text = `${err?.code ?? ''} ${err?.message ?? String(e)}`;
  if (/ENOSPC|No space left/i.test(text))
    return new StudioError('disk-full', `The disk holding ${path} is full. Free some space or choose another output folder, then resume.`, { file: path, cause: e });
  if (/EROFS|EACCES|EPERM|Read-only file system|Permission denied/i.test(text))
    return new StudioError('permission-denied', `Cannot write ${path}: the output folder is read-only or not writable. Choose another output folder or fix its permissions, then resume.`, { file: path, cause: e });
  if (/ENOENT|No such file/i.test(text))
    return new StudioError('not-found', `Cannot write ${path}: its folder does not exist (was it removed or unmounted?). Choose another output folder.`, { file: path, cause: e });
  return new StudioError('internal', `Writing ${path} failed: ${err?.message ?? String(e)}`, { file: path, cause: e });
}

/**
 * Runs `write` against a temporary name beside `path`, then renames it into place (atomic on one
 * file system). On failure the temporary file is removed and nothing appears at `path`.
 */
export async function writeAtomically(path: string, write: (temporaryPath: string) => Promise<void>): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(path, e);
  }
}
