import fs from 'node:fs';
import path from 'node:path';
import type { StudioDatabase } from '../store/db.js';
import { StudioError } from '../../shared/errors.js';
import type { LibraryFolder, ScanProgress, ScanResult } from '../../shared/library/types.js';
import { readImageInfo, type ImageInfo } from './metadata.js';
import { thumbnailKey } from './thumbnail-key.js';
import { walkImages, type FoundImage, type SkippedFolder } from './walk.js';

export interface ScanOptions {
  onProgress?: (progress: ScanProgress) => void;
  /** Report progress every this many image files (and once at the end). */
  progressEvery?: number;
  signal?: AbortSignal;
  /** Header reads in flight at once. */
  concurrency?: number;
}

/** Rows are written in transactions of this many, bounding both memory and commit overhead. */
const writeChunk = 256;

/**
 * Brings the library's rows for one folder in line with the disk. A file whose size and mtime match
 * its row is not opened; new and changed files get their header read. Rows of files no longer
 * present are deleted, but only after a complete walk: a cancelled scan or an unreachable folder
 * (unplugged drive) removes nothing.
 */
export async function scanFolder(db: StudioDatabase, folder: LibraryFolder, options: ScanOptions = {}): Promise<ScanResult> {
  const { onProgress, signal } = options;
  const progressEvery = options.progressEvery ?? 500;
  const concurrency = options.concurrency ?? 4;
  try {
    if (!(await fs.promises.stat(folder.path)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    throw new StudioError('not-found', `The folder ${folder.path} cannot be reached (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Reconnect the drive or remove the folder from the library.`, {
      file: folder.path,
      cause: e,
    });
  }

  const gen = (db.prepare('SELECT coalesce(max(scan_gen), 0) + 1 FROM images WHERE folder_id = ?').pluck().get(folder.id) as number);
  const lookup = db.prepare('SELECT id, size, mtime_ms AS mtimeMs FROM images WHERE path = ?');
  const touch = db.prepare('UPDATE images SET scan_gen = ? WHERE id = ?');
  const upsert = db.prepare(`
    INSERT INTO images (folder_id, path, dir, name, size, mtime_ms, format, width, height, orientation, camera, taken_at,
                        date_ms, thumb_key, error, scan_gen)
    VALUES (@folderId, @path, @dir, @name, @size, @mtimeMs, @format, @width, @height, @orientation, @camera, @takenAt,
            @dateMs, @thumbKey, @error, @gen)
    ON CONFLICT(path) DO UPDATE SET
      folder_id = excluded.folder_id, dir = excluded.dir, name = excluded.name, size = excluded.size,
      mtime_ms = excluded.mtime_ms, format = excluded.format, width = excluded.width, height = excluded.height,
      orientation = excluded.orientation, camera = excluded.camera, taken_at = excluded.taken_at,
      date_ms = excluded.date_ms, thumb_key = excluded.thumb_key, error = excluded.error, scan_gen = excluded.scan_gen
    RETURNING id`);

  const progress: ScanProgress = { rootId: folder.id, seen: 0, added: 0, updated: 0, unchanged: 0, removed: 0, done: false };
  const skipped: SkippedFolder[] = [];
  const addedIds: number[] = [];
  type Write = { unchanged: number } | { row: Record<string, unknown>; isNew: boolean };
  let writes: Write[] = [];
  const flush = db.transaction((batch: Write[]) => {
    for (const w of batch) {
      if ('unchanged' in w) {
        touch.run(gen, w.unchanged);
        continue;
      }
      const id = (upsert.get(w.row) as { id: number }).id;
      if (w.isNew) addedIds.push(id);
    }
  });
  const queueWrite = (w: Write) => {
    writes.push(w);
    if (writes.length >= writeChunk) {
      flush(writes);
      writes = [];
    }
  };

  const visit = async (found: FoundImage) => {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(found.path);
    } catch {
      return; // gone between listing and stat: the next scan settles it
    }
    const mtimeMs = Math.floor(stat.mtimeMs);
    const known = lookup.get(found.path) as { id: number; size: number; mtimeMs: number } | undefined;
    progress.seen++;
    if (known && known.size === stat.size && known.mtimeMs === mtimeMs) {
      progress.unchanged++;
      queueWrite({ unchanged: known.id });
      return;
    }
    let info: ImageInfo | undefined;
    let error: string | null = null;
    try {
      info = await readImageInfo(found.path);
    } catch (e) {
      error = `Not a readable image: ${(e as Error).message}`;
    }
    if (known) progress.updated++;
    else progress.added++;
    queueWrite({
      isNew: !known,
      row: {
        folderId: folder.id,
        path: found.path,
        dir: found.dir,
        name: found.name,
        size: stat.size,
        mtimeMs,
        format: info?.format ?? null,
        width: info?.width ?? null,
        height: info?.height ?? null,
        orientation: info?.orientation ?? null,
        camera: info?.camera ?? null,
        takenAt: info?.takenAt ?? null,
        dateMs: info?.takenAtMs ?? mtimeMs,
        thumbKey: thumbnailKey(found.path, stat.size, mtimeMs),
        error,
        gen,
      },
    });
  };

  const inFlight = new Set<Promise<void>>();
  let reported = 0;
  try {
    for await (const found of walkImages(folder.path, folder.recursive, signal, (f) => skipped.push(f))) {
      const task = visit(found).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (onProgress && progress.seen - reported >= progressEvery) {
        reported = progress.seen;
        onProgress({ ...progress });
      }
    }
  } finally {
    // a cancelled scan still lets its header reads settle, so nothing writes after it returns
    await Promise.allSettled(inFlight);
  }
  signal?.throwIfAborted();
  flush(writes);
  writes = [];

  db.transaction(() => {
    // rows under a folder that could not be read this time are kept: it may be readable again
    const keep = db.prepare("UPDATE images SET scan_gen = ? WHERE folder_id = ? AND (path = ? OR path LIKE ? ESCAPE '\\')");
    for (const f of skipped) keep.run(gen, folder.id, f.path, `${f.path.replace(/[\\%_]/g, (c) => '\\' + c)}${path.sep}%`);
    progress.removed = db.prepare('DELETE FROM images WHERE folder_id = ? AND scan_gen <> ?').run(folder.id, gen).changes;
    db.prepare('UPDATE folders SET last_scan_at = ? WHERE id = ?').run(Date.now(), folder.id);
  })();
  progress.done = true;
  if (skipped.length > 0) progress.skipped = skipped.map((f) => `${f.path} (${f.reason})`);
  onProgress?.({ ...progress });
  return { ...progress, addedIds };
}
