import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageQuerySchema, type ScanProgress } from '../../../shared/library/types.js';
import { openDatabase, type StudioDatabase } from '../../store/db.js';
import { Library } from '../library.js';
import { imagePageSql } from '../query.js';
import { writeTestImage } from '../../testing/test-images.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-scale-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 10,000 files in 10 folders: empty files named *.jpg (cheap to make) plus real images. */
async function makeManyFiles(root: string): Promise<number> {
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const sub = path.join(root, `roll-${d}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let i = 0; i < 995; i++) fs.writeFileSync(path.join(sub, `IMG_${String(i).padStart(4, '0')}.jpg`), '');
    n += 995;
  }
  for (let i = 0; i < 50; i++) await writeTestImage(path.join(root, `real-${i}.jpg`), { width: 16, height: 12, seed: i });
  return n + 50;
}

describe('library at scale', () => {
  it('scans 10,000 files with flat memory, reporting progress, then rescans without reopening them', async () => {
    const root = path.join(dir, 'many');
    const total = await makeManyFiles(root);
    const db = openDatabase(path.join(dir, 'scan.db'));
    const library = new Library(db, { thumbnailDir: path.join(dir, 'thumbs') });
    const folder = library.addFolder(root);

    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const reports: ScanProgress[] = [];
    const result = await library.scanFolder(folder.id, {
      progressEvery: 250,
      onProgress: (p) => {
        reports.push(p);
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      },
    });
    expect(result).toMatchObject({ seen: total, added: total, removed: 0, done: true });
    // progress arrives during the scan, counts only grow, and the last report is the total
    expect(reports.length).toBeGreaterThanOrEqual(total / 250);
    for (let i = 1; i < reports.length; i++) expect(reports[i].seen).toBeGreaterThanOrEqual(reports[i - 1].seen);
    expect(reports.at(-1)).toMatchObject({ seen: total, done: true });
    // the heap must not hold the scan: rows go to SQLite in chunks of 256
    expect(peak).toBeLessThan(32 * 1024 * 1024);
    expect(library.countImages({ rootId: folder.id, formats: ['jpeg'] })).toBe(50);

    const again = await library.scanFolder(folder.id);
    expect(again).toMatchObject({ seen: total, added: 0, updated: 0, unchanged: total, removed: 0 });
    db.close();
  });

  describe('queries over 100,000 images', () => {
    let db: StudioDatabase;
    let library: Library;
    beforeAll(() => {
      db = openDatabase(path.join(dir, 'big.db'));
      db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/a', 0), (2, '/b', 0)").run();
      const insert = db.prepare(`INSERT INTO images (folder_id, path, dir, name, size, mtime_ms, format, date_ms, thumb_key, scan_gen)
        VALUES (?, ?, '', ?, ?, 0, ?, ?, 'k', 1)`);
      db.transaction(() => {
        for (let i = 0; i < 100_000; i++) {
          const folder = i % 2 === 0 ? 1 : 2;
          // repeated names, sizes and dates, so ties are broken by id across pages
          const name = `IMG_${String(i % 7919).padStart(5, '0')}.jpg`;
          insert.run(folder, `/${folder}/${i}.jpg`, name, (i * 7_919) % 50_000, i % 3 === 0 ? 'png' : 'jpeg', (i * 104_729) % 1_000_000);
        }
      })();
      library = new Library(db, { thumbnailDir: path.join(dir, 'thumbs') });
    });
    afterAll(() => db.close());

    it('every sort, in each direction, with and without a folder, reads an index in order', () => {
      for (const sort of ['name', 'date', 'size'] as const) {
        for (const descending of [false, true]) {
          for (const rootId of [undefined, 1]) {
            const first = library.queryImages({ sort, descending, rootId, limit: 100 });
            const { sql, params } = imagePageSql(imageQuerySchema.parse({ sort, descending, rootId, limit: 100, cursor: first.nextCursor }));
            const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
            expect(plan, `${sort} ${descending} ${rootId}`).toMatch(/USING (COVERING )?INDEX/);
            expect(plan, `${sort} ${descending} ${rootId}`).not.toMatch(/TEMP B-TREE/);
          }
        }
      }
    });

    it('a deep page holds exactly the rows a full sort puts there', () => {
      const reference = db
        .prepare('SELECT id FROM images WHERE folder_id = 2 ORDER BY size DESC, id DESC')
        .pluck()
        .all() as number[];
      let cursor: string | undefined;
      const pages: number[][] = [];
      do {
        const page = library.queryImages({ rootId: 2, sort: 'size', descending: true, limit: 400, cursor });
        pages.push(page.items.map((i) => i.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor && pages.length < 200);
      expect(pages).toHaveLength(125);
      expect(pages.flat()).toEqual(reference);
      expect(library.countImages({ rootId: 2, formats: ['png'] })).toBe(16_667);
    });
  });
});
