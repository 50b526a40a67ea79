import type { StudioDatabase } from '../store/db.js';
import { StudioError } from '../../shared/errors.js';
import {
  imageQuerySchema,
  type ImageQuery,
  type ImageQueryInput,
  type ImageSortKey,
  type LibraryImage,
  type LibraryImagePage,
} from '../../shared/library/types.js';

const sortColumns: Record<ImageSortKey, string> = { name: 'name', date: 'date_ms', size: 'size' };

const imageColumns = `id, folder_id AS rootId, path, name, dir, width, height, size AS bytes, format, date_ms AS dateMs,
  error, thumb_key AS version, camera, taken_at AS takenAt, orientation, mtime_ms AS modifiedMs`;

/** Filters shared by pages and counts, as SQL conditions with their parameters. */
function filterClause(q: ImageQuery): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.rootId !== undefined) {
    where.push('folder_id = ?');
    params.push(q.rootId);
    const dir = q.dir.replace(/^\/+|\/+$/g, '');
    if (dir !== '') {
      where.push('(dir = ? OR substr(dir, 1, ?) = ?)');
      params.push(dir, dir.length + 1, `${dir}/`);
    }
  }
  if (q.search !== '') {
    where.push("name LIKE ? ESCAPE '\\'");
    params.push(`%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  const ranges: [string, string, number | undefined][] = [
    ['date_ms', '>=', q.dateFrom],
    ['date_ms', '<=', q.dateTo],
    ['size', '>=', q.minBytes],
    ['size', '<=', q.maxBytes],
  ];
  for (const [column, op, value] of ranges) {
    if (value === undefined) continue;
    where.push(`${column} ${op} ?`);
    params.push(value);
  }
  if (q.formats.length > 0) {
    where.push(`format IN (${q.formats.map(() => '?').join(', ')})`);
    params.push(...q.formats);
  }
  return { where, params };
}

const whereSql = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** The SQL of one page (limit + 1 rows, to learn whether another page follows) and its parameters. */
export function imagePageSql(q: ImageQuery): { sql: string; params: unknown[] } {
  const column = sortColumns[q.sort];
  const { where, params } = filterClause(q);
  if (q.cursor !== undefined) {
    const [value, id] = decodeCursor(q.cursor);
    where.push(`(${column}, id) ${q.descending ? '<' : '>'} (?, ?)`);
    params.push(value, id);
  }
  const direction = q.descending ? 'DESC' : 'ASC';
  const sql = `SELECT ${imageColumns} FROM images ${whereSql(where)}
    ORDER BY ${column} ${direction}, id ${direction} LIMIT ? OFFSET ?`;
  return { sql, params: [...params, q.limit + 1, q.cursor === undefined ? q.offset : 0] };
}

/**
 * One page of images. Every sort order has an index ending in id, so rows come out of an index in
 * order. Paging by `cursor` (keyset) costs the same on page 500 as on page 1; `offset` paging
 * skips index entries, which stays in the milliseconds at 100,000 images.
 */
export function queryImages(db: StudioDatabase, input: ImageQueryInput): LibraryImagePage {
  const q = imageQuerySchema.parse(input);
  const { sql, params } = imagePageSql(q);
  const rows = db.prepare(sql).all(...params) as LibraryImage[];
  const more = rows.length > q.limit;
  const items = more ? rows.slice(0, q.limit) : rows;
  const last = items[items.length - 1];
  const sortValue = (img: LibraryImage) => (q.sort === 'name' ? img.name : q.sort === 'date' ? img.dateMs : img.bytes);
  return {
    total: countImages(db, q),
    offset: q.offset,
    items,
    nextCursor: more && last ? encodeCursor(sortValue(last), last.id) : null,
  };
}

/** How many images match the query's filters (paging and sort ignored). */
export function countImages(db: StudioDatabase, input: ImageQueryInput): number {
  const { where, params } = filterClause(imageQuerySchema.parse(input));
  return db.prepare(`SELECT count(*) FROM images ${whereSql(where)}`).pluck().get(...params) as number;
}

export function getImage(db: StudioDatabase, id: number): LibraryImage | undefined {
  return db.prepare(`SELECT ${imageColumns} FROM images WHERE id = ?`).get(id) as LibraryImage | undefined;
}

/** An image by id with the library folder it belongs to: what a batch needs of an image it names. */
export function imageWithRoot(db: StudioDatabase, id: number): { path: string; width: number | null; height: number | null; root: string } | undefined {
  return db
    .prepare('SELECT i.path, i.width, i.height, f.path AS root FROM images i JOIN folders f ON f.id = i.folder_id WHERE i.id = ?')
    .get(id) as { path: string; width: number | null; height: number | null; root: string } | undefined;
}

/** The library's folders, by path. */
export function libraryRoots(db: StudioDatabase): string[] {
  return db.prepare('SELECT path FROM folders').pluck().all() as string[];
}

/** Whether a file is one of the library's images. */
export function isLibraryImage(db: StudioDatabase, file: string): boolean {
  return db.prepare('SELECT 1 FROM images WHERE path = ? LIMIT 1').get(file) !== undefined;
}

function encodeCursor(value: string | number, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string | number, number] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && ['string', 'number'].includes(typeof parsed[0]) && Number.isInteger(parsed[1])) {
      return parsed as [string | number, number];
    }
  } catch {
    // fall through to the error below
  }
  throw new StudioError('invalid-settings', 'The page cursor is not one this library issued. Start the listing again from the first page.');
}
