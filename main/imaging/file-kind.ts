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
  return new StudioError('unsupported-format', `${path} is ${fileKind(info)}, not an image file. Only regular image files can be enhanced.`, { file: path });
}

/**
 * Settles with `work`, or rejects with `error()` after `ms`. A decoder stuck on a file that stops
 * answering (a stalled network drive) then fails its image instead of holding the batch for ever.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
