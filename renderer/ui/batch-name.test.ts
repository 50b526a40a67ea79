import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { de } from '../i18n/locales/de';
import { en } from '../i18n/locales/en';
import { displayBatchName } from './batch-name';

describe('batch names', () => {
  it('say the counts in the language of the UI, and leave names given by the user alone', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ lng: 'de', resources: { en: { translation: en }, de: { translation: de } } });
    expect(displayBatchName('Photos (3 images)', i18n.t)).toBe('Photos (3 Bilder)');
    expect(displayBatchName('Photos (1 image)', i18n.t)).toBe('Photos (1 Bild)');
    expect(displayBatchName('2 folders (5 images)', i18n.t)).toBe('2 Ordner (5 Bilder)');
    expect(displayBatchName('/home/me/Pictures/Trip', i18n.t)).toBe('/home/me/Pictures/Trip');
    await i18n.changeLanguage('en');
    expect(displayBatchName('2 folders (5 images)', i18n.t)).toBe('2 folders (5 images)');
  });
});
