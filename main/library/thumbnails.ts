import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { StudioDatabase } from '../store/db.js';
import { StudioError } from '../../shared/errors.js';
import { thumbnailKey } from './thumbnail-key.js';

const fileNamePattern = /^([0-9a-f]{32})-(\d+)\.webp$/;
/** Temporary files younger than this may belong to a thumbnail being written right now. */
const tmpGraceMs = 60_000;

/**
 * Thumbnails on disk, keyed by path + size + mtime of the original, so an edited or replaced photo
 * gets a new thumbnail and the old one becomes stale. Files are `<dir>/<k0k1>/<key>-<side>.webp`.
 */
export class ThumbnailCache {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(readonly dir: string) {}

  /** Path of a thumbnail whose longer side is at most `side`, made now if not cached. */
  async get(file: string, side = 256): Promise<string> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch (e) {
      throw new StudioError('not-found', `${file} is no longer there. Rescan its folder to update the library.`, { file, cause: e });
    }
    const key = thumbnailKey(file, stat.size, stat.mtimeMs);
    const target = path.join(this.dir, key.slice(0, 2), `${key}-${side}.webp`);
    if (fs.existsSync(target)) return target;
    // several views asking for the same thumbnail at once make it once
    let pending = this.inFlight.get(target);
    if (!pending) {
      pending = this.make(file, target, side).finally(() => this.inFlight.delete(target));
      this.inFlight.set(target, pending);
    }
    return pending;
  }

  private async make(file: string, target: string, side: number): Promise<string> {
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      await sharp(file, { failOn: 'none' })
        .rotate()
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toFile(tmp);
      await fs.promises.rename(tmp, target);
      return target;
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw new StudioError('unreadable-image', `Could not make a thumbnail of ${file}: ${(e as Error).message}. The file may be damaged or not an image.`, {
        file,
        cause: e,
      });
    }
  }

  /**
   * Deletes thumbnails whose key no image in the library has any more (edited, replaced, removed
   * photos). Streams the cache directory and looks each key up, so memory stays flat.
   */
  async clean(db: StudioDatabase, now = Date.now()): Promise<number> {
    const known = db.prepare('SELECT 1 FROM images WHERE thumb_key = ? LIMIT 1').pluck();
    let removed = 0;
    let shards: fs.Dir;
    try {
      shards = await fs.promises.opendir(this.dir);
    } catch {
      return 0;
    }
    for await (const shard of shards) {
      if (!shard.isDirectory()) continue;
      const shardDir = path.join(this.dir, shard.name);
      for await (const entry of await fs.promises.opendir(shardDir)) {
        const full = path.join(shardDir, entry.name);
        const match = fileNamePattern.exec(entry.name);
        let stale: boolean;
        if (match) stale = known.get(match[1]) === undefined;
        else if (entry.name.endsWith('.tmp')) stale = now - (await fs.promises.stat(full)).mtimeMs > tmpGraceMs;
        else stale = false;
        if (stale) {
          await fs.promises.rm(full, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
