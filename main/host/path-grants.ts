import fs from 'node:fs';
import path from 'node:path';
import { refusal } from '../../shared/refusals.js';

/**
 * Folders of the operating system. The app never reads photos from them nor writes into them,
 * whoever asks: a file picked there by mistake, or a request naming /etc/shadow.
 */
const systemFolders =
  process.platform === 'win32'
    ? [process.env.SystemRoot ?? 'C:\\Windows', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData']
    : ['/etc', '/proc', '/sys', '/dev', '/bin', '/sbin', '/usr', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/run', '/snap',
       '/var/lib', '/var/log', '/var/run', '/var/spool', '/var/cache', '/var/mail', '/var/db',
       '/System', '/Library', '/private/etc', '/private/var/db', '/cores'];

/**
 * The path with symbolic links resolved as far as it exists (a link in a chosen folder must not
 * lead into /etc), the rest as given.
 */
function realPath(target: string): string {
  const resolved = path.resolve(target);
  const rest: string[] = [];
  let at = resolved;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return resolved;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

/** The system folder a path is, or is inside, if any; a file system's root counts as one. */
export function systemFolderOf(target: string, caseInsensitive = process.platform === 'win32' || process.platform === 'darwin'): string | undefined {
  const norm = (p: string) => (caseInsensitive ? p.toLowerCase() : p);
  const candidates = [path.resolve(target), realPath(target)];
  for (const candidate of candidates) {
    const wanted = norm(candidate);
    if (path.parse(candidate).root === candidate) return candidate;
    for (const folder of systemFolders) {
      const f = norm(folder);
      if (wanted === f || wanted.startsWith(f + path.sep)) return folder;
    }
  }
  return undefined;
}

/**
 * The renderer may only name files and folders the user chose (in a native dialog, or earlier:
 * library folders, output folders of existing batches), and never a system folder. A compromised
 * renderer therefore cannot point the app at ~/.ssh or ask it to write into a system folder.
 */
export class PathGrants {
  private readonly roots = new Set<string>();

  constructor(private readonly caseInsensitive = process.platform === 'win32' || process.platform === 'darwin') {}

  grant(target: string): void {
    this.roots.add(this.normalize(target));
  }

  allows(target: string): boolean {
    if (systemFolderOf(target, this.caseInsensitive) !== undefined) return false;
    const wanted = this.normalize(target);
    const real = this.normalize(realPath(target));
    for (const root of this.roots) {
      const inside = (p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
      if (inside(wanted) && inside(real)) return true;
    }
    return false;
  }

  /** Throws for the first path that is a system folder or was not chosen by the user. */
  check(paths: string[]): void {
    refuseSystemFolders(paths, this.caseInsensitive);
    const denied = paths.find((p) => !this.allows(p));
    if (denied !== undefined) {
      throw refusal('permission-denied', 'access.notChosen', { path: denied }, { file: denied });
    }
  }

  private normalize(target: string): string {
    const resolved = path.resolve(target);
    return this.caseInsensitive ? resolved.toLowerCase() : resolved;
  }
}

/** Throws for the first path that is, or is inside, a system folder. */
export function refuseSystemFolders(paths: string[], caseInsensitive?: boolean): void {
  for (const p of paths) {
    const folder = systemFolderOf(p, caseInsensitive);
    if (folder !== undefined) {
      throw path.resolve(p) === folder
        ? refusal('permission-denied', 'access.systemFolder', { path: p }, { file: p })
        : refusal('permission-denied', 'access.insideSystemFolder', { path: p, folder }, { file: p });
    }
  }
}
