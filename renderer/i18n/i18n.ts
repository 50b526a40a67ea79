import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../shared/api/settings';
import { de } from './locales/de';
import { en } from './locales/en';

export const i18n = i18next.createInstance();

export const resources = { en: { translation: en }, de: { translation: de } } as const;

export async function initI18n(language: Language): Promise<void> {
  await i18n.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false, // i18next's advert on the console of every window and test
  });
}
