import path from 'node:path';
import { StudioError } from '../../shared/errors.js';

/**
 * The renderer may only name files and folders the user chose (in a native dialog, or earlier:
 * library folders, output folders of existing batches). A compromised renderer therefore cannot
 * point the app at ~/.ssh or ask it to write into a system folder.
 */
export class PathGrants {
  private readonly roots = new Set<string>();

  constructor(private readonly caseInsensitive = process.platform === 'win32' || process.platform === 'darwin') {}

  grant(target: string): void {
    this.roots.add(this.normalize(target));
  }

  allows(target: string): boolean {
    const wanted = this.normalize(target);
    for (const root of this.roots) {
      if (wanted === root || wanted.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return true;
    }
    return false;
  }

  /** Throws for the first path that was not chosen by the user. */
  check(paths: string[]): void {
    const denied = paths.find((p) => !this.allows(p));
    if (denied !== undefined) {
      throw new StudioError(
        'permission-denied',
        `CTMSR Studio only opens files and folders you chose, and ${denied} was not one of them. Pick it with the Browse… button.`,
        { file: denied },
      );
    }
  }

  private normalize(target: string): string {
    const resolved = path.resolve(target);
    return this.caseInsensitive ? resolved.toLowerCase() : resolved;
  }
}
