import type Database from 'better-sqlite3';
import { StudioError } from '../../shared/errors.js';
import type { Migration } from './migrations/index.js';

const createVersionTable = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`;

/** The highest migration version applied to this database (0 for a new one). */
export function schemaVersion(db: Database.Database): number {
  db.exec(createVersionTable);
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the migrations the database has not seen, each in its own transaction together with its
 * record, so a crash mid-upgrade leaves the database at the last complete version.
 */
export function migrate(db: Database.Database, list: readonly Migration[], file = 'the library database'): number[] {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const current = schemaVersion(db);
  if (current > list.length) {
    throw new StudioError(
      'internal',
      `${file} was written by a newer version of CTMSR Studio (schema ${current}, this version knows ${list.length}). ` +
        'Update the app, or move the file away to start a new library.',
      { file },
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of list.slice(current)) {
    db.transaction(() => {
      m.up(db);
      record.run(m.version, m.name, Date.now());
    })();
    applied.push(m.version);
  }
  return applied;
}
