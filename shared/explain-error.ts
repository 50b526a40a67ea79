import { StudioError, isOutOfMemory, isStudioError, type ErrorStage } from './errors.js';
import { refusal } from './refusals.js';

/**
 * Any failure while working on `file` as the StudioError the user sees: the app's own errors pass
 * through; system errors (errno codes, allocation failures) are named, with what to do about them.
 */
export function explainError(e: unknown, where: { file: string; stage: ErrorStage }): StudioError {
  if (isStudioError(e)) return e;
  const { file, stage } = where;
  const err = e as { code?: string; message?: string } | undefined;
  const detail = err?.message ?? String(e);
  const text = `${err?.code ?? ''} ${detail}`;
  const options = { file, stage, cause: e };
  if (/ENOSPC|No space left|SQLITE_FULL/i.test(text)) return refusal('disk-full', 'files.diskFull', { doing: stage, file }, { ...options, stage: 'output' });
  if (/EROFS|EACCES|EPERM|Read-only file system|Permission denied/i.test(text)) {
    return refusal('permission-denied', stage === 'output' ? 'files.outputNotWritable' : 'files.inputNotReadable', { file }, options);
  }
  if (/ENOENT|No such file/i.test(text)) return refusal('not-found', stage === 'output' ? 'files.outputFolderGone' : 'files.inputGone', { file }, options);
  if (isOutOfMemory(e)) return refusal('out-of-memory', 'files.outOfMemory', { doing: stage, file }, { ...options, stage: 'engine' });
  return refusal('internal', 'files.failed', { doing: stage, file, detail }, options);
}
