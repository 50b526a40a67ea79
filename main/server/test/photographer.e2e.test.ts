/**
 * End to end, the way a photographer meets the app (issue 15): settings that stick across a
 * reload, a queue whose states and numbers are true on pause and cancel, a viewer that never shows
 * unprocessed pixels under a model's name, one output placement however a batch is started, RGB
 * photos that stay RGB, and a window that works from the keyboard and at 1024×700. The real UI in
 * headless Chromium through `npm run serve`, with real SQLite, ONNX Runtime and sharp.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestName } from '../../pipeline/output-manifest.js';
import { writeTestModel } from '../../testing/test-models.js';
import { writeLandscape } from '../../testing/photos.js';
import { launchPage, repoRoot, startServe, type ServeProcess } from './serve-process.js';

const artifacts = path.join(repoRoot, 'test-artifacts');
const modelName = 'Test ctmsr x4 (random weights, seed 0)';

let work: string;
let photos: string;
let server: ServeProcess;
let browser: Browser;
let page: Page;

/** A JPEG as cameras write them: EXIF with a make and model. */
async function makeCameraJpeg(file: string, seed: number): Promise<void> {
  await writeLandscape(file, 72, 54, seed);
  const pixels = await sharp(file).toBuffer();
  await sharp(pixels).withExif({ IFD0: { Make: 'CTMSR', Model: 'Test Camera' } }).jpeg({ quality: 90 }).toFile(file);
}

async function openScreen(name: 'Library' | 'Queue' | 'Models' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

const grid = () => page.getByRole('listbox', { name: 'Images' });
const batchPanel = () => page.getByRole('form', { name: 'New batch' });

async function showAllImages(): Promise<void> {
  await openScreen('Library');
  await page.getByRole('treeitem', { name: /All images/ }).click();
}

async function selectImages(...names: string[]): Promise<void> {
  await grid().locator(`[data-name="${names[0]}"]`).click();
  for (const name of names.slice(1)) await grid().locator(`[data-name="${name}"]`).click({ modifiers: ['Control'] });
}

async function selectNone(): Promise<void> {
  const button = page.getByRole('button', { name: 'Select none' });
  if (await button.isEnabled()) await button.click();
}

async function fillOutput(folder: string): Promise<void> {
  await batchPanel().getByLabel('Output folder').fill(folder);
}

async function startBatch(): Promise<void> {
  await batchPanel().getByRole('button', { name: 'Start batch' }).click();
  await page.getByRole('heading', { name: 'Queue', level: 2 }).waitFor();
}

/** The newest batch card (the queue lists newest first). */
const newestCard = () => page.locator('article.batch-card').first();

async function waitForStatus(status: string, timeout = 90_000): Promise<void> {
  await expect.poll(() => newestCard().getAttribute('data-status'), { timeout }).toBe(status);
}

/** The files below `dir`, relative and sorted; the hidden lists of outputs the app keeps are left out. */
async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  if (!existsSync(dir)) return found;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name !== manifestName) found.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return found.sort();
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ctmsr-e2e15-'));
  photos = path.join(work, 'Photos');
  await mkdir(artifacts, { recursive: true });
  await Promise.all([
    makeCameraJpeg(path.join(photos, 'real', 'bears.jpg'), 3),
    makeCameraJpeg(path.join(photos, 'real', 'cat1.jpeg'), 5),
    writeLandscape(path.join(photos, 'set14', 'baboon.png'), 64, 48, 7),
    writeLandscape(path.join(photos, 'set14', 'lenna.png'), 64, 48, 9),
    // large enough that a batch of them is still running when the test pauses it
    ...[1, 2, 3].map((i) => writeLandscape(path.join(photos, 'big', `big-${i}.png`), 480, 360, 20 + i)),
  ]);
  const models = path.join(work, 'models');
  writeTestModel('ctmsr', path.join(models, 'tiny-ctmsr.onnx'), { scale: 4 });
  // a model to import whose manifest carries a long lineage and scores with bicubic beside
  const lineage = path.join(work, 'downloads', 'lineage-x2.onnx');
  writeTestModel('feedforward', lineage, { scale: 2 });
  const manifestPath = lineage.replace(/\.onnx$/, '.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  await writeFile(
    manifestPath,
    JSON.stringify({
      ...manifest,
      name: 'Lineage x2',
      trainedOn: 'T91 + BSDS500 (108 of them on the GPU) + ElementaryWallpapers; Real-ESRGAN degradation, later a half clean (see training.lineage)',
      metrics: { Set14: { psnr: 27.05, ssim: 0.733, lpips: 0.2422, bicubic: { psnr: 26.22, ssim: 0.7087, lpips: 0.3664 } } },
    }),
  );
  await writeLandscape(path.join(work, 'Extra', 'extra.jpg'), 64, 48, 30);

  const rendererDir = path.join(work, 'renderer');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  server = await startServe(['--data-dir', path.join(work, 'data'), '--models-dir', models, '--renderer-dir', rendererDir]);
  ({ browser, page } = await launchPage({ width: 1280, height: 800 }));
  await page.goto(server.launchUrl);
  await page.getByLabel('Folder to add').fill(photos);
  await page.getByRole('button', { name: 'Add folder' }).click();
  await grid().locator('[data-name="big-3.png"]').waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the app as a photographer uses it', () => {
  it('keeps every setting when others change, across a reload', async () => {
    await openScreen('Settings');
    // nothing has run yet: no provider is called available before a session on it started
    const providers = page.getByRole('list', { name: 'Providers on this computer' });
    await expect.poll(() => providers.locator('li[data-state="ready"]').count()).toBe(0);
    expect(await providers.getByText(/^CPU/).locator('..').textContent()).toBe('CPU: not tried yet; the next preview or batch tries it');
    const threads = page.getByLabel('Threads', { exact: true });
    await threads.fill('2');
    await threads.press('Enter');
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('navigation', { name: 'Ansichten' }).waitFor();

    await page.reload();
    await page.getByRole('navigation', { name: 'Ansichten' }).waitFor();
    await page.getByRole('navigation', { name: 'Ansichten' }).getByRole('button', { name: 'Einstellungen' }).click();
    expect(await page.evaluate('[document.documentElement.lang, document.documentElement.dataset.theme]')).toEqual(['de', 'dark']);
    await expect.poll(() => page.getByLabel('Threads', { exact: true }).inputValue()).toBe('2');
    expect(await page.getByLabel('Farbschema').inputValue()).toBe('dark');

    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    await page.getByLabel('Theme').selectOption('light');
  });

  it('keeps the selection across a visit to the queue', async () => {
    await showAllImages();
    await selectImages('baboon.png', 'lenna.png');
    await expect.poll(() => page.getByText('7 images, 2 selected').count()).toBe(1);
    await openScreen('Queue');
    await openScreen('Library');
    await expect.poll(() => page.getByText('7 images, 2 selected').count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Enhance 2 images…' }).count()).toBe(1);
  });

  it('writes outputs to the same mirrored folders however the batch was started, and says where first', async () => {
    await showAllImages();
    await selectImages('bears.jpg', 'baboon.png');
    await page.getByRole('button', { name: 'Enhance 2 images…' }).click();
    const byImages = path.join(work, 'out-images');
    await fillOutput(byImages);
    const plan = batchPanel().getByRole('status', { name: /Files go to/ });
    await expect.poll(() => plan.textContent()).toContain(path.join(byImages, 'real'));
    expect(await plan.textContent()).toContain(path.join(byImages, 'set14'));
    await startBatch();
    await waitForStatus('done');
    expect(await files(byImages)).toEqual([path.join('real', 'bears_x4.jpg'), path.join('set14', 'baboon_x4.png')]);
    // a finished batch has nothing to estimate
    expect(await newestCard().getByTestId('batch-eta').count()).toBe(0);

    await openScreen('Library');
    await selectNone();
    await page.getByRole('treeitem', { name: /set14/ }).click();
    await page.getByRole('button', { name: 'Enhance folder…' }).click();
    const byFolder = path.join(work, 'out-folder');
    await fillOutput(byFolder);
    await expect.poll(() => plan.textContent()).toContain(path.join(byFolder, 'set14'));
    await startBatch();
    await waitForStatus('done');
    expect(await files(byFolder)).toEqual([path.join('set14', 'baboon_x4.png'), path.join('set14', 'lenna_x4.png')]);
  });

  it('keeps a JPEG with EXIF RGB when it is written as PNG', async () => {
    await showAllImages();
    await selectImages('cat1.jpeg');
    await page.getByRole('button', { name: 'Enhance 1 image…' }).click();
    const out = path.join(work, 'out-png');
    await fillOutput(out);
    await batchPanel().getByLabel('Format', { exact: true }).selectOption('png');
    await startBatch();
    await waitForStatus('done');
    const written = path.join(out, 'real', 'cat1_x4.png');
    const meta = await sharp(written).metadata();
    expect([meta.channels, meta.hasAlpha]).toEqual([3, false]);
    expect(meta.exif?.toString('latin1')).toContain('Test Camera');
    await openScreen('Library');
    await page.getByRole('button', { name: 'Enhance 1 image…' }).click();
    await batchPanel().getByLabel('Format', { exact: true }).selectOption('same');
    await batchPanel().getByRole('button', { name: 'Close' }).click();
  });

  it('tells the truth about a paused and a cancelled batch', async () => {
    await openScreen('Library');
    await selectNone();
    await page.getByRole('treeitem', { name: /big/ }).click();
    await page.getByRole('button', { name: 'Enhance folder…' }).click();
    await fillOutput(path.join(work, 'out-big'));
    await startBatch();
    const card = newestCard();
    await waitForStatus('running', 60_000);
    // every state text and percentage the card shows from the pause on
    await page.evaluate(`(() => {
      const seen = (window.pauseSeen = { status: [], progress: [] });
      const card = document.querySelector('article.batch-card');
      new MutationObserver(() => {
        const status = card.querySelector('[data-testid="batch-status"]').textContent;
        const progress = card.querySelector('[data-testid="batch-progress"]').textContent;
        if (seen.status.at(-1) !== status) seen.status.push(status);
        if (seen.progress.at(-1) !== progress) seen.progress.push(progress);
      }).observe(card, { subtree: true, childList: true, characterData: true });
    })()`);
    await card.getByRole('button', { name: 'Pause' }).click();
    await waitForStatus('paused', 60_000);
    const seen = (await page.evaluate('window.pauseSeen')) as { status: string[]; progress: string[] };
    // the click is answered at once, and the image in flight finishes: the bar never goes back
    expect(seen.status.filter((status) => status !== 'Running'), seen.status.join(' | ')).toEqual(['Pausing after this image…', 'Paused']);
    expect(seen.status.lastIndexOf('Running')).toBeLessThan(seen.status.indexOf('Pausing after this image…'));
    const percents = seen.progress.map((p) => Number(p.replace('%', '')));
    expect(percents, seen.progress.join(' | ')).toEqual([...percents].sort((a, b) => a - b));
    expect(await card.getByTestId('batch-counts').textContent()).toMatch(/^[1-2] of 3 done$/);
    // paused is not "nothing running": the status bar says which batch waits and how far it got
    await expect.poll(() => page.getByTestId('status-batch').textContent()).toMatch(/big: paused at \d+%$/);
    expect(await card.getByTestId('batch-eta').count()).toBe(0);

    await card.getByRole('button', { name: 'Cancel' }).click();
    await waitForStatus('cancelled');
    const done = Number(/^(\d) of 3 done/.exec((await card.getByTestId('batch-counts').textContent()) ?? '')?.[1]);
    expect(done).toBeLessThan(3);
    expect(await card.getByTestId('batch-counts').textContent()).toBe(`${done} of 3 done · ${3 - done} cancelled`);
    expect(await card.getByTestId('batch-progress').textContent()).toBe(`${Math.round((done / 3) * 100)}%`);
    expect(Number(await card.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeLessThan(100);
    // the rows follow without a reload: nothing still "Queued", no Cancel left to press
    const rows = page.locator('.items-table tbody tr');
    await expect.poll(() => rows.filter({ hasText: 'Queued' }).count()).toBe(0);
    expect(await rows.filter({ hasText: 'Cancelled' }).count()).toBe(3 - done);
    expect(await rows.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
    await expect.poll(() => page.getByTestId('status-batch').count()).toBe(0);
    await page.screenshot({ path: path.join(artifacts, 'queue-cancelled.png') });
  });

  it('never labels unprocessed pixels with a model: tiles with progress, on demand, and a stop', async () => {
    await showAllImages();
    await grid().locator('[data-name="big-1.png"]').dblclick();
    const viewer = page.getByRole('dialog', { name: 'Viewer: big-1.png' });
    await viewer.waitFor();
    const labels = () => viewer.locator('.pane-label').allTextContents();
    const patches = () => viewer.locator('.patch').count();
    const previewButton = viewer.getByRole('button', { name: 'Preview visible region' });
    await expect.poll(async () => (await labels()).length).toBe(2);
    // before any preview the "after" side is a plain upscale, and says so
    expect((await labels())[1]).toMatch(/^Not enhanced yet/);
    expect(await labels()).not.toContain(modelName);
    expect(await viewer.locator('.layer-base').evaluateAll((els) => els.map((e) => e.getAttribute('alt')))).toEqual(['Before', 'Plain upscale, not enhanced']);
    // "Compare with" does not offer the model already chosen
    expect(await viewer.getByLabel('Compare with').locator('option').allTextContents()).toEqual(['Nothing']);

    await page.evaluate(`(() => {
      const seen = (window.previewSeen = []);
      new MutationObserver(() => {
        const el = document.querySelector('.preview-progress span');
        if (el && !seen.includes(el.textContent)) seen.push(el.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    for (let i = 0; i < 4; i++) await viewer.getByRole('button', { name: 'Zoom in' }).click();
    await previewButton.click();
    await expect.poll(labels, { timeout: 90_000 }).toEqual(['Before', modelName]);
    await previewButton.waitFor();
    const zoomedTiles = await patches();
    expect(zoomedTiles).toBeGreaterThan(0);
    expect(zoomedTiles).toBeLessThan(12); // 480×360 is 4 × 3 tiles of 128 px; only the visible ones were made

    // zooming out exposes unprocessed areas: the label says how much is the model's, never just its name
    await viewer.getByRole('button', { name: 'Fit' }).click();
    await expect.poll(async () => (await labels())[1]).toMatch(new RegExp(`^${modelName.replace(/[()]/g, '\\$&')} on \\d+ % of the view; hatched parts are a plain upscale$`));
    await page.screenshot({ path: path.join(artifacts, 'viewer-partly-enhanced.png') });
    // preview again: only the newly exposed tiles are made, with progress per tile
    await previewButton.click();
    await expect.poll(labels, { timeout: 90_000 }).toEqual(['Before', modelName]);
    expect(await patches()).toBe(12);
    const seen = (await page.evaluate('window.previewSeen')) as string[];
    expect(seen, seen.join(' | ')).toContain(`Enhancing tile 0 of ${12 - zoomedTiles}…`);
    expect(seen.some((s) => new RegExp(`^Enhancing tile [1-9]\\d* of ${12 - zoomedTiles}…$`).test(s)), seen.join(' | ')).toBe(true);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });

    // a stop asked during the first tile ends the preview after it
    await grid().locator('[data-name="big-2.png"]').dblclick();
    const second = page.getByRole('dialog', { name: 'Viewer: big-2.png' });
    await second.waitFor();
    await page.evaluate(`(() => {
      const observer = new MutationObserver(() => {
        const stop = [...document.querySelectorAll('.viewer button')].find((b) => b.textContent === 'Stop preview');
        if (stop) { observer.disconnect(); stop.click(); }
      });
      observer.observe(document.body, { subtree: true, childList: true });
    })()`);
    await second.getByRole('button', { name: 'Preview visible region' }).click();
    const ended = async () => (await second.locator('.patch').count()) > 0 && (await page.locator('.preview-progress').count()) === 0;
    await expect.poll(ended, { timeout: 90_000 }).toBe(true);
    expect(await second.locator('.patch').count()).toBe(1);
    expect((await second.locator('.pane-label').allTextContents())[1]).toMatch(/ on \d+ % of the view;/);
    await page.keyboard.press('Escape');
    await second.waitFor({ state: 'detached' });
  });

  it('works from the keyboard: focus stays in the viewer and comes back; buttons name their file; the split line drags', async () => {
    await showAllImages();
    const images = grid();
    await images.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: /^Viewer: / });
    await viewer.waitFor();
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
      expect(await page.evaluate(`document.querySelector('.viewer').contains(document.activeElement)`), `after ${i + 1} tabs`).toBe(true);
    }
    const handle = viewer.getByTestId('split-handle');
    const pane = (await viewer.getByTestId('pane-slider').boundingBox())!;
    const grip = (await handle.boundingBox())!;
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(pane.x + pane.width * 0.25, grip.y + grip.height / 2, { steps: 5 });
    await page.mouse.up();
    expect(Number(await viewer.getByLabel('Before/after split').inputValue())).toBe(25);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    // focus is back where the viewer was opened from, not on the page body
    expect(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`)).toBe('Images');

    await openScreen('Queue');
    const batch = page.locator('article.batch-card', { hasText: 'big' }).first();
    await batch.locator('.batch-open').click();
    const retries = page.getByRole('button', { name: /^Retry big-\d\.png$/ });
    await expect.poll(() => retries.count()).toBeGreaterThan(0);
    const compares = await page.getByRole('button', { name: /^Compare / }).allInnerTexts();
    const compareNames = await page.getByRole('button', { name: /^Compare / }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(compareNames.every((n) => /^Compare big-\d\.png$/.test(n ?? '')), compareNames.join(', ')).toBe(true);
    expect(compares.every((text) => text === 'Compare')).toBe(true);
  });

  it('at 1024×700 the library toolbar stays compact and "Start batch" is on screen', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await openScreen('Library');
      await selectNone();
      await page.getByRole('treeitem', { name: /big/ }).click();
      await page.getByRole('button', { name: 'Enhance folder…' }).click();
      const start = batchPanel().getByRole('button', { name: 'Start batch' });
      await start.waitFor();
      await page.screenshot({ path: path.join(artifacts, 'library-1024x700.png') });
      const box = (await start.boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(700);
      // nothing covers it: the element at its centre is the button itself
      expect(await page.evaluate(`(() => { const b = [...document.querySelectorAll('button')].find((x) => x.textContent === 'Start batch');
        const r = b.getBoundingClientRect(); return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b; })()`)).toBe(true);
      const toolbar = (await page.getByRole('toolbar', { name: 'Library tools' }).boundingBox())!;
      expect(toolbar.height).toBeLessThanOrEqual(110); // three short rows at most (it was four tall ones)
      await batchPanel().getByRole('button', { name: 'Close' }).click();
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('explains models in plain words and asks before removing one', async () => {
    await openScreen('Settings');
    const providers = page.getByRole('list', { name: 'Providers on this computer' });
    await expect.poll(() => providers.locator('li[data-state="ready"]').allTextContents()).toEqual(['CPU: available (a session started on it)']);

    await openScreen('Models');
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

  it('speaks German everywhere the UI writes: labels fit, batch names, provider states', async () => {
    await openScreen('Settings');
    await page.getByLabel('Language').selectOption('de');
    const nav = page.getByRole('navigation', { name: 'Ansichten' });
    await nav.waitFor();
    const clipped = await page.evaluate(`[...document.querySelectorAll('.activity-label')].filter((l) => l.scrollWidth > l.clientWidth || l.scrollHeight > l.clientHeight + 1).map((l) => l.textContent)`);
    expect(clipped).toEqual([]);
    const providerText = (await page.getByRole('list', { name: 'Anbieter auf diesem Computer' }).textContent()) ?? '';
    expect(providerText).toContain('CPU: verfügbar (eine Sitzung lief darauf)');
    // why a provider cannot start is said in German too (the library's own message stays in brackets)
    expect(providerText.replace(/\([^)]*\)/g, ''), providerText).not.toMatch(/could not|not found|needs|exists only|does not include/);
    await nav.getByRole('button', { name: 'Warteschlange' }).click();
    const names = () => page.locator('.batch-card .batch-name').allTextContents();
    await expect.poll(async () => (await names()).some((n) => /\(2 Bilder\)$/.test(n))).toBe(true);
    expect((await names()).filter((n) => / images?\)$/.test(n))).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'queue-de.png') });
    await nav.getByRole('button', { name: 'Einstellungen' }).click();
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  });

  it('clears a message once its cause is fixed, and keeps messages off the viewer\'s controls', async () => {
    await openScreen('Library');
    await page.getByLabel('Folder to add').fill(path.join(work, 'No such folder'));
    await page.getByRole('button', { name: 'Add folder' }).click();
    const complaint = page.getByRole('alert').filter({ hasText: 'No such folder' });
    await complaint.waitFor();

    await page.getByRole('treeitem', { name: /All images/ }).click();
    await grid().locator('[data-name="baboon.png"]').dblclick();
    const viewer = page.getByRole('dialog', { name: 'Viewer: baboon.png' });
    await viewer.waitFor();
    expect(await complaint.count()).toBe(1);
    // every part of the split slider can be reached: no notice lies over it
    const covered = await page.evaluate(`(() => { const s = document.getElementById('viewer-split'); const r = s.getBoundingClientRect();
      return [0.02, 0.5, 0.98].filter((f) => document.elementFromPoint(r.x + r.width * f, r.y + r.height / 2) !== s); })()`);
    expect(covered).toEqual([]);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });

    await page.getByLabel('Folder to add').fill(path.join(work, 'Extra'));
    await page.getByRole('button', { name: 'Add folder' }).click();
    await page.getByRole('treeitem', { name: /Extra/ }).waitFor({ timeout: 60_000 });
    await expect.poll(() => complaint.count()).toBe(0);
  });
});
