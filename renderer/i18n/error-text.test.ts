import { afterAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../shared/errors';
import { explainError } from '../../shared/explain-error';
import { reason, refusal, said } from '../../shared/refusals';
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
    const python = refusal('invalid-settings', 'python.notAProgram', { file: '/opt/py', fileKind: 'folder' });
    expect(errorText(python)).toMatch(/^Der Python-Interpreter \/opt\/py ist ein Ordner, kein Programm\. Wählen Sie/);
    const skipped = reason('output.existsSkip', { file: '/out/a.png' });
    expect(skipped.reason).toBe('/out/a.png already exists (collision policy: skip)');
    expect(saidText(skipped.said, skipped.reason)).toBe('/out/a.png gibt es bereits (wenn die Ausgabe existiert: Bild überspringen)');
  });

  it('says parts with their own words in the UI language, numbers written its way', async () => {
    await initI18n('de');
    const width = said('sizes.widthAtScale', { width: 19_999, scale: 3.33 });
    const choice = said('sizes.formatOrWidth', { formats: said('sizes.or', { first: 'PNG', rest: 'TIFF' }), width });
    const e = refusal('image-too-large', 'files.tooLargeForFormat', { file: '/p/a.jpg', width: 24_000, height: 16_000, area: '384 MP', format: 'JPEG', limit: '268 MP', choice });
    expect(e.message).toBe('/p/a.jpg would be 24,000 × 16,000 (384 MP), and JPEG images can be at most 268 MP. Choose PNG or TIFF as the format, or a width of at most 19,999 px (scale ×3.33).');
    expect(errorText(e)).toBe('/p/a.jpg würde 24.000 × 16.000 groß (384 MP), und JPEG-Bilder dürfen höchstens 268 MP haben. Wählen Sie PNG oder TIFF als Format oder eine Breite von höchstens 19.999 px (Maßstab ×3,33).');
    // a part this renderer has no words for: the whole is shown as main said it
    const unknown = { key: 'files.tooLargeToEnhance', params: { ...e.said!.params, made: '3136 MP', limit: '400 MP', advice: { key: 'sizes.fromANewerMain', params: {} } } };
    expect(saidText(unknown, 'As main said it.')).toBe('As main said it.');
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
