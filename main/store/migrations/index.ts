import { libraryMigration } from './001-library.js';
import { queueMigration } from './002-queue.js';
import { folderWatchMigration } from './003-folder-watch.js';
import { trainingMigration } from './004-training.js';
import { itemNotesMigration } from './005-item-notes.js';
import { presetsOwnStepsMigration } from './006-presets-own-steps.js';
import { saidReasonsMigration } from './007-said-reasons.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every schema step in order. To change the schema, add a file `NNN-name.ts` and append it here. */
export const migrations: readonly Migration[] = [libraryMigration, queueMigration, folderWatchMigration, trainingMigration, itemNotesMigration, presetsOwnStepsMigration, saidReasonsMigration];
