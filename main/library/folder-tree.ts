import path from 'node:path';
import type { FolderNode } from '../../shared/api/types.js';
import type { StudioDatabase } from '../store/db.js';

/**
 * The subfolders of a library folder that hold images, as a tree with counts. Folders that hold
 * only folders appear too, so every image's folder can be reached from the root.
 */
export function folderTree(db: StudioDatabase, root: { id: number; path: string }): FolderNode {
  const counts = db.prepare('SELECT dir, count(*) AS n FROM images WHERE folder_id = ? GROUP BY dir').all(root.id) as { dir: string; n: number }[];
  const nodes = new Map<string, FolderNode>();
  const nodeFor = (dir: string): FolderNode => {
    let node = nodes.get(dir);
    if (node) return node;
    node = {
      rootId: root.id,
      dir,
      name: dir === '' ? path.basename(root.path) || root.path : dir.slice(dir.lastIndexOf('/') + 1),
      path: dir === '' ? root.path : path.join(root.path, ...dir.split('/')),
      imageCount: 0,
      totalCount: 0,
      children: [],
    };
    nodes.set(dir, node);
    if (dir !== '') nodeFor(dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '').children.push(node);
    return node;
  };
  const top = nodeFor('');
  for (const { dir, n } of counts) {
    nodeFor(dir).imageCount = n;
    // every ancestor's total includes these images
    for (let d: string | null = dir; d !== null; d = d === '' ? null : d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') {
      nodeFor(d).totalCount += n;
    }
  }
  const sort = (node: FolderNode) => {
    node.children.sort((a, b) => a.name.localeCompare(b.name));
    node.children.forEach(sort);
  };
  sort(top);
  return top;
}
