import type { Migration } from './migration.js';

/** A finished item can carry a note that is not an error (an animation's other frames were left out). */
export const itemNotesMigration: Migration = {
  version: 5,
  name: 'item-notes',
  up(db) {
    db.exec('ALTER TABLE items ADD COLUMN note TEXT;');
  },
};
