import crypto from 'node:crypto';

/** Cache key of a thumbnail: changes whenever the file is replaced or edited. */
export function thumbnailKey(file: string, size: number, mtimeMs: number): string {
  return crypto.createHash('sha256').update(`${file}\0${size}\0${Math.floor(mtimeMs)}`).digest('hex').slice(0, 32);
}
