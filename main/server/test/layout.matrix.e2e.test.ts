/**
 * Every screen at 1600×1000 and 1024×700, in English and German, while a real run trains (issue 22, items 9–11, 13,
 * 16–18): the real UI in Debian's Chromium over `npm run serve`, with the trainer's tiny test network. One run serves
 * all four cells (a run per cell is minutes on two cores): it is started once, from the fine-tuned model so that
 * removing that model is refused for real, and the language and the window change around it. Layout is checked
 * through bounding boxes (layout-checks.ts); screenshots go to test-artifacts/.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { hiddenUnder, inView, layoutProblems, loadedWidth } from './layout-checks.js';
import {
  api,
  chooseJpegDamage,
  languages,
  openScreen,
  page,
  prepareBuildings,
  runCard,
  setLanguage,
  shot,
  sizes,
  trainingForm,
  typeInto,
  useStudio,
  words,
  work,
} from './studio-e2e.js';

useStudio('matrix', sizes[0], prepareBuildings);

/** Enough that the run still trains when the last cell is looked at; it is stopped after them. */
const iterations = 4000;
const runName = 'Buildings run';
const cancelledOutput = () => path.join(work, 'out-cancelled');

describe('a run from the fine-tuned model', () => {
  it('trains on what was typed; Start waits while the run trains and says why; the status bar shows the run', async () => {
    await api('library.addFolder', { path: path.join(work, 'LR') });
    await chooseJpegDamage();
    await expect.poll(() => page.getByTestId('python-ok').count(), { timeout: 90_000 }).toBe(1);
    const form = trainingForm();
    await typeInto(form.getByLabel('JPEG quality'), ['Control+A'], '30');
    await typeInto(form.getByLabel('Kept aside for measuring (%)'), ['Control+A'], '20');
    await typeInto(form.getByLabel('Iterations'), ['Control+A'], String(iterations));
    await form.getByLabel('Photos folder').fill(path.join(work, 'Buildings', 'HR'));
    await form.getByLabel('Photos folder').press('Enter');
    await expect.poll(() => page.getByTestId('scan-summary').textContent(), { timeout: 60_000 }).toMatch(/^12 usable photos/);
    await form.getByLabel('Base model').selectOption('tiny-ctmsr-ft7');
    await form.getByLabel('Name of the new model (optional)').fill(runName);
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/training.start'));
    await form.getByRole('button', { name: 'Start training' }).click();
    const request = JSON.parse((await sent).postData() ?? '{}') as { source: { jpegQuality: number }; heldOutShare: number; iterations: number; baseModelId: string };
    expect(request).toMatchObject({ source: { jpegQuality: 30 }, heldOutShare: 0.2, iterations, baseModelId: 'tiny-ctmsr-ft7' });

    await expect.poll(() => runCard().getAttribute('data-state'), { timeout: 60_000 }).toMatch(/queued|running/);
    const start = form.getByRole('button', { name: 'Start training' });
    expect(await start.isDisabled()).toBe(true);
    expect(await form.getByTestId('start-blocked').textContent()).toBe(words.en.blocked(runName));
    expect(await runCard().getByRole('button', { name: 'Remove' }).count()).toBe(0);
    await expect.poll(() => page.getByTestId('status-training').textContent(), { timeout: 60_000 }).toMatch(words.en.status(runName, iterations));

    // a batch of the same folder, cancelled at once: what the queue cards are looked at with
    const batch = await api<{ id: number }>('queue.enqueue', { paths: [path.join(work, 'LR')], settings: { modelId: 'tiny-ctmsr' }, output: { folder: cancelledOutput() } });
    await api('queue.cancel', { batchId: batch.id });
  }, 200_000);

  it('shows the preview large enough to see, enlarges it, and draws the loss over iterations', async () => {
    const card = runCard();
    const preview = card.getByRole('button', { name: /^Enlarge the preview/ });
    await preview.waitFor({ timeout: 200_000 });
    const image = card.locator('.run-preview img');
    await expect.poll(() => loadedWidth(image), { timeout: 30_000 }).toBeGreaterThan(0);
    // four tiles side by side: each at least 160 px wide on a 1600 px window
    expect((await image.boundingBox())!.width / 4).toBeGreaterThanOrEqual(160);
    await preview.click();
    const dialog = page.getByRole('dialog', { name: /^Preview of/ });
    await dialog.waitFor();
    const big = dialog.locator('img');
    const natural = await loadedWidth(big);
    expect((await big.boundingBox())!.width).toBeGreaterThanOrEqual(Math.min(natural * 2, 1500));
    await shot('training-preview-enlarged');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    const chart = card.getByRole('img', { name: /^Loss chart/ });
    const axis = await chart.locator('.axis-x').allTextContents();
    expect(axis[0]).toBe('0');
    expect(axis.at(-1)).toBe(iterations.toLocaleString('en-US'));
    expect(await card.locator('.loss-chart figcaption').textContent()).toContain('Iteration');
    expect(await card.getAttribute('data-state')).toBe('running');
  }, 400_000);
});

describe.each(languages)('every screen in %s', (language) => {
  const say = words[language];
  beforeAll(() => setLanguage(language));

  describe.each(sizes)('at $width×$height', (size) => {
    const name = `${language}-${size.width}`;
    beforeAll(() => page.setViewportSize(size));

    it('breaks no screen name in the sidebar mid-word (item 18)', async () => {
      expect(await layoutProblems(page.locator('.activity-bar'))).toEqual([]);
    });

    it('fits the model cards: score tables, crops and text (item 11)', async () => {
      await openScreen('models');
      const cards = page.locator('.model-card');
      await expect.poll(() => cards.count()).toBeGreaterThan(1);
      await page.locator('.model-sample img').first().waitFor();
      for (const card of await cards.all()) expect(await layoutProblems(card), (await card.getAttribute('data-model-id')) ?? '').toEqual([]);
      await shot(`models-${name}`);
    });

    it('refuses to remove the model the run trains from, saying why inside its card (item 10)', async () => {
      await openScreen('models');
      const card = page.locator('.model-card[data-model-id="tiny-ctmsr-ft7"]');
      await card.locator('.actions button').last().click();
      await card.locator('.confirm .danger').click();
      // main's own answer (models.remove → in-use), not one the test made up, in the UI's language
      await expect.poll(() => card.getByRole('alert').textContent()).toMatch(say.inUse('tiny-ctmsr-ft7', 'Buildings run'));
      expect(await page.locator('.notices [role="alert"], .notices [role="status"]').filter({ hasText: 'tiny-ctmsr-ft7' }).count()).toBe(0);
      expect(await layoutProblems(card)).toEqual([]);
      expect((await api<{ manifest: { id: string } }[]>('models.list')).map((m) => m.manifest.id)).toContain('tiny-ctmsr-ft7');
    });

    it('says why Start waits while the run trains, beside Start, and fits the form (items 13, 18)', async () => {
      await openScreen('training');
      const form = trainingForm();
      for (const length of ['quick', 'standard', 'long']) {
        await form.locator('select:has(option[value="quick"])').selectOption(length);
        expect(await layoutProblems(form)).toEqual([]);
      }
      const start = form.getByRole('button', { name: say.start });
      expect(await start.isDisabled()).toBe(true);
      const why = form.getByTestId('start-blocked');
      // the screen draws before its list of runs arrives, and says "choose a folder" until then
      await expect.poll(() => why.textContent()).toBe(say.blocked(runName));
      // whoever sees Start sees why it waits: in view with it, right under or beside it
      await start.scrollIntoViewIfNeeded();
      expect(await inView(why)).toBe(true);
      const [startBox, whyBox] = [(await start.boundingBox())!, (await why.boundingBox())!];
      expect(Math.abs(whyBox.y - (startBox.y + startBox.height)) < 16 || Math.abs(whyBox.y - startBox.y) < 16).toBe(true);
      await shot(`training-${name}`);

      // a refused number, in this language, right under its field and fitting the form (item 9)
      const heldOut = form.locator('.number-input').last();
      expect(await typeInto(heldOut, ['Control+A'], '3')).toBe('3');
      const error = form.locator('.field-error');
      expect(await error.textContent()).toBe(say.range);
      const [fieldBox, errorBox] = [await heldOut.boundingBox(), await error.boundingBox()];
      expect(errorBox!.y - (fieldBox!.y + fieldBox!.height)).toBeLessThan(8);
      expect(await layoutProblems(form)).toEqual([]);
      expect(await typeInto(heldOut, ['Control+A'], '10')).toBe('10');

      // more iterations than the API takes, refused with the limit beside the field (item 9)
      await form.locator('select:has(option[value="quick"])').selectOption('custom');
      const count = form.getByLabel(language === 'en' ? 'Iterations' : 'Iterationen');
      expect(await typeInto(count, ['Control+A'], '100000')).toBe('100000');
      const tooMany = form.getByRole('alert').filter({ hasText: say.tooManyIterations });
      const [countBox, tooManyBox] = [await count.boundingBox(), await tooMany.boundingBox()];
      expect(tooManyBox!.y - (countBox!.y + countBox!.height)).toBeLessThan(8);
      expect(await layoutProblems(form)).toEqual([]);
      expect(await typeInto(count, ['Control+A'], '1000')).toBe('1000');
      await tooMany.waitFor({ state: 'detached' });
    });

    it('shows the training run in the status bar, its preview large enough and enlarged in a dialog, the loss over iterations (item 17)', async () => {
      await openScreen('training');
      const card = runCard();
      expect(await card.getAttribute('data-state')).toBe('running');
      await expect.poll(() => page.getByTestId('status-training').textContent()).toMatch(say.status(runName, iterations));
      expect(await layoutProblems(card)).toEqual([]);

      const preview = card.getByRole('button', { name: say.enlarge });
      const image = card.locator('.run-preview img');
      await expect.poll(() => loadedWidth(image)).toBeGreaterThan(0);
      // as wide as its card lets it be, and each of the four tiles at least 160 px where the window has room
      const [imageBox, cardBox] = [(await image.boundingBox())!, (await card.boundingBox())!];
      expect(imageBox.width).toBeGreaterThanOrEqual(cardBox.width - 40);
      if (size.width >= 1600) expect(imageBox.width / 4).toBeGreaterThanOrEqual(160);
      await preview.click();
      const dialog = page.getByRole('dialog', { name: say.previewDialog });
      await dialog.waitFor();
      const big = dialog.locator('img');
      expect((await big.boundingBox())!.width).toBeGreaterThanOrEqual(Math.min((await loadedWidth(big)) * 2, size.width - 100));
      await shot(`training-preview-${name}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      const chart = card.getByRole('img', { name: /^(Loss chart|Verlust-Diagramm)/ });
      const axis = await chart.locator('.axis-x').allTextContents();
      // the axis counts iterations as the language writes numbers (4,000 / 4.000)
      expect([axis[0], axis.at(-1)]).toEqual(['0', iterations.toLocaleString(language === 'en' ? 'en-US' : 'de-DE')]);
      expect(await card.locator('.loss-chart figcaption').textContent()).toMatch(say.lossLegend);
    });

    it('fits the queue cards, each saying its model and output; the cancelled one offers Retry all (item 16)', async () => {
      await openScreen('queue');
      const cards = page.locator('.batch-card');
      await expect.poll(() => cards.count()).toBeGreaterThan(0);
      for (const card of await cards.all()) {
        expect(await card.getByTestId('batch-where').count()).toBe(1);
        expect(await layoutProblems(card)).toEqual([]);
      }
      const cancelled = page.locator('.batch-card[data-status="cancelled"]');
      // the model's name once the model list is in (its id until then)
      await expect.poll(() => cancelled.getByTestId('batch-where').textContent()).toBe(`CTMSR-S ×4 (real-world photos) → ${cancelledOutput()}`);
      expect(await inView(cancelled.getByRole('button', { name: say.retryAll }))).toBe(true);
      await shot(`queue-${name}`);
    });

    it('keeps every control of the batch panel clear of its Start bar, and the reason Start waits in view (item 18)', async () => {
      await openScreen('library');
      await page.locator('.grid-cell[data-name="photo-1.png"]').click({ timeout: 60_000 });
      await page.getByRole('button', { name: say.enhance }).click();
      const panel = page.locator('form.batch-panel');
      await panel.waitFor();
      const reasons = panel.locator('.problems li');
      await reasons.first().waitFor();
      expect(await inView(reasons.first())).toBe(true);
      expect(await hiddenUnder(panel, '.batch-panel-footer')).toEqual([]);
      expect(await layoutProblems(panel)).toEqual([]);
      await shot(`batch-${name}`);
      await panel.getByRole('button', { name: say.close }).click();
    });
  });
});

describe('training runs (item 12)', () => {
  it('removes a run that does not train, after asking, with its folder; a refusal stays in its card', async () => {
    await setLanguage('en');
    await page.setViewportSize(sizes[0]);
    await openScreen('training');
    const card = page.getByRole('article', { name: runName });
    await card.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 120_000 }).toMatch(/stopped|done/);
    const [run] = await api<{ name: string; runDir: string }[]>('training.runs');
    await access(run.runDir);

    const message = 'Buildings run is running; stop it first, then remove it.';
    await page.route('**/api/training.remove', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: false, error: { code: 'conflict', message } }) }));
    await card.getByRole('button', { name: 'Remove' }).click();
    const question = card.getByRole('group', { name: /^Remove the run “Buildings run”\? Its folder is deleted: checkpoints and previews\./ });
    await question.getByRole('button', { name: 'Keep it' }).click();
    await question.waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Remove' }).click();
    await question.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toBe(message);
    expect(await page.locator('.notices').getByText(message).count()).toBe(0);
    expect(await layoutProblems(card)).toEqual([]);
    await page.unroute('**/api/training.remove');

    await setLanguage('de');
    await card.getByRole('button', { name: 'Entfernen' }).click();
    await card.getByRole('group', { name: /^Den Lauf „Buildings run“ entfernen\?/ }).getByRole('button', { name: 'Entfernen' }).click();
    await card.waitFor({ state: 'detached' });
    expect(await api<unknown[]>('training.runs')).toEqual([]);
    await expect(access(run.runDir)).rejects.toThrow();
    // with its run gone the fine-tuned model is free to go
    await api('models.remove', { id: 'tiny-ctmsr-ft7' });
    await setLanguage('en');
  }, 200_000);
});
