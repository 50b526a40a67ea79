/**
 * The Training screen's form before anything trains (issue 22, items 9 and 15): number fields that keep what is typed
 * and refuse beside themselves, and folder checks that say what is wrong in words that fit a typed path. The real UI
 * in Debian's Chromium over `npm run serve`. A real run is in layout.matrix.e2e.test.ts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxCustomIterations } from '../../../shared/training/types.js';
import { chooseJpegDamage, page, prepareBuildings, setLanguage, sizes, trainingForm, typeInto, useStudio, work } from './studio-e2e.js';

useStudio('training-form', sizes[0], prepareBuildings);

describe('number fields (item 9)', () => {
  it('keep what is typed, and say what is wrong beside the field when it is left', async () => {
    await chooseJpegDamage();
    const form = trainingForm();
    const quality = form.getByLabel('JPEG quality');
    expect(await typeInto(quality, ['Control+A'], '30')).toBe('30');
    expect(await typeInto(quality, ['End', 'Backspace', 'Backspace'], '30')).toBe('30');
    const heldOut = form.getByLabel('Kept aside for measuring (%)');
    expect(await typeInto(heldOut, ['Control+A'], '20')).toBe('20');
    expect(await typeInto(form.getByLabel('Iterations'), ['Control+A'], '400')).toBe('400');

    expect(await typeInto(quality, ['Control+A'], '3')).toBe('3');
    const error = form.getByRole('alert').filter({ hasText: 'Enter a number from 5 to 95.' });
    await error.waitFor();
    expect(await quality.getAttribute('aria-invalid')).toBe('true');
    // beside the field: right under it, in its column
    const [fieldBox, errorBox] = [await quality.boundingBox(), await error.boundingBox()];
    expect(errorBox!.y - (fieldBox!.y + fieldBox!.height)).toBeLessThan(8);
    expect(Math.abs(errorBox!.x - fieldBox!.x)).toBeLessThan(4);
    expect(await typeInto(quality, ['Control+A'], '30')).toBe('30');
    await error.waitFor({ state: 'detached' });
  });

  it('refuses more iterations than the API takes, beside the field, with the limit', async () => {
    await chooseJpegDamage();
    const form = trainingForm();
    const iterations = form.getByLabel('Iterations');
    expect(await typeInto(iterations, ['Control+A'], '100000')).toBe('100000');
    const tooMany = form.getByRole('alert').filter({ hasText: `Enter a number from 1 to ${maxCustomIterations}.` });
    await tooMany.waitFor();
    expect(await iterations.getAttribute('aria-invalid')).toBe('true');
    const [countBox, tooManyBox] = [await iterations.boundingBox(), await tooMany.boundingBox()];
    expect(tooManyBox!.y - (countBox!.y + countBox!.height)).toBeLessThan(8);
    expect(await typeInto(iterations, ['Control+A'], String(maxCustomIterations))).toBe(String(maxCustomIterations));
    await tooMany.waitFor({ state: 'detached' });
  });
});

describe('folder checks (item 15)', () => {
  it('say what is wrong with a folder in words that fit a typed path, and forget a refusal once another folder is checked', async () => {
    await chooseJpegDamage();
    const form = trainingForm();
    const folder = form.getByLabel('Photos folder');
    const check = async (value: string) => {
      await folder.fill(value);
      await folder.press('Enter');
    };
    const problem = form.locator('.scan-problem');
    await check(path.join(work, 'No such folder'));
    await expect.poll(() => problem.textContent()).toBe(`${path.join(work, 'No such folder')} does not exist. Check the path (the full path of a folder).`);
    await mkdir(path.join(work, 'Empty'));
    await check(path.join(work, 'Empty'));
    await expect.poll(() => problem.textContent()).toMatch(/^Only 0 usable photos: .* Add more to .*Empty\.$/);
    await check('/etc');
    await expect.poll(() => problem.textContent()).toMatch(/\/etc/);
    await check(path.join(work, 'Buildings', 'HR'));
    await expect.poll(() => page.getByTestId('scan-summary').textContent(), { timeout: 60_000 }).toMatch(/^12 usable photos/);
    expect(await problem.count()).toBe(0);
    expect(await page.locator('.notices').getByText('/etc').count()).toBe(0);

    // main's reason in the UI's language, said again when the language changes
    await check(path.join(work, 'No such folder'));
    await expect.poll(() => problem.textContent()).toMatch(/does not exist\./);
    await setLanguage('de');
    await expect.poll(() => problem.textContent()).toBe(`${path.join(work, 'No such folder')} gibt es nicht. Prüfen Sie den Pfad (den vollständigen Pfad eines Ordners).`);
    await setLanguage('en');
  });
});
