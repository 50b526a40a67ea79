import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { AppSettings, SettingsPatch, Theme } from '../../shared/api/settings';
import { useStudio, useStudioEvent } from './studio-context';
import { i18n } from '../i18n/i18n';

interface SettingsState {
  settings: AppSettings;
  update: (patch: SettingsPatch) => Promise<AppSettings>;
}

const SettingsContext = createContext<SettingsState | null>(null);

export function SettingsProvider({ initial, children }: { initial: AppSettings; children: ReactNode }) {
  const studio = useStudio();
  const [settings, setSettings] = useState(initial);
  useStudioEvent('settings.changed', setSettings);

  const update = useCallback(
    async (patch: SettingsPatch) => {
      const next = await studio.settings.update(patch);
      setSettings(next);
      return next;
    },
    [studio],
  );

  useEffect(() => {
    if (i18n.language !== settings.language) void i18n.changeLanguage(settings.language);
    document.documentElement.lang = settings.language;
  }, [settings.language]);
  useTheme(settings.theme);

  return <SettingsContext.Provider value={{ settings, update }}>{children}</SettingsContext.Provider>;
}

export function useSettings(): SettingsState {
  const state = useContext(SettingsContext);
  if (!state) throw new Error('useSettings outside SettingsProvider');
  return state;
}

/** `system` follows the OS and keeps following it while the app runs. */
function useTheme(theme: Theme): void {
  useEffect(() => {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      document.documentElement.dataset.theme = theme === 'system' ? (query.matches ? 'dark' : 'light') : theme;
    };
    apply();
    query.addEventListener('change', apply);
    return () => query.removeEventListener('change', apply);
  }, [theme]);
}
