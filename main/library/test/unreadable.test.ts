import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type StudioDatabase } from '../../store/db.js';
import { Library } from '../library.js';
import { writeTestImage } from '../../testing/test-images.js';

let dir: string;
let db: StudioDatabase;
let library: Library;
let undo: (() => void) | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-unreadable-'));
  db = openDatabase(path.join(dir, 'studio.db'));
  library = new Library(db, { thumbnailDir: path.join(dir, 'thumbs') });
});
afterEach(() => {
  undo?.();
  undo = undefined;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Makes `folder` a folder that opens but cannot be listed. Root reads any folder whatever its mode,
 * so there it is /proc's own such folder (map_files, which refuses even root) mounted in place;
 * otherwise mode 000 does.
 */
function makeUnlistable(folder: string): boolean {
  fs.mkdirSync(folder);
  if (process.getuid?.() !== 0) {
    fs.chmodSync(folder, 0);
    undo = () => fs.chmodSync(folder, 0o755);
    return true;
  }
  try {
    execFileSync('mount', ['--bind', '/proc/1/map_files', folder], { stdio: 'ignore' });
  } catch {
    return false;
  }
  undo = () => execFileSync('umount', [folder]);
  return true;
}

describe('a library folder with a subfolder that cannot be read', () => {
  it('scans the rest and names the folder it left out', async (ctx) => {
    const photos = path.join(dir, 'photos');
    await writeTestImage(path.join(photos, 'a.jpg'));
    await writeTestImage(path.join(photos, 'z', 'b.jpg'), { seed: 2 });
    const locked = path.join(photos, 'm-locked');
    if (!makeUnlistable(locked)) ctx.skip('needs a folder that cannot be listed: as root, a bind mount (CAP_SYS_ADMIN)');
    const folder = library.addFolder(photos);
    const result = await library.scanFolder(folder.id);
    expect(result.added).toBe(2);
    expect(result.skipped).toEqual([expect.stringMatching(new RegExp(`^${locked} \\((EACCES|EPERM)\\)$`))]);
    expect(library.queryImages({ limit: 10 }).items.map((i) => i.name).sort()).toEqual(['a.jpg', 'b.jpg']);
  });
});
