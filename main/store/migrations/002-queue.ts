import type { Migration } from './migration.js';

/** Batches of enhancement work, one item per input image, and saved presets. */
export const queueMigration: Migration = {
  version: 2,
  name: 'queue',
  up(db) {
    db.exec(`
      CREATE TABLE presets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        options TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        options TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        paused INTEGER NOT NULL DEFAULT 0,
        pause_reason TEXT,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        -- REAL so an item can be moved between two others without renumbering the batch
        position REAL NOT NULL,
        input_path TEXT NOT NULL,
        image_id INTEGER,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'skipped', 'cancelled')),
        held INTEGER NOT NULL DEFAULT 0,
        output_path TEXT,
        -- set once an attempt has found output_path free (or its own) and is about to write it, so a
        -- restart treats a file there as this item's own output and not as a collision
        output_claimed INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error TEXT,
        pixels INTEGER,
        started_at INTEGER,
        finished_at INTEGER,
        decode_ms REAL,
        enhance_ms REAL,
        write_ms REAL
      );
      -- the worker's "next item" and the batch listing both read this index in order
      CREATE INDEX items_next ON items(batch_id, state, held, position);
      CREATE INDEX items_batch ON items(batch_id, position, id);
      CREATE INDEX items_running ON items(state);
      CREATE INDEX items_input ON items(input_path);
      CREATE INDEX items_output ON items(output_path);

      -- one row per attempt: timings and the error of each failure survive retries
      CREATE TABLE item_attempts (
        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        outcome TEXT,
        error_code TEXT,
        error TEXT,
        PRIMARY KEY (item_id, attempt)
      );
    `);
  },
};
