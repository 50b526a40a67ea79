import { constants } from 'node:fs';
import { access, rename, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StudioError, isStudioError } from '../../shared/errors.js';
import { explainError } from '../../shared/explain-error.js';

/** Where an output is written before it is complete; a crash leaves at most this, never a half image. */
export function temporaryPathFor(path: string): string {
  return `${path}.tmp`;
}

export interface WriteOptions {
  /**
   * Bytes the output may take at most (e.g. its uncompressed size). A write that failed without
   * saying why, on a disk with less than this free, is reported as a full disk.
   */
  maxBytes?: number;
}

/** A failed write of `path` as the error the user sees (always on the output side). */
export function writeError(path: string, e: unknown): StudioError {
  return explainError(e, { file: path, stage: 'output' });
}

/**
 * The cause the file system gives for a failed write, where the writer did not say (libvips
 * sometimes reports only "unable to write to target"): a folder that cannot be written, or a disk
 * with less free space than the output needs.
 */
async function fileSystemCause(path: string, options: WriteOptions): Promise<NodeJS.ErrnoException | undefined> {
  const folder = dirname(path);
  try {
    await access(folder, constants.W_OK);
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  if (options.maxBytes === undefined) return undefined;
  try {
    const { bavail, bsize } = await statfs(folder);
    if (bavail * bsize < options.maxBytes) {
      return Object.assign(new Error(`No space left on device (${bavail * bsize} bytes free of the up to ${options.maxBytes} needed)`), { code: 'ENOSPC' });
    }
  } catch {
    // no answer from the file system: keep the writer's own error
  }
  return undefined;
}

/** writeError, asking the file system for the cause when the error does not name one. */
async function explainWriteError(path: string, e: unknown, options: WriteOptions): Promise<StudioError> {
  const error = writeError(path, e);
  if (isStudioError(e) || error.code !== 'internal') return error;
  const cause = await fileSystemCause(path, options);
  return cause ? writeError(path, Object.assign(cause, { cause: e })) : error;
}

/**
 * Runs `write` against a temporary name beside `path`, then renames it into place (atomic on one
 * file system). On failure the temporary file is removed and nothing appears at `path`.
 */
export async function writeAtomically(path: string, write: (temporaryPath: string) => Promise<void>, options: WriteOptions = {}): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw await explainWriteError(path, e, options);
  }
}

/**
 * Removes the temporary files a killed run left beside these outputs (only names of our own
 * making: `<output>.tmp`), so a rerun after a crash leaves nothing behind.
 */
export async function removeStaleTemporaries(outputs: Iterable<string>): Promise<void> {
  await Promise.all([...outputs].map((output) => rm(temporaryPathFor(output), { force: true }).catch(() => undefined)));
}
