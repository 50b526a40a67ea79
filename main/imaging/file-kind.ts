import type { Stats } from 'node:fs';
import { StudioError } from '../../shared/errors.js';

/** What a path that is not a regular file is, in words, for a message. */
export function fileKind(info: Stats): string {
  if (info.isFile()) return 'a file';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Only regular files are images. Anything else (a named pipe, a device) could block a reader for
 * ever, so it is refused before it is opened.
 */
export function notAnImageFile(path: string, info: Stats): StudioError {
  return new StudioError('unsupported-format', `${path} is ${fileKind(info)}, not an image file. Only regular image files are read.`, { file: path });
}
