import type { StudioDatabase } from '../store/db.js';
import { StudioError } from '../../shared/errors.js';
import {
  imageQuerySchema,
  type ImagePage,
  type ImageQuery,
  type ImageQueryInput,
  type ImageSortKey,
  type LibraryImage,
} from '../../shared/library/types.js';

const sortColumns: Record<ImageSortKey, string> = { name: 'name', date: 'date_ms', size: 'size' };

export const imageColumns = `id, folder_id AS folderId, path, dir, name, size, mtime_ms AS mtimeMs, format, width, height,
  orientation, camera, taken_at AS takenAt, date_ms AS dateMs, error`;

/** Filters shared by queries and counts, as SQL conditions with their parameters. */
function filterClause(q: ImageQuery): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.folderId !== undefined) {
    where.push('folder_id = ?');
    params.push(q.folderId);
    if (q.dir !== undefined && q.dir !== '') {
      const dir = q.dir.replace(/^\/+|\/+$/g, '');
      where.push('(dir = ? OR substr(dir, 1, ?) = ?)');
      params.push(dir, dir.length + 1, `${dir}/`);
    }
  }
  if (q.nameContains) {
    where.push("name LIKE ? ESCAPE '\\'");
    params.push(`%${q.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (q.dateFrom !== undefined) {
    where.push('date_ms >= ?');
    params.push(q.dateFrom);
  }
  if (q.dateTo !== undefined) {
    where.push('date_ms <= ?');
    params.push(q.dateTo);
  }
  if (q.minSize !== undefined) {
    where.push('size >= ?');
    params.push(q.minSize);
  }
  if (q.maxSize !== undefined) {
    where.push('size <= ?');
    params.push(q.maxSize);
  }
  if (q.formats !== undefined) {
    where.push(`format IN (${q.formats.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...q.formats);
  }
  return { where, params };
}

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
  const sql = `SELECT ${imageColumns} FROM images ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${column} ${direction}, id ${direction} LIMIT ?`;
  return { sql, params: [...params, q.limit + 1] };
}

/**
 * One page of images. Paging is by keyset (the last row's sort value and id), and every sort order
 * has an index ending in id, so page 500 of a 100,000-image folder costs what page 1 does.
 */
export function queryImages(db: StudioDatabase, input: ImageQueryInput): ImagePage {
  const q = imageQuerySchema.parse(input);
  const { sql, params } = imagePageSql(q);
  const rows = db.prepare(sql).all(...params) as LibraryImage[];
  const more = rows.length > q.limit;
  const images = more ? rows.slice(0, q.limit) : rows;
  const last = images[images.length - 1];
  const sortValue = (img: LibraryImage) => (q.sort === 'name' ? img.name : q.sort === 'date' ? img.dateMs : img.size);
  return { images, nextCursor: more && last ? encodeCursor(sortValue(last), last.id) : null };
}

/** How many images match the query's filters (paging and sort ignored). */
export function countImages(db: StudioDatabase, input: ImageQueryInput): number {
  const { where, params } = filterClause(imageQuerySchema.parse(input));
  return db.prepare(`SELECT count(*) FROM images ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).pluck().get(...params) as number;
}

export function getImage(db: StudioDatabase, id: number): LibraryImage | undefined {
  return db.prepare(`SELECT ${imageColumns} FROM images WHERE id = ?`).get(id) as LibraryImage | undefined;
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
