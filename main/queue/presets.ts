import type { z } from 'zod';
import { savePresetRequest } from '../../shared/api/requests.js';
import type { Preset } from '../../shared/api/types.js';
import { StudioError } from '../../shared/errors.js';
import type { StudioDatabase } from '../store/db.js';

/** Saved settings + output options, by name. Saving under an existing name replaces that preset. */
export class PresetStore {
  constructor(private readonly db: StudioDatabase) {}

  list(): Preset[] {
    return (this.db.prepare('SELECT options FROM presets ORDER BY name').pluck().all() as string[]).map((o) => JSON.parse(o) as Preset);
  }

  get(name: string): Preset | undefined {
    const options = this.db.prepare('SELECT options FROM presets WHERE name = ?').pluck().get(name.trim()) as string | undefined;
    return options === undefined ? undefined : (JSON.parse(options) as Preset);
  }

  save(input: z.input<typeof savePresetRequest>): Preset {
    const parsed = savePresetRequest.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'preset'}: ${i.message}`).join('; ');
      throw new StudioError('invalid-settings', `The preset cannot be saved (${problems}). Correct it and save again.`);
    }
    const preset: Preset = parsed.data;
    const now = Date.now();
    this.db
      .prepare(`INSERT INTO presets (name, options, created_at, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(name) DO UPDATE SET options = excluded.options, updated_at = excluded.updated_at`)
      .run(preset.name, JSON.stringify(preset), now, now);
    return preset;
  }

  /** Watched folders that used it stop enqueueing automatically. */
  remove(name: string): void {
    this.db.prepare('DELETE FROM presets WHERE name = ?').run(name.trim());
  }
}
