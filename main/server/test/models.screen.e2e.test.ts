/**
 * The Models screen (issue 22, items 10 and 11; issue 21; issue 15): each model as a crop the engine made and kept,
 * its kind and lineage in plain words of the UI's language, an import with its scores beside bicubic, and a Remove
 * that asks first. The real UI in Debian's Chromium over `npm run serve`. Removal refused while a run trains from the
 * model is in layout.matrix.e2e.test.ts, with a real run.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadedWidth } from './layout-checks.js';
import { api, artifacts, batchPanel, fillOutput, navigate, openScreen, page, prepareBuildings, setLanguage, sizes, startBatch, trainingForm, typeInto, useStudio, work, writeLineageModel } from './studio-e2e.js';

useStudio('models', sizes[0], async (work) => {
  await writeLineageModel(work);
  return prepareBuildings(work);
});

describe('model cards (items 10, 11)', () => {
  it('shows each model as a crop, bicubic beside the model, made by the engine and kept', async () => {
    await openScreen('models');
    for (const id of ['tiny-ctmsr', 'tiny-ctmsr-ft7']) {
      const crop = page.locator(`.model-card[data-model-id="${id}"] .model-sample`);
      await expect.poll(async () => Promise.all((await crop.locator('img').all()).map(loadedWidth)), { timeout: 120_000 }).toEqual([192, 192]);
      expect(await crop.locator('figcaption').allTextContents()).toEqual(['Bicubic', 'This model']);
    }
    // kept: asked again, nothing in the cache is made anew
    const cache = path.join(work, 'data', 'model-samples');
    const stamps = async () => Promise.all((await readdir(cache)).sort().map(async (f) => [f, (await stat(path.join(cache, f))).mtimeMs]));
    const before = await stamps();
    expect(before.length).toBeGreaterThanOrEqual(3); // bicubic and the two models
    await api('models.sample', { id: 'tiny-ctmsr' });
    expect(await stamps()).toEqual(before);
  }, 300_000);

  it('says a model\'s kind in plain words, in its card and in the pickers (issue 21: Faithful / Detail)', async () => {
    await openScreen('models');
    expect(await page.locator('.model-card[data-model-id="tiny-ctmsr"] [data-testid="model-style"]').textContent()).toBe('Faithful: closest to the original');
    expect(await page.locator('.model-card[data-model-id="tiny-ctmsr-ft7"] [data-testid="model-style"]').count()).toBe(0);
    await openScreen('training');
    expect(await trainingForm().locator('option[value="tiny-ctmsr"]').textContent()).toBe('Faithful · CTMSR-S ×4 (real-world photos) · ×4');
    expect(await trainingForm().locator('option[value="tiny-ctmsr-ft7"]').textContent()).toBe('Buildings · ×4');
  });

  it('says each thing of a fine-tuned model once, in the UI language, with its base beside it', async () => {
    await openScreen('models');
    const card = page.locator('.model-card[data-model-id="tiny-ctmsr-ft7"]');
    const text = (await card.textContent()) ?? '';
    expect(text.match(/\b23\b/g)).toHaveLength(1);
    expect(text).not.toContain('26 photos');
    expect(text).not.toContain('In brackets');
    expect(text).not.toContain('standard test photos');
    expect(text).not.toMatch(/\([^)]*\(/);
    expect(await card.getByTestId('lineage').textContent()).toMatch(/^Fine-tuned from CTMSR-S ×4 \(real-world photos\) on 23 photos \(JPEG quality 30\), 3 kept aside to measure it; 300 iterations, Supervised\.$/);
    const rows = await card.locator('table.metrics tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^This model21\.93 dB/);
    expect(rows[1]).toMatch(/^Base model21\.82 dB/);

    await setLanguage('de');
    const german = (await card.textContent()) ?? '';
    expect(german).toMatch(/Nachtrainiert aus CTMSR-S ×4 \(real-world photos\) mit 23 Fotos \(JPEG-Qualität 30\)/);
    // the base model's name is a name; the rest is German
    expect(german.replaceAll('CTMSR-S ×4 (real-world photos)', '')).not.toMatch(/Fine-tuned|photos|held-out|pictures/);
    await setLanguage('en');
  });
});

describe('import and removal (issue 15)', () => {
  it('explains models in plain words and asks before removing one', async () => {
    // a batch has run on the CPU: the provider is known to work now
    await api('library.addFolder', { path: path.join(work, 'LR') });
    const batch = await api<{ id: number }>('queue.enqueue', { paths: [path.join(work, 'LR', 'photo-1.png')], settings: { modelId: 'tiny-ctmsr' }, output: { folder: path.join(work, 'out') } });
    await expect.poll(async () => (await api<{ id: number; status: string }[]>('queue.batches')).find((b) => b.id === batch.id)?.status, { timeout: 90_000 }).toBe('done');
    await navigate('Settings');
    const providers = page.getByRole('list', { name: 'Providers on this computer' });
    await expect.poll(() => providers.locator('li[data-state="ready"]').allTextContents()).toEqual(['CPU: available (a session started on it)']);

    await navigate('Models');
    await page.getByLabel('ONNX file').fill(path.join(work, 'downloads', 'lineage-x2.onnx'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const card = page.getByRole('article', { name: 'Lineage x2' });
    await card.waitFor({ timeout: 60_000 });
    // the lineage in short; the rest behind "How it was trained"
    expect(await card.locator('.trained-on').evaluate((el) => el.firstChild?.textContent)).toBe('T91 + BSDS500 (108 of them on the GPU) + ElementaryWallpapers');
    await expect.poll(() => card.getByText('How it was trained').count()).toBe(1);
    // scores with the plain enlargement under each and what they mean
    const row = card.getByRole('row', { name: /Set14/ });
    expect(await row.textContent()).toBe('Set1427.05 dBplain: 26.220.7330plain: 0.70870.2422plain: 0.3664');
    expect(await card.locator('caption').textContent()).toContain('a plain (bicubic) enlargement of the same photos');
    await page.screenshot({ path: path.join(artifacts, 'models-plain.png') });

    await card.getByRole('button', { name: 'Remove' }).click();
    await card.getByRole('button', { name: 'Keep it' }).click();
    expect(await card.count()).toBe(1);
    await card.getByRole('button', { name: 'Remove' }).click();
    await card.getByRole('group', { name: /^Remove “Lineage x2”\?/ }).getByRole('button', { name: 'Remove' }).click();
    await card.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Removed “Lineage x2”.' }).count()).toBe(1);
  });
});

describe("a model's own sampling steps", () => {
  it('says on the card of a model that takes two steps what that costs, in the UI language', async () => {
    await openScreen('models');
    const sampling = (id: string) => page.locator(`.model-card[data-model-id="${id}"] [data-testid="model-sampling"]`);
    expect(await sampling('tiny-ctmsr-ft7').textContent()).toBe('Takes 2 steps per image (about twice the time of a one-step model).');
    expect(await sampling('tiny-ctmsr').count()).toBe(0);
    await setLanguage('de');
    expect(await sampling('tiny-ctmsr-ft7').textContent()).toBe('Braucht 2 Schritte je Bild (etwa doppelt so lange wie ein Modell mit einem Schritt).');
    await setLanguage('en');
  });

  it("starts the batch panel's Steps at the chosen model's own count, keeps a typed one until the model changes, and sends none untyped", async () => {
    // the library may hold LR already (an earlier test adds it)
    await api('library.addFolder', { path: path.join(work, 'LR') }).catch(() => undefined);
    await navigate('Library');
    await page.getByRole('treeitem', { name: /^LR/ }).click();
    await page.getByRole('button', { name: 'Enhance folder…' }).click();
    const panel = batchPanel();
    const model = panel.getByLabel('Model', { exact: true });
    const steps = panel.getByLabel('Steps', { exact: true });
    const start = panel.getByRole('button', { name: 'Start batch' });
    await fillOutput(path.join(work, 'out-own-steps'));
    await model.selectOption('tiny-ctmsr');
    await expect.poll(() => steps.inputValue()).toBe('1');
    await model.selectOption('tiny-ctmsr-ft7');
    await expect.poll(() => steps.inputValue()).toBe('2');
    expect(await typeInto(steps, ['Control+A'], '3')).toBe('3');
    await model.selectOption('tiny-ctmsr');
    await expect.poll(() => steps.inputValue()).toBe('1');
    await model.selectOption('tiny-ctmsr-ft7');
    await expect.poll(() => steps.inputValue()).toBe('2');

    // a refused count is kept as typed, with the reason beside it, until another model's own count replaces it
    expect(await typeInto(steps, ['Control+A'], '9')).toBe('9');
    await expect.poll(() => panel.getByRole('alert').allTextContents()).toEqual(['Enter a number from 1 to 8.']);
    expect(await start.isDisabled()).toBe(true);
    await model.selectOption('tiny-ctmsr');
    await expect.poll(() => steps.inputValue()).toBe('1');
    expect(await panel.getByRole('alert').count()).toBe(0);
    await expect.poll(() => start.isEnabled()).toBe(true);

    await model.selectOption('tiny-ctmsr-ft7');
    await panel.getByLabel('Preset name').fill('Own steps');
    await panel.getByRole('button', { name: 'Save as preset' }).click();
    await expect.poll(async () => (await api<{ name: string; settings: object }[]>('queue.presets')).find((p) => p.name === 'Own steps')?.settings).toMatchObject({ modelId: 'tiny-ctmsr-ft7' });
    expect((await api<{ name: string; settings: object }[]>('queue.presets')).find((p) => p.name === 'Own steps')!.settings).not.toHaveProperty('steps');
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/queue.enqueue'));
    await startBatch();
    const request = JSON.parse((await sent).postData() ?? '{}') as { settings: object };
    expect(request.settings).toMatchObject({ modelId: 'tiny-ctmsr-ft7' });
    expect(request.settings).not.toHaveProperty('steps');
  });
});
