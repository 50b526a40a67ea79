import { appSettingsSchema, type AppSettings, type SettingsPatch } from '../../shared/api/settings.js';
import type { StudioDatabase } from '../store/db.js';
import { readSetting, writeSetting } from '../store/settings.js';

const key = 'app';

/** The app's preferences in the database; a value that no longer parses falls back to defaults field by field. */
export class SettingsService {
  private current: AppSettings;
  private readonly listeners = new Set<(settings: AppSettings, previous: AppSettings) => void>();

  constructor(private readonly db: StudioDatabase) {
    this.current = parseLeniently(readSetting(db, key));
  }

  get(): AppSettings {
    return this.current;
  }

  update(patch: SettingsPatch): AppSettings {
    const previous = this.current;
    this.current = appSettingsSchema.parse({ ...previous, ...patch });
    writeSetting(this.db, key, this.current);
    this.listeners.forEach((l) => l(this.current, previous));
    return this.current;
  }

  onChange(listener: (settings: AppSettings, previous: AppSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function parseLeniently(stored: unknown): AppSettings {
  const whole = appSettingsSchema.safeParse(stored ?? {});
  if (whole.success) return whole.data;
  const fields = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const kept = Object.fromEntries(Object.entries(fields).filter(([name, value]) => appSettingsSchema.shape[name as keyof AppSettings]?.safeParse(value).success));
  return appSettingsSchema.parse(kept);
}
