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

      -- per batch and state: how many items, and for queued ones their known input pixels (ETA).
      -- Kept by triggers, so a batch's counts cost a few rows to read whatever its size.
      CREATE TABLE item_counts (
        batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        n INTEGER NOT NULL DEFAULT 0,
        pixels INTEGER NOT NULL DEFAULT 0,
        known INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (batch_id, state)
      ) WITHOUT ROWID;
      CREATE TRIGGER item_counts_insert AFTER INSERT ON items BEGIN
        INSERT INTO item_counts (batch_id, state, n, pixels, known)
          VALUES (NEW.batch_id, NEW.state, 1, coalesce(NEW.pixels, 0), NEW.pixels IS NOT NULL)
          ON CONFLICT (batch_id, state) DO UPDATE SET n = n + 1, pixels = pixels + excluded.pixels, known = known + excluded.known;
      END;
      CREATE TRIGGER item_counts_delete AFTER DELETE ON items BEGIN
        UPDATE item_counts SET n = n - 1, pixels = pixels - coalesce(OLD.pixels, 0), known = known - (OLD.pixels IS NOT NULL)
          WHERE batch_id = OLD.batch_id AND state = OLD.state;
      END;
      CREATE TRIGGER item_counts_update AFTER UPDATE OF state, pixels ON items BEGIN
        UPDATE item_counts SET n = n - 1, pixels = pixels - coalesce(OLD.pixels, 0), known = known - (OLD.pixels IS NOT NULL)
          WHERE batch_id = OLD.batch_id AND state = OLD.state;
        INSERT INTO item_counts (batch_id, state, n, pixels, known)
          VALUES (NEW.batch_id, NEW.state, 1, coalesce(NEW.pixels, 0), NEW.pixels IS NOT NULL)
          ON CONFLICT (batch_id, state) DO UPDATE SET n = n + 1, pixels = pixels + excluded.pixels, known = known + excluded.known;
      END;

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
