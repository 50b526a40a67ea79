import type { StudioDatabase } from './db.js';

/** App-wide key/value settings, stored as JSON. Callers validate what they read back. */
export function readSetting(db: StudioDatabase, key: string): unknown {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row === undefined ? undefined : JSON.parse(row.value);
}

export function writeSetting(db: StudioDatabase, key: string, value: unknown): void {
  if (value === undefined) {
    db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    return;
  }
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  );
}
