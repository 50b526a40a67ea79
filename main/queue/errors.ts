import { StudioError, isStudioError } from '../../shared/errors.js';

/** Any failure of an item as the StudioError the user sees; the pipeline's own errors pass through. */
export function itemError(e: unknown, file: string): StudioError {
  if (isStudioError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const text = `${err?.code ?? ''} ${err?.message ?? String(e)}`;
  if (/ENOSPC|No space left/i.test(text)) {
    return new StudioError('disk-full', `The disk is full while working on ${file}. Free some space or choose another output folder, then resume.`, { file, cause: e });
  }
  if (/EROFS|Read-only file system/i.test(text)) {
    return new StudioError('permission-denied', `The output disk is read-only while working on ${file}. Choose another output folder, then resume.`, { file, cause: e });
  }
  if (/out of memory|bad_alloc|ENOMEM/i.test(text)) {
    return new StudioError('out-of-memory', `Ran out of memory on ${file}. Lower the tile size or the memory budget in Settings, then retry.`, { file, cause: e });
  }
  return new StudioError('internal', `${file} failed: ${err?.message ?? String(e)}. Retry the item; if it fails again, report it.`, { file, cause: e });
}
