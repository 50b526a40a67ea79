import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStudioError } from '../../../shared/errors.js';
import type { LibraryImage, ScanProgress } from '../../../shared/library/types.js';
import { openDatabase, type StudioDatabase } from '../../store/db.js';
import { Library } from '../library.js';
import { writeCorruptImage, writeTestImage } from '../../testing/test-images.js';

let dir: string;
let photos: string;
let db: StudioDatabase;
let library: Library;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-library-'));
  photos = path.join(dir, 'photos');
  fs.mkdirSync(photos);
  db = openDatabase(path.join(dir, 'studio.db'));
  library = new Library(db, { thumbnailDir: path.join(dir, 'thumbs'), watchQuietMs: 150 });
});
afterEach(() => {
  library.stopWatching();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const byName = (images: LibraryImage[]) => Object.fromEntries(images.map((i) => [i.name, i]));
const all = (query: Parameters<Library['queryImages']>[0] = {}) => library.queryImages({ limit: 1000, ...query }).items;

async function makeTree(): Promise<void> {
  await writeTestImage(path.join(photos, 'canon.jpg'), {
    width: 60,
    height: 40,
    camera: { make: 'Canon', model: 'Canon EOS R5' },
    takenAt: '2020:05:06 07:08:09',
    orientation: 6,
  });
  await writeTestImage(path.join(photos, 'Beach.png'), { width: 30, height: 20, format: 'png', seed: 1 });
  await writeTestImage(path.join(photos, 'trip', 'day1', 'x.webp'), { width: 20, height: 20, format: 'webp', seed: 2 });
  await writeTestImage(path.join(photos, '.hidden', 'secret.jpg'));
  await writeTestImage(path.join(photos, '.dotfile.jpg'));
  fs.writeFileSync(path.join(photos, 'notes.txt'), 'not an image');
  writeCorruptImage(path.join(photos, 'trip', 'broken.jpg'));
}

describe('library scan', () => {
  it('finds images recursively with their dimensions and metadata', async () => {
    await makeTree();
    const folder = library.addFolder(photos);
    const events: ScanProgress[] = [];
    const result = await library.scanFolder(folder.id, { onProgress: (p) => events.push(p), progressEvery: 1 });
    expect(result).toMatchObject({ seen: 4, added: 4, updated: 0, unchanged: 0, removed: 0, done: true });
    expect(result.addedIds).toHaveLength(4);
    expect(events.at(-1)?.done).toBe(true);
    expect(events.length).toBeGreaterThan(1);

    const images = byName(all());
    expect(Object.keys(images).sort()).toEqual(['Beach.png', 'broken.jpg', 'canon.jpg', 'x.webp']);
    // orientation 6 displays rotated: 60×40 stored, 40×60 shown
    expect(images['canon.jpg']).toMatchObject({
      format: 'jpeg',
      width: 40,
      height: 60,
      orientation: 6,
      camera: 'Canon EOS R5',
      takenAt: '2020-05-06T07:08:09',
      dateMs: new Date(2020, 4, 6, 7, 8, 9).getTime(),
      dir: '',
      error: null,
    });
    expect(images['Beach.png']).toMatchObject({ format: 'png', width: 30, height: 20, camera: null, takenAt: null });
    expect(images['Beach.png'].dateMs).toBe(Math.floor(fs.statSync(path.join(photos, 'Beach.png')).mtimeMs));
    expect(images['x.webp']).toMatchObject({ dir: 'trip/day1', format: 'webp' });
    expect(images['broken.jpg']).toMatchObject({ dir: 'trip', format: null, width: null });
    expect(images['broken.jpg'].error).toMatch(/Not a readable image/);
  });

  it('rescans incrementally: unchanged files are not reopened, changes, additions and removals are seen', async () => {
    await makeTree();
    const folder = library.addFolder(photos);
    await library.scanFolder(folder.id);
    // a marker that a re-read of the header would overwrite
    db.prepare("UPDATE images SET camera = 'marker' WHERE name = 'Beach.png'").run();

    const canon = path.join(photos, 'canon.jpg');
    const before = fs.statSync(canon);
    await writeTestImage(canon, { width: 80, height: 50, seed: 9 });
    fs.utimesSync(canon, before.atime, new Date(before.mtimeMs + 5000));
    fs.rmSync(path.join(photos, 'trip', 'day1', 'x.webp'));
    await writeTestImage(path.join(photos, 'new.jpg'));

    const result = await library.scanFolder(folder.id);
    expect(result).toMatchObject({ seen: 4, added: 1, updated: 1, unchanged: 2, removed: 1 });
    const images = byName(all());
    expect(images['Beach.png'].camera).toBe('marker');
    expect(images['canon.jpg']).toMatchObject({ width: 80, height: 50, camera: null, orientation: null });
    expect(images['x.webp']).toBeUndefined();
    expect(result.addedIds).toEqual([images['new.jpg'].id]);
  });

  it('keeps the rows of a folder that cannot be reached', async () => {
    await makeTree();
    const folder = library.addFolder(photos);
    await library.scanFolder(folder.id);
    fs.renameSync(photos, `${photos}-unplugged`);
    await expect(library.scanFolder(folder.id)).rejects.toSatisfy(
      (e: unknown) => isStudioError(e, 'not-found') && (e as Error).message.includes(photos),
    );
    expect(library.countImages({ rootId: folder.id })).toBe(4);
  });

  it('never writes to the originals', async () => {
    await makeTree();
    const file = path.join(photos, 'canon.jpg');
    const bytes = fs.readFileSync(file);
    const mtime = fs.statSync(file).mtimeMs;
    const folder = library.addFolder(photos);
    await library.scanFolder(folder.id);
    const image = all().find((i) => i.name === 'canon.jpg')!;
    await library.thumbnail(image.id);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
  });
});

describe('library folders', () => {
  it('refuses a folder inside a recursive one and absorbs folders inside a new parent', async () => {
    await makeTree();
    const trip = library.addFolder(path.join(photos, 'trip'));
    await library.scanFolder(trip.id);
    expect(library.countImages({})).toBe(2);
    expect(() => library.addFolder(path.join(photos, 'trip', 'day1'))).toThrow(/already in the library/);
    expect(() => library.addFolder(path.join(photos, 'trip'))).toThrow(/already in the library/);

    const parent = library.addFolder(photos);
    expect(library.listFolders().map((f) => f.path)).toEqual([photos]);
    expect(library.countImages({})).toBe(0);
    await library.scanFolder(parent.id);
    expect(library.countImages({ rootId: parent.id })).toBe(4);

    library.removeFolder(parent.id);
    expect(library.countImages({})).toBe(0);
    expect(fs.existsSync(path.join(photos, 'canon.jpg'))).toBe(true);
  });

  it('scans only the top level of a non-recursive folder', async () => {
    await makeTree();
    const folder = library.addFolder(photos, { recursive: false });
    const result = await library.scanFolder(folder.id);
    expect(result.added).toBe(2);
  });
});

describe('library queries', () => {
  beforeEach(async () => {
    await makeTree();
    await writeTestImage(path.join(photos, 'trip', 'beach2.jpg'), { width: 100, height: 100, takenAt: '2019:01:01 00:00:00' });
    await library.scanFolder(library.addFolder(photos).id);
  });

  it('filters by folder subtree, name, date, size and format', () => {
    const rootId = library.listFolders()[0].id;
    const names = (q: Parameters<Library['queryImages']>[0]) => all(q).map((i) => i.name).sort();
    expect(names({ rootId, dir: 'trip' })).toEqual(['beach2.jpg', 'broken.jpg', 'x.webp']);
    expect(names({ rootId, dir: 'trip/day1' })).toEqual(['x.webp']);
    expect(names({ rootId, dir: 'tri' })).toEqual([]);
    expect(names({ search: 'BEACH' })).toEqual(['Beach.png', 'beach2.jpg']);
    expect(names({ search: '%' })).toEqual([]);
    const y2020 = new Date(2020, 0, 1).getTime();
    expect(names({ dateFrom: new Date(2019, 0, 1).getTime(), dateTo: y2020 })).toEqual(['beach2.jpg']);
    expect(names({ formats: ['png', 'webp'] })).toEqual(['Beach.png', 'x.webp']);
    const sizes = all().map((i) => i.bytes).sort((a, b) => a - b);
    expect(all({ minBytes: sizes[1], maxBytes: sizes[3] })).toHaveLength(3);
    expect(library.countImages({ rootId, dir: 'trip' })).toBe(3);
  });

  it('sorts case-insensitively by name, by date and by size, both ways', () => {
    expect(all({ sort: 'name' }).map((i) => i.name)).toEqual(['Beach.png', 'beach2.jpg', 'broken.jpg', 'canon.jpg', 'x.webp']);
    expect(all({ sort: 'name', descending: true }).map((i) => i.name)).toEqual(['x.webp', 'canon.jpg', 'broken.jpg', 'beach2.jpg', 'Beach.png']);
    const byDate = all({ sort: 'date' });
    expect(byDate[0].name).toBe('beach2.jpg');
    expect(byDate.map((i) => i.dateMs)).toEqual([...byDate.map((i) => i.dateMs)].sort((a, b) => a - b));
    const bySize = all({ sort: 'size', descending: true }).map((i) => i.bytes);
    expect(bySize).toEqual([...bySize].sort((a, b) => b - a));
  });

  it('pages through results with cursors and rejects a forged cursor', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = library.queryImages({ sort: 'size', limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.total).toBe(5);
      seen.push(...page.items.map((i) => i.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all({ sort: 'size' }).map((i) => i.name));
    expect(() => library.queryImages({ cursor: 'garbage' })).toThrow(/cursor/);
    const byOffset = [0, 2, 4].flatMap((offset) => library.queryImages({ sort: 'size', limit: 2, offset }).items.map((i) => i.name));
    expect(byOffset).toEqual(seen);
  });

  it('lists the folder tree with counts, folders holding only folders included', () => {
    const root = library.listFolders()[0];
    const tree = library.folderTree(root.id);
    const flat = (n: ReturnType<Library['folderTree']>): [string, number, number][] => [[n.dir, n.imageCount, n.totalCount], ...n.children.flatMap(flat)];
    expect(flat(tree)).toEqual([
      ['', 2, 5],
      ['trip', 2, 3],
      ['trip/day1', 1, 1],
    ]);
    expect(tree.children[0].children[0]).toMatchObject({ name: 'day1', path: path.join(photos, 'trip', 'day1'), rootId: root.id });
  });
});

describe('thumbnails', () => {
  it('are made once, oriented, keyed by path+size+mtime, and stale ones are cleaned', async () => {
    await makeTree();
    const folder = library.addFolder(photos);
    await library.scanFolder(folder.id);
    const canon = all().find((i) => i.name === 'canon.jpg')!;
    const [first, concurrent] = await Promise.all([library.thumbnail(canon.id, 32), library.thumbnail(canon.id, 32)]);
    expect(concurrent).toBe(first);
    const meta = await sharp(first).metadata();
    expect(meta.format).toBe('webp');
    // 60×40 with orientation 6: portrait once rotated, longer side 32
    expect([meta.width, meta.height]).toEqual([21, 32]);
    const madeAt = fs.statSync(first).mtimeMs;
    expect(await library.thumbnail(canon.id, 32)).toBe(first);
    expect(fs.statSync(first).mtimeMs).toBe(madeAt);

    // the photo is edited: a new thumbnail under a new key; the old one is stale after a rescan
    const file = path.join(photos, 'canon.jpg');
    const old = fs.statSync(file);
    await writeTestImage(file, { width: 10, height: 10 });
    fs.utimesSync(file, old.atime, new Date(old.mtimeMs + 10_000));
    const second = await library.thumbnail(canon.id, 32);
    expect(second).not.toBe(first);
    const other = await library.thumbnail(all().find((i) => i.name === 'Beach.png')!.id, 32);
    await library.scanFolder(folder.id);
    expect(await library.cleanThumbnails()).toBe(1);
    expect(fs.existsSync(first)).toBe(false);
    expect(fs.existsSync(second)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);

    library.removeFolder(folder.id);
    expect(await library.cleanThumbnails()).toBe(2);
  });

  it('says which file could not be made into a thumbnail', async () => {
    await makeTree();
    await library.scanFolder(library.addFolder(photos).id);
    const broken = all().find((i) => i.name === 'broken.jpg')!;
    await expect(library.thumbnail(broken.id)).rejects.toSatisfy(
      (e: unknown) => isStudioError(e, 'unreadable-image') && (e as Error).message.includes('broken.jpg'),
    );
    expect(fs.readdirSync(path.join(dir, 'thumbs'), { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
  });
});

describe('folder watching', () => {
  it('picks up images added to a watched folder and reports them once', async () => {
    await makeTree();
    const folder = library.addFolder(photos, { watch: true });
    await library.scanFolder(folder.id);
    const found = new Promise<number[]>((resolve) => library.onNewImages((e) => resolve(e.imageIds)));
    await writeTestImage(path.join(photos, 'trip', 'arrived.jpg'), { seed: 5 });
    const ids = await found;
    expect(ids.map((id) => library.getImage(id)?.name)).toEqual(['arrived.jpg']);
  });

  it('stops when watching is turned off', async () => {
    const folder = library.addFolder(photos, { watch: true });
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    const other = library.addFolder(path.join(dir, 'elsewhere'), { watch: false });
    await library.scanFolder(folder.id);
    library.updateFolder(folder.id, { watch: false });
    library.updateFolder(other.id, { watch: true });
    const reported: string[] = [];
    const otherSeen = new Promise<void>((resolve) =>
      library.onNewImages((e) => {
        reported.push(e.folder.path);
        if (e.folder.id === other.id) resolve();
      }),
    );
    await writeTestImage(path.join(photos, 'late.jpg'));
    await writeTestImage(path.join(dir, 'elsewhere', 'later.jpg'));
    // the still-watched folder changed after the unwatched one, with the same quiet time:
    // once it is reported, the unwatched one would have been too
    await otherSeen;
    expect(reported).toEqual([path.join(dir, 'elsewhere')]);
    expect((await library.scanFolder(folder.id)).added).toBe(1);
  });
});
