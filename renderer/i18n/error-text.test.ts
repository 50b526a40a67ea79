import { afterAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../shared/errors';
import { refusal } from '../../shared/refusals';
import { errorText } from './error-text';
import { i18n, initI18n } from './i18n';

describe('errorText', () => {
  afterAll(() => i18n.changeLanguage('en'));

  it('says a refusal of main in the UI language, the run state included', async () => {
    await initI18n('de');
    const e = refusal('conflict', 'training.cannotResume', { run: 'Häuser', state: 'running' });
    expect(errorText(e)).toBe('„Häuser“ lässt sich nicht fortsetzen (Zustand: trainiert); nur ein angehaltener oder fehlgeschlagener Lauf kann fortgesetzt werden.');
    expect(errorText(refusal('not-found', 'queue.itemNotInBatch', { item: 7, batch: 3 }))).toBe('Eintrag Nr. 7 gehört nicht zu Stapel Nr. 3. Aktualisieren Sie die Warteschlange.');
  });

  it('shows in English exactly what main said, and any other error as it is worded', async () => {
    await initI18n('en');
    const e = refusal('in-use', 'training.baseModelInUse', { model: 'm', run: 'Buildings', state: 'stopping' });
    expect(errorText(e)).toBe(e.message);
    await i18n.changeLanguage('de');
    expect(errorText(new StudioError('disk-full', 'The disk holding /out is full.'))).toBe('The disk holding /out is full.');
    expect(errorText(new StudioError('conflict', 'From a newer main.', { said: { key: 'training.noSuchKey', params: {} } }))).toBe('From a newer main.');
    expect(errorText('plain')).toBe('plain');
  });
});
