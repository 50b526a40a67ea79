import { afterAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../shared/errors';
import { explainError } from '../../shared/explain-error';
import { reason, refusal } from '../../shared/refusals';
import { errorText, saidText } from './error-text';
import { i18n, initI18n } from './i18n';

describe('errorText', () => {
  afterAll(() => i18n.changeLanguage('en'));

  it('says a refusal of main in the UI language, the run state included', async () => {
    await initI18n('de');
    const e = refusal('conflict', 'training.cannotResume', { run: 'Häuser', state: 'running' });
    expect(errorText(e)).toBe('„Häuser“ lässt sich nicht fortsetzen (Zustand: trainiert); nur ein angehaltener oder fehlgeschlagener Lauf kann fortgesetzt werden.');
    expect(errorText(refusal('not-found', 'queue.itemNotInBatch', { item: 7, batch: 3 }))).toBe('Eintrag Nr. 7 gehört nicht zu Stapel Nr. 3. Aktualisieren Sie die Warteschlange.');
  });

  it('says why a photo failed or was skipped in the UI language, with what the app was doing and what a path is', async () => {
    await initI18n('de');
    const full = explainError(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }), { file: '/out/a.png', stage: 'output' });
    expect(saidText(full.said, full.message)).toBe(
      'Beim Schreiben von /out/a.png ist der Datenträger voll geworden. Geben Sie Speicherplatz frei oder wählen Sie einen anderen Ausgabeordner und setzen Sie dann fort.',
    );
    const other = explainError(new Error('boom'), { file: '/in/a.png', stage: 'engine' });
    expect(saidText(other.said, other.message)).toBe('Fehler beim Verbessern von /in/a.png: boom. Versuchen Sie es erneut; schlägt es wieder fehl, melden Sie es bitte.');
    const folder = refusal('unsupported-format', 'files.notAnImageFile', { file: '/in/x', fileKind: 'folder' });
    expect(folder.message).toBe('/in/x is a folder, not an image file. Only regular image files are read.');
    expect(errorText(folder)).toBe('/in/x ist ein Ordner, keine Bilddatei. Gelesen werden nur gewöhnliche Bilddateien.');
    const skipped = reason('output.existsSkip', { file: '/out/a.png' });
    expect(skipped.reason).toBe('/out/a.png already exists (collision policy: skip)');
    expect(saidText(skipped.said, skipped.reason)).toBe('/out/a.png gibt es bereits (wenn die Ausgabe existiert: Bild überspringen)');
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
