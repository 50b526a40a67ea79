import type { Stats } from 'node:fs';
import type { StudioError } from '../../shared/errors.js';
import { refusal, refusalTexts } from '../../shared/refusals.js';

type FileKind = keyof typeof refusalTexts.fileKinds;

/** What a path is, as a key of the message texts' `fileKinds`. */
function kindOf(info: Stats): FileKind {
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'folder';
  if (info.isFIFO()) return 'fifo';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'other';
}

/** What a path that is not a regular file is, in words, for a message. */
export function fileKind(info: Stats): string {
  return refusalTexts.fileKinds[kindOf(info)];
}

/**
 * Only regular files are images. Anything else (a named pipe, a device) could block a reader for
 * ever, so it is refused before it is opened.
 */
export function notAnImageFile(path: string, info: Stats): StudioError {
  return refusal('unsupported-format', 'files.notAnImageFile', { file: path, fileKind: kindOf(info) }, { file: path });
}
