import type { Stats } from 'node:fs';
import type { StudioError } from '../../shared/errors.js';
import { refusal, refusalTexts } from '../../shared/refusals.js';

type FileKind = keyof typeof refusalTexts.fileKinds;

/** What a path is, as a key of the message texts' `fileKinds`. */
export function fileKind(info: Stats): FileKind {
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'folder';
  if (info.isFIFO()) return 'fifo';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'other';
}

/**
 * Only regular files are images. Anything else (a named pipe, a device) could block a reader for
 * ever, so it is refused before it is opened.
 */
export function notAnImageFile(path: string, info: Stats): StudioError {
  return refusal('unsupported-format', 'files.notAnImageFile', { file: path, fileKind: fileKind(info) }, { file: path });
}
