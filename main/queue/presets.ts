import type { z } from 'zod';
import { batchOutputSchema, savePresetRequest } from '../../shared/api/requests.js';
import type { Preset } from '../../shared/api/types.js';
import { enhanceSettingsSchema } from '../../shared/enhance/settings.js';
import { StudioError, describeIssues } from '../../shared/errors.js';
import type { StudioDatabase } from '../store/db.js';
import { refusal } from '../../shared/refusals.js';

/**
 * Saved settings + output options, by name; saving under an existing name replaces that preset.
 * A row stores `{ settings, output }` as JSON. Rows that no longer validate (written by an older
 * version with other settings) are left out rather than breaking the list.
 */
export class PresetStore {
  constructor(private readonly db: StudioDatabase) {}

  list(): Preset[] {
    return (this.db.prepare('SELECT name, options FROM presets ORDER BY name').all() as { name: string; options: string }[])
      .map((r) => parsePreset(r.name, r.options))
      .filter((p): p is Preset => p !== undefined);
  }

  get(name: string): Preset | undefined {
    const options = this.db.prepare('SELECT options FROM presets WHERE name = ?').pluck().get(name.trim()) as string | undefined;
    return options === undefined ? undefined : parsePreset(name.trim(), options);
  }

  save(input: z.input<typeof savePresetRequest>): Preset {
    const parsed = savePresetRequest.safeParse(input);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error.issues, 'preset');
      throw new StudioError('invalid-settings', `The preset cannot be saved (${problems}). Correct it and save again.`);
    }
    const { name, settings, output } = parsed.data;
    const now = Date.now();
    this.db
      .prepare(`INSERT INTO presets (name, options, created_at, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(name) DO UPDATE SET options = excluded.options, updated_at = excluded.updated_at`)
      .run(name, JSON.stringify({ settings, output }), now, now);
    return { name, settings, output };
  }

  /** Watched folders that used it stop enqueueing automatically. */
  remove(name: string): void {
    if (this.db.prepare('DELETE FROM presets WHERE name = ?').run(name.trim()).changes === 0) {
      throw refusal('not-found', 'queue.noPreset', { name });
    }
  }
}

function parsePreset(name: string, options: string): Preset | undefined {
  try {
    const raw = JSON.parse(options) as { settings?: unknown; output?: unknown };
    const settings = enhanceSettingsSchema.safeParse(raw.settings);
    const output = batchOutputSchema.partial().safeParse(raw.output ?? {});
    return settings.success && output.success ? { name, settings: settings.data, output: output.data } : undefined;
  } catch {
    return undefined;
  }
}
