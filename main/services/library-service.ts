import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { StudioHandlers } from '../../shared/api/contract.js';
import type { Library } from '../library/library.js';
import type { EventHub } from './events.js';
import { refusal } from '../../shared/refusals.js';

/** Scan progress goes out every this many files; a folder of 10,000 sends 40 events, not 10,000. */
const progressEvery = 250;

/** The library requests: folders as trees, paged queries, and scans that report as they go. */
export function libraryHandlers(library: Library, events: EventHub, onError: (e: unknown) => void): StudioHandlers['library'] {
  function scan(rootId: number): void {
    library
      .scanFolder(rootId, {
        progressEvery,
        onProgress: (p) => {
          events.emit('library.scan', { rootId, seen: p.seen, added: p.added, done: p.done, ...(p.skipped ? { skipped: p.skipped } : {}) });
          if (p.done) events.emit('library.changed', { rootId });
          if (p.skipped) {
            const folder = library.getFolder(rootId).path;
            onError(refusal('permission-denied', 'library.foldersSkipped', { folder, count: p.skipped.length, list: p.skipped.join(', ') }, { file: folder }));
          }
        },
      })
      .catch((e: unknown) => {
        events.emit('library.scan', { rootId, seen: 0, added: 0, done: true });
        onError(e);
      });
  }

  const rootNode = (rootId: number) => {
    const folder = library.getFolder(rootId);
    return { ...library.folderTree(rootId), watch: folder.watch, autoPreset: folder.autoPreset };
  };

  return {
    folders: () => library.listFolders().map((f) => rootNode(f.id)),
    addFolder: async ({ path: wanted }) => {
      const folder = path.resolve(wanted);
      const info = await stat(folder).catch(() => null);
      if (!info?.isDirectory()) throw refusal('not-found', 'library.notAFolder', { folder }, { file: folder });
      const root = library.addFolder(folder, { recursive: true });
      events.emit('library.changed', { rootId: root.id });
      scan(root.id);
      return rootNode(root.id);
    },
    removeFolder: ({ rootId }) => {
      library.removeFolder(rootId);
      events.emit('library.changed', { rootId });
    },
    rescan: ({ rootId }) => {
      library.getFolder(rootId);
      scan(rootId);
    },
    watch: ({ rootId, watch, autoPreset }) => {
      library.updateFolder(rootId, { watch, autoPreset });
      events.emit('library.changed', { rootId });
      return rootNode(rootId);
    },
    query: (query) => {
      const page = library.queryImages(query);
      return { total: page.total, offset: page.offset, items: page.items };
    },
    image: ({ id }) => {
      const image = library.getImage(id);
      if (!image) throw refusal('not-found', 'library.imageGone', { id });
      return image;
    },
  };
}
