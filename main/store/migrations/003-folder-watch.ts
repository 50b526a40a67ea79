import type { Migration } from './migration.js';

/** Folders can be watched, and new images enqueued with a saved preset. */
export const folderWatchMigration: Migration = {
  version: 3,
  name: 'folder-watch',
  up(db) {
    db.exec(`
      ALTER TABLE folders ADD COLUMN watch INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE folders ADD COLUMN auto_preset_id INTEGER REFERENCES presets(id) ON DELETE SET NULL;
    `);
  },
};
