import type { Migration } from './migration.js';

/**
 * Until a step count left out meant "the model's own", every saved preset carried `steps: 1`, the form's default, so
 * a preset of a two-step model (Detail) would have run it in one step for ever. A preset's 1 is that default, not a
 * choice: it is dropped. Other counts were typed and stay.
 */
export const presetsOwnStepsMigration: Migration = {
  version: 6,
  name: 'presets-own-steps',
  up(db) {
    db.exec(`
      UPDATE presets SET options = json_remove(options, '$.settings.steps')
      WHERE json_valid(options) AND json_extract(options, '$.settings.steps') = 1;
    `);
  },
};
