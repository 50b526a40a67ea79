import type { Migration } from './migration.js';

/**
 * Why an item failed or was skipped, its note, why its batch paused itself and why a training run failed are stored as
 * main worded them in English; beside each, its key and values (shared/refusals.ts, as JSON) so the UI can say it in
 * its own language.
 * Rows written before have none and are shown as they were stored.
 */
export const saidReasonsMigration: Migration = {
  version: 7,
  name: 'said-reasons',
  up(db) {
    db.exec(`
      ALTER TABLE items ADD COLUMN error_said TEXT;
      ALTER TABLE items ADD COLUMN note_said TEXT;
      ALTER TABLE batches ADD COLUMN pause_said TEXT;
      ALTER TABLE training_runs ADD COLUMN error_said TEXT;
    `);
  },
};
