import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StudioError } from '../../shared/errors.js';
import { migrate } from './migrate.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

export type StudioDatabase = Database.Database;

/**
 * Opens (creating if needed) the app's one database file and brings its schema up to date.
 * WAL lets the UI read while the worker writes; synchronous=NORMAL is durable across an app
 * crash (only an OS crash can lose the last commits), which is the failure the queue must survive.
 */
export function openDatabase(file: string, options: { migrations?: readonly Migration[] } = {}): StudioDatabase {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: StudioDatabase;
  try {
    db = new Database(file);
  } catch (e) {
    throw new StudioError('internal', `Could not open the library database ${file}: ${(e as Error).message}. Check that the folder is writable.`, {
      file,
      cause: e,
    });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, options.migrations ?? allMigrations, file);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
