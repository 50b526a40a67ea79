import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStudioError } from '../../../shared/errors.js';
import { openDatabase } from '../db.js';
import { schemaVersion } from '../migrate.js';
import { migrations } from '../migrations/index.js';
import { readSetting, writeSetting } from '../settings.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('database', () => {
  it('creates a new database in WAL mode at the latest schema', () => {
    const db = openDatabase(path.join(dir, 'sub', 'studio.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(migrations.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['folders', 'images', 'batches', 'items', 'item_attempts', 'presets', 'settings']));
    db.close();
  });

  it('upgrades a database made by an older schema and keeps its rows', () => {
    const file = path.join(dir, 'studio.db');
    const old = openDatabase(file, { migrations: migrations.slice(0, 1) });
    expect(schemaVersion(old)).toBe(1);
    old.prepare('INSERT INTO folders (path, added_at) VALUES (?, ?)').run('/photos', 1);
    old
      .prepare(
        `INSERT INTO images (folder_id, path, dir, name, size, mtime_ms, date_ms, thumb_key, scan_gen)
         VALUES (1, '/photos/a.jpg', '', 'a.jpg', 10, 5, 5, 'k', 1)`,
      )
      .run();
    expect(() => old.prepare('SELECT watch FROM folders').get()).toThrow(/no such column/);
    old.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare('SELECT path, watch, auto_preset_id FROM folders').get()).toEqual({ path: '/photos', watch: 0, auto_preset_id: null });
    expect(db.prepare('SELECT name FROM images').get()).toEqual({ name: 'a.jpg' });
    const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(applied).toEqual(migrations.map((m) => m.version));
    // the new tables work, foreign keys included
    db.prepare("INSERT INTO presets (name, options, created_at, updated_at) VALUES ('p', '{}', 0, 0)").run();
    db.prepare('UPDATE folders SET auto_preset_id = 1').run();
    db.prepare('DELETE FROM presets').run();
    expect(db.prepare('SELECT auto_preset_id FROM folders').pluck().get()).toBeNull();
    db.close();

    // opening again applies nothing and changes nothing
    const again = openDatabase(file);
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(migrations.length);
    again.close();
  });

  it('drops the default step count from presets saved before it meant the model\'s own, and keeps a typed one', () => {
    const file = path.join(dir, 'studio.db');
    const old = openDatabase(file, { migrations: migrations.slice(0, 5) });
    const save = old.prepare('INSERT INTO presets (name, options, created_at, updated_at) VALUES (?, ?, 0, 0)');
    save.run('default', JSON.stringify({ settings: { modelId: 'ctmsr-s-x4-detail', steps: 1, seed: 0 }, output: {} }));
    save.run('typed', JSON.stringify({ settings: { steps: 3, seed: 7 }, output: {} }));
    save.run('broken', 'not json');
    old.close();

    const db = openDatabase(file);
    const options = Object.fromEntries((db.prepare('SELECT name, options FROM presets').all() as { name: string; options: string }[]).map((r) => [r.name, r.options]));
    expect(JSON.parse(options.default)).toEqual({ settings: { modelId: 'ctmsr-s-x4-detail', seed: 0 }, output: {} });
    expect(JSON.parse(options.typed)).toEqual({ settings: { steps: 3, seed: 7 }, output: {} });
    expect(options.broken).toBe('not json');
    db.close();
  });

  it('stops at the last complete version when a migration fails', () => {
    const file = path.join(dir, 'studio.db');
    const broken = [...migrations, { version: migrations.length + 1, name: 'broken', up: (db: import('better-sqlite3').Database) => {
      db.exec('CREATE TABLE half_done (x INTEGER)');
      throw new Error('boom');
    } }];
    expect(() => openDatabase(file, { migrations: broken })).toThrow('boom');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database written by a newer version', () => {
    const file = path.join(dir, 'studio.db');
    openDatabase(file).close();
    const newer = openDatabase(file, {
      migrations: [...migrations, { version: migrations.length + 1, name: 'future', up: () => {} }],
    });
    newer.close();
    try {
      openDatabase(file);
      expect.unreachable();
    } catch (e) {
      expect(isStudioError(e, 'internal')).toBe(true);
      expect((e as Error).message).toContain(file);
      expect((e as Error).message).toMatch(/newer version/);
    }
  });

  it('stores settings as JSON', () => {
    const db = openDatabase(path.join(dir, 'studio.db'));
    expect(readSetting(db, 'theme')).toBeUndefined();
    writeSetting(db, 'theme', { dark: true });
    writeSetting(db, 'theme', { dark: false });
    expect(readSetting(db, 'theme')).toEqual({ dark: false });
    writeSetting(db, 'theme', undefined);
    expect(readSetting(db, 'theme')).toBeUndefined();
    db.close();
  });
});
