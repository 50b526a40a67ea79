import type { Migration } from './migration.js';

/** Fine-tuning runs (docs/trainer-protocol.md): one row per run, kept across restarts so a stopped or failed run can resume. */
export const trainingMigration: Migration = {
  version: 4,
  name: 'training-runs',
  up(db) {
    db.exec(`
      CREATE TABLE training_runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'stopping', 'stopped', 'failed', 'done')),
        source_json TEXT NOT NULL,
        base_model_id TEXT NOT NULL,
        -- stages, length, iterations, pair counts: what the run was asked to do
        plan_json TEXT NOT NULL,
        run_dir TEXT NOT NULL,
        step INTEGER NOT NULL DEFAULT 0,
        stage TEXT,
        it_per_sec REAL,
        eta_seconds REAL,
        device TEXT,
        losses_json TEXT NOT NULL DEFAULT '[]',
        preview_json TEXT,
        checkpoint TEXT,
        model_id TEXT,
        heldout_json TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX training_runs_state ON training_runs(state);
    `);
  },
};
