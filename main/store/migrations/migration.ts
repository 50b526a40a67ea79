import type Database from 'better-sqlite3';

/**
 * One step of the schema. Versions are consecutive from 1; a migration never changes once shipped,
 * because databases in the field have already applied it. Change the schema by appending a new one.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}
