import fs from 'node:fs';
import { isReadableImagePath } from '../imaging/formats.js';

/**
 * Calls `onSettled` once a folder has been quiet for `quietMs` after changes that may concern
 * images. Waiting for quiet means a photo still being copied in is picked up after its last write,
 * not half-written. fs.watch is recursive on Windows, macOS and (Node ≥ 20) Linux.
 */
export class FolderWatcher {
  private readonly watcher: fs.FSWatcher;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    root: string,
    recursive: boolean,
    private readonly onSettled: () => void,
    options: { quietMs?: number; onError?: (error: Error) => void } = {},
  ) {
    const quietMs = options.quietMs ?? 1000;
    this.watcher = fs.watch(root, { recursive, persistent: false }, (_event, name) => {
      if (!concernsImages(name)) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.onSettled(), quietMs);
    });
    this.watcher.on('error', (e) => {
      this.close();
      options.onError?.(e);
    });
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher.close();
  }
}

/** Image files, and directories (a folder of photos moved in arrives as one event). */
function concernsImages(name: string | Buffer | null): boolean {
  if (name === null) return true;
  const base = String(name).split(/[\\/]/).pop() ?? '';
  if (base.startsWith('.') || base.endsWith('.tmp')) return false;
  return isReadableImagePath(base) || !base.includes('.');
}
