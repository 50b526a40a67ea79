/**
 * What a photographer sees, screen by screen, at 1600×1000 and 1024×700, in English and German (issue 22, items
 * 9–19): the real UI in Debian's Chromium over `npm run serve`, with the trainer's tiny test network training for
 * real. Layout is checked through bounding boxes (layout-checks.ts); screenshots go to test-artifacts/.
 */
import { access, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxCustomIterations } from '../../../shared/training/types.js';
import { makePairsFolder } from '../../testing/pairs.js';
import { testPython, writeTestModel } from '../../testing/test-models.js';
import { hiddenUnder, inView, layoutProblems, loadedWidth } from './layout-checks.js';
import { writeLandscape } from '../../testing/photos.js';
import { launchPage, repoRoot, startServe, type ServeProcess } from './serve-process.js';

const artifacts = path.join(repoRoot, 'test-artifacts');
const sizes = [
  { width: 1600, height: 1000 },
  { width: 1024, height: 700 },
] as const;
const languages = ['en', 'de'] as const;
type Language = (typeof languages)[number];

/** The few words the tests look for, in both languages. */
const words = {
  en: { start: 'Start training', enhance: /^Enhance \d+ images?…$/, range: 'Enter a number from 5 to 50.' },
  de: { start: 'Training starten', enhance: /^\d+ Bild(er)? verbessern…$/, range: 'Geben Sie eine Zahl von 5 bis 50 ein.' },
};

let work: string;
let server: ServeProcess;
let browser: Browser;
let page: Page;

const screens = ['library', 'queue', 'models', 'training', 'settings'] as const;
async function openScreen(name: (typeof screens)[number]): Promise<void> {
  await page.locator('.activity-bar .activity').nth(screens.indexOf(name)).click();
}

async function api<T>(method: string, payload: unknown = {}): Promise<T> {
  const response = await fetch(`${server.base}api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Studio-Token': server.token }, body: JSON.stringify(payload) });
  const body = (await response.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.result as T;
}

async function setLanguage(language: Language): Promise<void> {
  await api('settings.update', { language });
  await page.waitForFunction((lang: string) => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === lang, language);
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `screens-${name}.png`) });
}

/** HR-only photos made worse by JPEG alone: the choice the number fields are typed into. */
async function chooseJpegDamage(): Promise<void> {
  await openScreen('training');
  const form = trainingForm();
  await form.getByRole('radio', { name: /^High-resolution photos only/ }).check();
  await form.getByLabel('Make the low-resolution pictures with').selectOption('jpeg');
  await form.getByLabel('Length').selectOption('custom');
}

/** Types into a number field after pressing `keys`, then leaves it as a user does; what the field holds then. */
async function typeInto(field: Locator, keys: string[], text: string): Promise<string> {
  await field.click();
  for (const key of keys) await page.keyboard.press(key);
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
  return field.inputValue();
}

const trainingForm = () => page.locator('form.new-run');
const runCard = () => page.locator('.run-card').first();

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ctmsr-e2e-screens-'));
  await mkdir(artifacts, { recursive: true });
  await makePairsFolder(path.join(work, 'Buildings'), { count: 12, width: 160, height: 160 });
  await Promise.all(Array.from({ length: 4 }, (_, i) => writeLandscape(path.join(work, 'LR', `photo-${i + 1}.png`), 320, 240, i + 1)));
  const models = path.join(work, 'models');
  writeTestModel('ctmsr', path.join(models, 'tiny-ctmsr.onnx'), { checkpoint: true });
  // named as the shipped default is, so that names are as long as the ones users see
  const tiny = path.join(models, 'tiny-ctmsr.json');
  await writeFile(tiny, JSON.stringify({ ...JSON.parse(await readFile(tiny, 'utf8')), name: 'CTMSR-S ×4 (real-world photos)' }));
  // A fine-tuned model as the app registers one at the end of a run (training-service.ts, register).
  const data = path.join(work, 'data');
  await mkdir(path.join(data, 'models'), { recursive: true });
  await copyFile(path.join(models, 'tiny-ctmsr.onnx'), path.join(data, 'models', 'tiny-ctmsr-ft7.onnx'));
  const base = JSON.parse(await readFile(path.join(models, 'tiny-ctmsr.json'), 'utf8')) as { name: string };
  await writeFile(
    path.join(data, 'models', 'tiny-ctmsr-ft7.json'),
    JSON.stringify({
      ...base,
      id: 'tiny-ctmsr-ft7',
      name: 'Buildings',
      createdBy: 'fine-tuned',
      description: `Fine-tuned from ${base.name} on 23 photos of ${work}/Buildings/HR.`,
      trainedOn: `26 photos of ${work}/Buildings/HR with JPEG quality 30 ×4 (fine-tuned in the app)`,
      metrics: { 'held-out': { psnr: 21.93, ssim: 0.61, lpips: 0.363 } },
      training: {
        fineTune: {
          runId: 7,
          base: { id: 'tiny-ctmsr', name: base.name, heldOut: { psnr: 21.82, ssim: 0.6, lpips: 0.418 } },
          source: { kind: 'hr', folder: `${work}/Buildings/HR`, degradation: 'jpeg', jpegQuality: 30, scale: 4 },
          trainPairs: 23,
          heldOutPairs: 3,
          iterations: 300,
          stages: 'supervised',
          device: 'CPU',
        },
      },
    }),
  );

  // the shipped default says its kind in plain words (the fine-tuned copy above has none)
  await writeFile(tiny, JSON.stringify({ ...JSON.parse(await readFile(tiny, 'utf8')), style: 'faithful' }));

  const rendererDir = path.join(work, 'renderer');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  process.env.CTMSR_PYTHON = testPython;
  server = await startServe(['--data-dir', data, '--models-dir', models, '--renderer-dir', rendererDir]);
  await api('library.addFolder', { path: path.join(work, 'LR') });
  ({ browser, page } = await launchPage(sizes[0]));
  await page.goto(server.launchUrl);
  await page.locator('.activity-bar').waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

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
    // the API refuses more than maxCustomIterations: the form says so beside the field, before Start
    const iterations = form.getByLabel('Iterations');
    expect(await typeInto(iterations, ['Control+A'], '100000')).toBe('100000');
    const tooMany = form.getByRole('alert').filter({ hasText: `Enter a number from 1 to ${maxCustomIterations}.` });
    await tooMany.waitFor();
    const [countBox, tooManyBox] = [await iterations.boundingBox(), await tooMany.boundingBox()];
    expect(tooManyBox!.y - (countBox!.y + countBox!.height)).toBeLessThan(8);
    expect(await typeInto(iterations, ['Control+A'], '400')).toBe('400');
    await tooMany.waitFor({ state: 'detached' });

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

    await openScreen('settings');
    const memory = page.getByLabel('Memory budget (MB)');
    expect(await typeInto(memory, ['Control+A'], '100')).toBe('100');
    await page.getByRole('alert').filter({ hasText: 'Enter a number from 256 to 262144.' }).waitFor();
    expect((await api<{ memoryBudgetMB: number }>('settings.get')).memoryBudgetMB).toBe(2048);
    expect(await typeInto(memory, ['Control+A'], '3000')).toBe('3000');
    await expect.poll(async () => (await api<{ memoryBudgetMB: number }>('settings.get')).memoryBudgetMB).toBe(3000);
  });
});

describe('training (items 13, 17)', () => {
  it('trains on what was typed; Start waits while the run trains and says why; the status bar shows the run', async () => {
    await chooseJpegDamage();
    await expect.poll(() => page.getByTestId('python-ok').count(), { timeout: 90_000 }).toBe(1);
    const form = trainingForm();
    await typeInto(form.getByLabel('JPEG quality'), ['Control+A'], '30');
    await typeInto(form.getByLabel('Kept aside for measuring (%)'), ['Control+A'], '20');
    await typeInto(form.getByLabel('Iterations'), ['Control+A'], '400');
    await form.getByLabel('Photos folder').fill(path.join(work, 'Buildings', 'HR'));
    await form.getByLabel('Photos folder').press('Enter');
    await expect.poll(() => page.getByTestId('scan-summary').textContent(), { timeout: 60_000 }).toMatch(/^12 usable photos/);
    await form.getByLabel('Name of the new model (optional)').fill('Buildings run');
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/training.start'));
    await form.getByRole('button', { name: 'Start training' }).click();
    const request = JSON.parse((await sent).postData() ?? '{}') as { source: { jpegQuality: number }; heldOutShare: number; iterations: number };
    expect(request).toMatchObject({ source: { jpegQuality: 30 }, heldOutShare: 0.2, iterations: 400 });

    await expect.poll(() => runCard().getAttribute('data-state'), { timeout: 60_000 }).toMatch(/queued|running/);
    const start = form.getByRole('button', { name: 'Start training' });
    expect(await start.isDisabled()).toBe(true);
    expect(await form.getByTestId('start-blocked').textContent()).toBe('“Buildings run” is training: start the next run when it has finished, or stop it.');
    expect(await runCard().getByRole('button', { name: 'Remove' }).count()).toBe(0);
    await expect.poll(() => page.getByTestId('status-training').textContent(), { timeout: 60_000 }).toMatch(/^Training “Buildings run”: iteration \d+ of 400/);
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
    expect(axis.at(-1)).toBe('400');
    expect(await card.locator('.loss-chart figcaption').textContent()).toContain('Iteration');
    // the rest runs without the trainer taking the CPU
    await card.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 120_000 }).toMatch(/stopped|done/);
  }, 400_000);
});

describe('models (items 10, 11)', () => {
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

  it('shows why a model cannot be removed in its card', async () => {
    const message = 'Buildings run trains on tiny-ctmsr as its base. Stop or remove that run first.';
    await page.route('**/api/models.remove', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: false, error: { code: 'invalid-settings', message } }) }));
    await openScreen('models');
    const card = page.locator('.model-card[data-model-id="tiny-ctmsr-ft7"]');
    await card.getByRole('button', { name: 'Remove' }).click();
    await card.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toBe(message);
    expect(await page.locator('.notices').getByText(message).count()).toBe(0);
    await page.unroute('**/api/models.remove');
  });
});

describe('queue (item 16)', () => {
  it('tells two batches of the same folder apart by model and output, and retries a cancelled batch in one click', async () => {
    const lr = path.join(work, 'LR');
    const outA = path.join(work, 'out-a');
    const outB = path.join(work, 'out-b');
    const request = (folder: string) => ({ paths: [lr], settings: { modelId: 'tiny-ctmsr' }, output: { folder } });
    await api('queue.pause', { batchId: (await api<{ id: number }>('queue.enqueue', request(outA))).id });
    const b = await api<{ id: number }>('queue.enqueue', request(outB));
    await api('queue.cancel', { batchId: b.id });
    await openScreen('queue');
    const cards = page.locator('.batch-card');
    await expect.poll(() => cards.count()).toBe(2);
    const lines = () => cards.locator('[data-testid="batch-where"]').allTextContents();
    await expect.poll(lines).toEqual([`CTMSR-S ×4 (real-world photos) → ${outB}`, `CTMSR-S ×4 (real-world photos) → ${outA}`]);
    const cancelled = cards.first();
    await expect.poll(() => cancelled.getAttribute('data-status')).toBe('cancelled');
    await cancelled.getByRole('button', { name: 'Retry all' }).click();
    await expect.poll(() => cancelled.getAttribute('data-status'), { timeout: 120_000 }).toBe('done');
  }, 200_000);
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
  });
});

describe('settings (items 14, 19)', () => {
  it('keeps a refused interpreter beside its field with why, and says which Python trains meanwhile', async () => {
    await openScreen('settings');
    const field = page.getByLabel('Python interpreter with PyTorch');
    const inUse = page.getByTestId('python-in-use');
    await expect.poll(() => inUse.textContent(), { timeout: 60_000 }).toMatch(/^Training uses \/\S+\.$/);
    const python = /^Training uses (\S+)\.$/.exec((await inUse.textContent())!)![1];
    expect(await field.getAttribute('placeholder')).toBe(`Automatic: ${python}`);
    await field.fill('/bin/sh');
    await field.press('Enter');
    const refusal = page.locator('.settings .field-error');
    await expect.poll(() => refusal.textContent(), { timeout: 60_000 }).toMatch(/^\/bin\/sh: it is not a Python interpreter \(.*sh was not run\)/); // named, never run: no shell error
    // not a passing message: still there a while later, beside the value it refuses
    await page.waitForTimeout(6000);
    expect(await refusal.isVisible()).toBe(true);
    expect(await field.inputValue()).toBe('/bin/sh');
    expect(await inUse.textContent()).toBe(`Training uses ${python}.`);
    expect((await api<{ pythonPath: string }>('settings.get')).pythonPath).toBe('');
    await field.fill('');
    await field.press('Enter');
    await refusal.waitFor({ state: 'detached' });
  }, 120_000);

  it('says nothing alarming about CUDA on a computer without an NVIDIA GPU', async () => {
    const status = await api<{ devices: unknown[]; lastChoice: { fallbackReason?: string } | null }>('engine.status');
    expect(status.devices, 'this check needs a computer without an NVIDIA GPU').toEqual([]);
    expect(status.lastChoice?.fallbackReason, 'the engine fell back to the CPU from the automatic choice').toBeDefined();
    await openScreen('settings');
    const line = page.getByTestId('last-run');
    await expect.poll(() => line.textContent()).toBe('Last run used CPU.');
    expect(await line.getAttribute('class')).not.toContain('error-text');
  });
});

describe.each(languages)('every screen in %s', (language) => {
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

    it('shows a refused removal inside the model card, fitting it (item 10)', async () => {
      const message = 'Buildings run trains on Buildings as its base model: stop or remove that run first, then remove the model.';
      await page.route('**/api/models.remove', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: false, error: { code: 'invalid-settings', message } }) }));
      await openScreen('models');
      const card = page.locator('.model-card[data-model-id="tiny-ctmsr-ft7"]');
      await card.locator('.actions button').last().click();
      await card.locator('.confirm .danger').click();
      await expect.poll(() => card.getByRole('alert').textContent()).toBe(message);
      expect(await layoutProblems(card)).toEqual([]);
      await page.unroute('**/api/models.remove');
    });

    it('fits the training form and the run, and says why Start waits (items 13, 17, 18)', async () => {
      await openScreen('training');
      const form = trainingForm();
      for (const length of ['quick', 'standard', 'long']) {
        await form.locator('select:has(option[value="quick"])').selectOption(length);
        expect(await layoutProblems(form)).toEqual([]);
      }
      expect(await layoutProblems(runCard())).toEqual([]);
      await form.locator('.path-field input').first().fill('');
      await form.locator('.path-field input').first().press('Enter');
      const start = form.getByRole('button', { name: words[language].start });
      expect(await start.isDisabled()).toBe(true);
      // whoever sees Start sees why it waits
      await start.scrollIntoViewIfNeeded();
      expect(await inView(form.getByTestId('start-blocked'))).toBe(true);
      const legend = await runCard().locator('.loss-chart figcaption').textContent();
      if (language === 'de') expect(legend).toMatch(/Iteration.*gesamt/);
      await shot(`training-${name}`);

      // a refused number, in this language, right under its field and fitting the form (item 9)
      const heldOut = form.locator('.number-input').last();
      expect(await typeInto(heldOut, ['Control+A'], '3')).toBe('3');
      const error = form.locator('.field-error');
      expect(await error.textContent()).toBe(words[language].range);
      const [fieldBox, errorBox] = [await heldOut.boundingBox(), await error.boundingBox()];
      expect(errorBox!.y - (fieldBox!.y + fieldBox!.height)).toBeLessThan(8);
      expect(await layoutProblems(form)).toEqual([]);
      expect(await typeInto(heldOut, ['Control+A'], '10')).toBe('10');
    });

    it('fits the queue cards, each saying its model and output (item 16)', async () => {
      await openScreen('queue');
      for (const card of await page.locator('.batch-card').all()) {
        expect(await card.getByTestId('batch-where').count()).toBe(1);
        expect(await layoutProblems(card)).toEqual([]);
      }
      await shot(`queue-${name}`);
    });

    it('keeps every control of the batch panel clear of its Start bar, and the reason Start waits in view (item 18)', async () => {
      await openScreen('library');
      await page.locator('.grid-cell[data-name="photo-1.png"]').click({ timeout: 60_000 });
      await page.getByRole('button', { name: words[language].enhance }).click();
      const panel = page.locator('form.batch-panel');
      await panel.waitFor();
      const reasons = panel.locator('.problems li');
      await reasons.first().waitFor();
      expect(await inView(reasons.first())).toBe(true);
      expect(await hiddenUnder(panel, '.batch-panel-footer')).toEqual([]);
      expect(await layoutProblems(panel)).toEqual([]);
      await shot(`batch-${name}`);
      await panel.getByRole('button', { name: language === 'en' ? 'Close' : 'Schließen' }).click();
    });
  });
});

describe('training runs (item 12)', () => {
  it('removes a run that does not train, after asking, with its folder; a refusal stays in its card', async () => {
    await setLanguage('en');
    await page.setViewportSize(sizes[0]);
    await openScreen('training');
    const card = page.getByRole('article', { name: 'Buildings run' });
    expect(await card.getAttribute('data-state')).toMatch(/stopped|done/);
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
    await setLanguage('en');
  });
});
