import type { Migration } from './migration.js';

/** Folders the user added and the images found in them. */
export const libraryMigration: Migration = {
  version: 1,
  name: 'library',
  up(db) {
    db.exec(`
      CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        recursive INTEGER NOT NULL DEFAULT 1,
        added_at INTEGER NOT NULL,
        last_scan_at INTEGER
      );

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        path TEXT NOT NULL UNIQUE,
        -- directory relative to the folder ('' at its top), so a folder's subtree is a prefix match
        dir TEXT NOT NULL,
        -- NOCASE: people expect 'b.jpg' between 'A.jpg' and 'C.jpg'
        name TEXT NOT NULL COLLATE NOCASE,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        format TEXT,
        width INTEGER,
        height INTEGER,
        orientation INTEGER,
        camera TEXT,
        taken_at TEXT,
        -- date taken when the photo says, else the file's mtime: one column to sort and filter on
        date_ms INTEGER NOT NULL,
        thumb_key TEXT NOT NULL,
        error TEXT,
        scan_gen INTEGER NOT NULL
      );

      -- keyset paging: every sort order has an index ending in id, globally and per folder
      CREATE INDEX images_folder_name ON images(folder_id, name, id);
      CREATE INDEX images_folder_date ON images(folder_id, date_ms, id);
      CREATE INDEX images_folder_size ON images(folder_id, size, id);
      CREATE INDEX images_name ON images(name, id);
      CREATE INDEX images_date ON images(date_ms, id);
      CREATE INDEX images_size ON images(size, id);
      CREATE INDEX images_folder_dir ON images(folder_id, dir);
      CREATE INDEX images_thumb_key ON images(thumb_key);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
};
