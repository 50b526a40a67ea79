import fs from 'node:fs';
import path from 'node:path';
import type { StudioDatabase } from '../store/db.js';
import { StudioError } from '../../shared/errors.js';
import type { FolderNode } from '../../shared/api/types.js';
import type { ImageQueryInput, LibraryFolder, LibraryImage, LibraryImagePage, ScanResult } from '../../shared/library/types.js';
import { folderTree } from './folder-tree.js';
import { countImages, getImage, queryImages } from './query.js';
import { scanFolder, type ScanOptions } from './scan.js';
import { ThumbnailCache } from './thumbnails.js';
import { FolderWatcher } from './watch.js';

export interface NewImagesEvent {
  folder: LibraryFolder;
  imageIds: number[];
}

const selectFolders = `SELECT f.id, f.path, f.recursive, f.watch, p.name AS autoPreset, f.added_at AS addedAt, f.last_scan_at AS lastScanAt
  FROM folders f LEFT JOIN presets p ON p.id = f.auto_preset_id`;
type FolderRow = Omit<LibraryFolder, 'recursive' | 'watch'> & { recursive: number; watch: number };
const toFolder = (r: FolderRow): LibraryFolder => ({ ...r, recursive: r.recursive === 1, watch: r.watch === 1 });

/**
 * The photo library: folders, their images, thumbnails and folder watching. One instance per
 * database; scans of one folder never overlap (a second request joins, or follows, the running one).
 */
export class Library {
  readonly thumbnails: ThumbnailCache;
  private readonly scans = new Map<number, Promise<ScanResult>>();
  private readonly rescanWanted = new Set<number>();
  private readonly watchers = new Map<number, FolderWatcher>();
  private readonly newImageListeners = new Set<(event: NewImagesEvent) => void>();
  private readonly watchQuietMs: number;

  constructor(
    private readonly db: StudioDatabase,
    options: { thumbnailDir: string; watchQuietMs?: number },
  ) {
    this.thumbnails = new ThumbnailCache(options.thumbnailDir);
    this.watchQuietMs = options.watchQuietMs ?? 1000;
  }

  listFolders(): LibraryFolder[] {
    return (this.db.prepare(`${selectFolders} ORDER BY f.path`).all() as FolderRow[]).map(toFolder);
  }

  getFolder(id: number): LibraryFolder {
    const row = this.db.prepare(`${selectFolders} WHERE f.id = ?`).get(id) as FolderRow | undefined;
    if (!row) throw new StudioError('not-found', `Folder #${id} is not in the library. Refresh the folder list.`);
    return toFolder(row);
  }

  /**
   * Adds a folder (not scanned yet: call scanFolder). A folder already covered by a recursive one
   * is refused; adding the parent of folders already present takes their place.
   */
  addFolder(folderPath: string, options: { recursive?: boolean; watch?: boolean; autoPreset?: string | null } = {}): LibraryFolder {
    const root = path.resolve(folderPath);
    if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      throw new StudioError('not-found', `${root} is not a folder that can be opened. Check the path, or reconnect its drive.`, { file: root });
    }
    const recursive = options.recursive ?? true;
    const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
    for (const existing of this.listFolders()) {
      if (existing.path === root || (existing.recursive && within(root, existing.path))) {
        throw new StudioError('invalid-settings', `${root} is already in the library (as part of ${existing.path}).`, { file: root });
      }
    }
    const id = this.db.transaction(() => {
      if (recursive) {
        for (const inner of this.listFolders().filter((f) => within(f.path, root))) this.removeFolder(inner.id);
      }
      return this.db
        .prepare('INSERT INTO folders (path, recursive, watch, auto_preset_id, added_at) VALUES (?, ?, ?, ?, ?)')
        .run(root, recursive ? 1 : 0, options.watch ? 1 : 0, this.presetId(options.autoPreset ?? null), Date.now()).lastInsertRowid as number;
    })();
    const folder = this.getFolder(id);
    if (folder.watch) this.watch(folder);
    return folder;
  }

  /** Forgets a folder and its images. Nothing on disk is touched; stale thumbnails go at the next clean. */
  removeFolder(id: number): void {
    this.unwatch(id);
    this.db.prepare('DELETE FROM folders WHERE id = ?').run(id);
  }

  /** Turns watching on or off, or changes the preset (by name) new images are enqueued with. */
  updateFolder(id: number, changes: { watch?: boolean; autoPreset?: string | null }): LibraryFolder {
    const current = this.getFolder(id);
    const preset = changes.autoPreset === undefined ? current.autoPreset : changes.autoPreset;
    this.db.prepare('UPDATE folders SET watch = ?, auto_preset_id = ? WHERE id = ?').run((changes.watch ?? current.watch) ? 1 : 0, this.presetId(preset), id);
    const folder = this.getFolder(id);
    if (folder.watch && !this.watchers.has(id)) this.watch(folder);
    if (!folder.watch) this.unwatch(id);
    return folder;
  }

  private presetId(name: string | null): number | null {
    if (name === null) return null;
    const id = this.db.prepare('SELECT id FROM presets WHERE name = ?').pluck().get(name) as number | undefined;
    if (id === undefined) throw new StudioError('invalid-settings', `There is no saved preset called "${name}". Save the preset first, or pick another.`);
    return id;
  }

  /** The folder's subfolders that hold images, with counts. */
  folderTree(id: number): FolderNode {
    return folderTree(this.db, this.getFolder(id));
  }

  /** Incremental scan; see scanFolder. Concurrent requests for one folder share a scan. */
  scanFolder(id: number, options: ScanOptions = {}): Promise<ScanResult> {
    const running = this.scans.get(id);
    if (running) return running;
    const scan = scanFolder(this.db, this.getFolder(id), options).finally(() => {
      this.scans.delete(id);
      if (this.rescanWanted.delete(id) && this.watchers.has(id)) void this.rescanForWatch(id);
    });
    this.scans.set(id, scan);
    return scan;
  }

  queryImages(query: ImageQueryInput): LibraryImagePage {
    return queryImages(this.db, query);
  }

  countImages(query: ImageQueryInput): number {
    return countImages(this.db, query);
  }

  getImage(id: number): LibraryImage | undefined {
    return getImage(this.db, id);
  }

  /** Path of a cached thumbnail (longer side ≤ `side` px) of a library image. */
  thumbnail(imageId: number, side = 256): Promise<string> {
    const image = this.getImage(imageId);
    if (!image) throw new StudioError('not-found', `Image #${imageId} is not in the library any more. Refresh the view.`);
    return this.thumbnails.get(image.path, side);
  }

  /** Deletes cached thumbnails of images that changed or left the library. */
  cleanThumbnails(): Promise<number> {
    return this.thumbnails.clean(this.db);
  }

  /** Calls `listener` with images that watching found. Returns the unsubscribe function. */
  onNewImages(listener: (event: NewImagesEvent) => void): () => void {
    this.newImageListeners.add(listener);
    return () => this.newImageListeners.delete(listener);
  }

  /**
   * Starts watching every folder marked for it (call once at app start, after the first scans).
   * Returns the folders that cannot be watched now (not reachable); the others are watched.
   */
  startWatching(): LibraryFolder[] {
    const unreachable: LibraryFolder[] = [];
    for (const folder of this.listFolders()) {
      if (!folder.watch || this.watchers.has(folder.id)) continue;
      try {
        this.watch(folder);
      } catch {
        unreachable.push(folder);
      }
    }
    return unreachable;
  }

  stopWatching(): void {
    for (const id of [...this.watchers.keys()]) this.unwatch(id);
  }

  private watch(folder: LibraryFolder): void {
    let watcher: FolderWatcher;
    try {
      watcher = new FolderWatcher(folder.path, folder.recursive, () => void this.rescanForWatch(folder.id), {
        quietMs: this.watchQuietMs,
        // the folder went away (drive unplugged): stop watching, the folder stays in the library
        onError: () => this.watchers.delete(folder.id),
      });
    } catch (e) {
      throw new StudioError('not-found', `Cannot watch ${folder.path}: ${(e as Error).message}. Reconnect the drive, or turn watching off for this folder.`, {
        file: folder.path,
        cause: e,
      });
    }
    this.watchers.set(folder.id, watcher);
  }

  private unwatch(id: number): void {
    this.watchers.get(id)?.close();
    this.watchers.delete(id);
  }

  /** A change during a scan may be missed by it, so it asks for one more scan afterwards. */
  private async rescanForWatch(id: number): Promise<void> {
    if (this.scans.has(id)) {
      this.rescanWanted.add(id);
      return;
    }
    try {
      const result = await this.scanFolder(id);
      if (result.addedIds.length > 0) {
        const folder = this.getFolder(id);
        for (const listener of this.newImageListeners) listener({ folder, imageIds: result.addedIds });
      }
    } catch {
      // an unreachable folder is reported when the user scans it; the watcher's error stops it
    }
  }
}
