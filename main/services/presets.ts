import type { StudioHandlers } from '../../shared/api/contract.js';
import type { Preset } from '../../shared/api/types.js';
import { enhanceSettingsSchema } from '../../shared/enhance/settings.js';
import { batchOutputSchema } from '../../shared/api/requests.js';
import { StudioError } from '../../shared/errors.js';
import type { StudioDatabase } from '../store/db.js';

type PresetHandlers = Pick<StudioHandlers['queue'], 'presets' | 'savePreset' | 'deletePreset'>;

/**
 * Saved batch presets, by name, in the queue's `presets` table (the library's folder watching
 * refers to them by name too). Stored options that no longer validate are left out of the list
 * rather than breaking it.
 */
export function presetHandlers(db: StudioDatabase): PresetHandlers {
  const parse = (name: string, options: string): Preset | null => {
    try {
      const raw = JSON.parse(options) as { settings?: unknown; output?: unknown };
      const settings = enhanceSettingsSchema.safeParse(raw.settings);
      const output = batchOutputSchema.partial().safeParse(raw.output ?? {});
      return settings.success && output.success ? { name, settings: settings.data, output: output.data } : null;
    } catch {
      return null;
    }
  };
  return {
    presets: () =>
      (db.prepare('SELECT name, options FROM presets ORDER BY name').all() as { name: string; options: string }[])
        .map((r) => parse(r.name, r.options))
        .filter((p): p is Preset => p !== null),
    savePreset: ({ name, settings, output }) => {
      const now = Date.now();
      db.prepare(
        'INSERT INTO presets (name, options, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET options = excluded.options, updated_at = excluded.updated_at',
      ).run(name, JSON.stringify({ settings, output }), now, now);
      return { name, settings, output };
    },
    deletePreset: ({ name }) => {
      if (db.prepare('DELETE FROM presets WHERE name = ?').run(name).changes === 0) {
        throw new StudioError('not-found', `There is no preset called "${name}".`);
      }
    },
  };
}
