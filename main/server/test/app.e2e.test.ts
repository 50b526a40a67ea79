/**
 * End to end: the real UI in headless Chromium, served by `npm run serve` with the real services
 * (SQLite in a temp folder, the ONNX engine on small models made by the trainer, sharp).
 * Screenshots of each screen go to test-artifacts/.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLandscape } from '../../testing/photos.js';
import { writeCorruptImage } from '../../testing/test-images.js';
import { manifestName } from '../../pipeline/output-manifest.js';
import { writeTestModel } from '../../testing/test-models.js';
import { launchPage, repoRoot, startServe, type ServeProcess } from './serve-process.js';

const artifacts = path.join(repoRoot, 'test-artifacts');

let work: string;
let server: ServeProcess;
let browser: Browser;
let page: Page;

function makeModel(kind: 'ctmsr' | 'feedforward', scale: number, out: string): void {
  writeTestModel(kind, out, { scale });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

/** Sizes of the outputs in a folder, by file name (the hidden list of outputs the app keeps there left out). */
async function outputSizes(dir: string): Promise<Map<string, { width: number; height: number }>> {
  const sizes = new Map<string, { width: number; height: number }>();
  for (const name of await readdir(dir)) {
    if (name === manifestName) continue;
    const meta = await sharp(path.join(dir, name)).metadata();
    sizes.set(name, { width: meta.width!, height: meta.height! });
  }
  return sizes;
}

// Code that runs in the page is written as strings (main/ is compiled without DOM types) and
// evaluated through the DevTools protocol, which the page's CSP (no eval) does not govern.
/** Every one of at least `count` images matching `selector` has loaded. */
async function imagesLoaded(selector: string, count: number): Promise<void> {
  const check = `(() => { const images = [...document.querySelectorAll(${JSON.stringify(selector)})];
    return images.length >= ${count} && images.every((img) => img.complete && img.naturalWidth > 0); })()`;
  await expect.poll(() => page.evaluate(check), { timeout: 60_000 }).toBe(true);
}

async function openScreen(name: 'Library' | 'Queue' | 'Models' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

function batchCard(name: string) {
  return page.getByRole('article', { name });
}

async function startBatch(outputFolder: string, options: { model?: string; size?: string } = {}): Promise<void> {
  const panel = page.getByRole('form', { name: 'New batch' });
  if (options.model) await panel.getByLabel('Model', { exact: true }).selectOption({ label: options.model });
  if (options.size) await panel.getByLabel('Output size').selectOption(options.size);
  await panel.getByLabel('Output folder').fill(outputFolder);
  await panel.getByRole('button', { name: 'Start batch' }).click();
  await page.getByRole('heading', { name: 'Queue', level: 2, exact: true }).waitFor();
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ctmsr-e2e-'));
  await mkdir(artifacts, { recursive: true });
  const photos = path.join(work, 'Photos');
  await Promise.all([
    ...Array.from({ length: 9 }, (_, i) => writeLandscape(path.join(photos, `photo-${String(i + 1).padStart(2, '0')}.jpg`), 96 + 8 * i, 72 + 6 * i, i + 1)),
    // Large enough that a batch of them is still running when the test cancels it.
    ...Array.from({ length: 6 }, (_, i) => writeLandscape(path.join(photos, 'Trip', `trip-${i + 1}.png`), 480, 360, 20 + i)),
  ]);
  writeCorruptImage(path.join(photos, 'broken.jpg'));
  const models = path.join(work, 'models');
  makeModel('ctmsr', 4, path.join(models, 'tiny-ctmsr.onnx'));
  // An import without a manifest: the app must work out kind and scale from the graph.
  makeModel('feedforward', 2, path.join(work, 'downloads', 'upscaler-x2.onnx'));
  await unlink(path.join(work, 'downloads', 'upscaler-x2.json'));

  const rendererDir = path.join(work, 'renderer');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  server = await startServe(['--data-dir', path.join(work, 'data'), '--models-dir', models, '--renderer-dir', rendererDir]);
  ({ browser, page } = await launchPage({ width: 1280, height: 800 }));
  await page.goto(server.launchUrl);
  await page.getByRole('heading', { name: 'Folders' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('CTMSR Studio in a browser', () => {
  it('keeps the token out of the address bar and refuses the API without it', async () => {
    expect(page.url()).not.toContain('token=');
    const response = await fetch(`${server.base}api/library.folders`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
  });

  it('adds a folder of photos and shows their thumbnails', async () => {
    await page.getByLabel('Folder to add').fill(path.join(work, 'Photos'));
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByRole('listbox', { name: 'Images' }).getByRole('option').count(), { timeout: 60_000 }).toBe(16);
    await imagesLoaded('.grid-cell img', 12);
    await expect.poll(() => page.getByRole('treeitem', { name: /Trip/ }).count()).toBe(1);
    await shot('library');
  });

  it('enhances three selected photos ×4, with progress and ETA, and compares the pair', async () => {
    const grid = page.getByRole('listbox', { name: 'Images' });
    await grid.locator('[data-name="photo-07.jpg"]').click();
    await grid.locator('[data-name="photo-08.jpg"]').click({ modifiers: ['Control'] });
    await grid.locator('[data-name="photo-09.jpg"]').click({ modifiers: ['Control'] });
    await expect.poll(() => page.getByText('16 images, 3 selected').count()).toBe(1);
    await page.getByRole('button', { name: 'Enhance 3 images…' }).click();

    // Record every progress and ETA text the queue shows while the batch runs.
    await page.evaluate(`(() => {
      const seen = (window.seen = []);
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="batch-progress"], [data-testid="batch-eta"]')) {
          if (!seen.includes(el.textContent)) seen.push(el.textContent);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    const out = path.join(work, 'out-three');
    await page.getByRole('form', { name: 'New batch' }).getByLabel('Output folder').fill(out);
    // the panel says where the files will go before the batch starts
    await page.getByRole('status', { name: /Files go to/ }).waitFor();
    await shot('main-window');
    await startBatch(out);
    const card = batchCard('3 images');
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 110_000 }).toBe('done');
    await shot('queue');

    const seen = (await page.evaluate('window.seen')) as string[];
    expect(seen.some((s) => /^\d+%$/.test(s) && s !== '0%' && s !== '100%'), `progress seen: ${seen.join(' | ')}`).toBe(true);
    expect(seen.some((s) => /^about .+ left$/.test(s)), `ETA seen: ${seen.join(' | ')}`).toBe(true);

    const sizes = await outputSizes(out);
    expect([...sizes.keys()].sort()).toEqual(['photo-07_x4.jpg', 'photo-08_x4.jpg', 'photo-09_x4.jpg']);
    for (const [name, size] of sizes) {
      const input = await sharp(path.join(work, 'Photos', name.replace('_x4', ''))).metadata();
      expect(size).toEqual({ width: input.width! * 4, height: input.height! * 4 });
    }

    await page.getByRole('row', { name: /photo-08\.jpg/ }).getByRole('button', { name: 'Compare' }).click();
    const viewer = page.getByRole('dialog', { name: 'Viewer: photo-08.jpg' });
    await viewer.waitFor();
    await imagesLoaded('.viewer .layer-base', 2);
    const natural = await page.evaluate(`[...document.querySelectorAll('.viewer .layer-base')].map((i) => [i.alt, i.naturalWidth, i.naturalHeight])`);
    expect(natural).toEqual([
      ['Before', 152, 114],
      ['After', 608, 456],
    ]);
    await viewer.getByRole('button', { name: 'Side by side' }).click();
    await viewer.getByRole('button', { name: 'Zoom in' }).click();
    await shot('viewer');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
  });

  it('pauses, resumes and cancels a running batch, leaving no partial outputs', async () => {
    await openScreen('Library');
    await page.getByRole('treeitem', { name: /Trip/ }).click();
    await page.getByRole('button', { name: 'Enhance folder…' }).click();
    const out = path.join(work, 'out-cancel');
    await startBatch(out);
    const card = batchCard(path.join(work, 'Photos', 'Trip'));
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('running');
    await card.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('paused');
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).not.toBe('paused');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    const written = existsSync(out) ? (await readdir(out)).filter((f) => f !== manifestName) : [];
    expect(written.filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(written.length).toBeLessThan(6);
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Cancelled' }).count()).toBeGreaterThan(0);
  });

  it('shows why a corrupt image failed in the queue panel', async () => {
    await openScreen('Library');
    await page.getByRole('treeitem', { name: /All images/ }).click();
    await page.getByRole('listbox', { name: 'Images' }).locator('[data-name="broken.jpg"]').click();
    await page.getByRole('button', { name: 'Enhance 1 image…' }).click();
    await startBatch(path.join(work, 'out-broken'));
    const card = batchCard('1 image');
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('failed');
    await shot('queue-failed');
    const row = page.getByRole('row', { name: /broken\.jpg/ });
    await expect.poll(() => row.textContent()).toMatch(/broken\.jpg could not be decoded .*corrupt or truncated/);
    await shot('queue-failed');
    // main stored the reason's key and values with it: in German the same row says it in German, the decoder's words kept
    await openScreen('Settings');
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('navigation', { name: 'Ansichten' }).getByRole('button', { name: 'Warteschlange' }).click();
    await expect.poll(() => row.textContent()).toMatch(/broken\.jpg ließ sich nicht dekodieren \(.+\)\. Die Datei ist vielleicht beschädigt/);
    await page.getByRole('navigation', { name: 'Ansichten' }).getByRole('button', { name: 'Einstellungen' }).click();
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  });

  it('imports an ONNX model without a manifest and enhances with it', async () => {
    await openScreen('Models');
    await page.getByLabel('ONNX file').fill(path.join(work, 'downloads', 'upscaler-x2.onnx'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const card = page.getByRole('article', { name: 'upscaler-x2' });
    await card.waitFor({ timeout: 60_000 });
    await expect.poll(() => card.textContent()).toMatch(/feedforward.*×2/);
    expect(existsSync(path.join(work, 'data', 'models', 'upscaler-x2.json'))).toBe(true);
    await shot('models');

    await openScreen('Library');
    await page.getByRole('listbox', { name: 'Images' }).locator('[data-name="photo-01.jpg"]').click();
    await page.getByRole('button', { name: 'Enhance 1 image…' }).click();
    const out = path.join(work, 'out-imported');
    const panel = page.getByRole('form', { name: 'New batch' });
    await panel.getByLabel('Model', { exact: true }).selectOption({ label: 'upscaler-x2 · ×2' });
    await panel.getByLabel('Output size').selectOption('2');
    await panel.getByLabel('Preset name').fill('Quick ×2');
    await panel.getByRole('button', { name: 'Save as preset' }).click();
    await expect.poll(() => panel.getByLabel('Preset', { exact: true }).locator('option', { hasText: 'Quick ×2' }).count()).toBe(1);
    await startBatch(out);
    await expect.poll(() => batchCard('1 image').first().getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    expect(await outputSizes(out)).toEqual(new Map([['photo-01_x2.jpg', { width: 192, height: 144 }]]));
  });

  it('previews the visible region with two models on the same crop', async () => {
    await openScreen('Library');
    await page.getByRole('listbox', { name: 'Images' }).locator('[data-name="photo-05.jpg"]').dblclick();
    const viewer = page.getByRole('dialog', { name: 'Viewer: photo-05.jpg' });
    await viewer.getByLabel('Compare with').selectOption({ label: 'upscaler-x2' });
    await viewer.getByRole('button', { name: 'Preview visible region' }).click();
    await imagesLoaded('.viewer .patch', 2);
    // The whole 128×96 photo is on screen, so the crop is all of it: ×4 with one model, ×2 with the other.
    expect(await page.evaluate(`[...document.querySelectorAll('.viewer .patch')].map((i) => [i.naturalWidth, i.naturalHeight])`)).toEqual([
      [512, 384],
      [256, 192],
    ]);
    expect(await viewer.locator('.pane-label').allTextContents()).toEqual(['Test ctmsr x4 (random weights, seed 0)', 'upscaler-x2']);
    await shot('viewer-compare-models');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
  });

  it('works from the keyboard: move, select, open, close', async () => {
    await openScreen('Library');
    const grid = page.getByRole('listbox', { name: 'Images' });
    await grid.focus();
    for (const key of ['Home', 'ArrowRight', 'ArrowRight', 'Shift+ArrowRight']) await page.keyboard.press(key);
    await expect.poll(() => page.getByText('16 images, 2 selected').count()).toBe(1);
    expect(await grid.getAttribute('aria-activedescendant')).toBe('image-cell-3');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: 'Viewer: photo-02.jpg' });
    await viewer.waitFor();
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
  });

  it('lists providers with the CPU fallback and switches language and theme', async () => {
    await openScreen('Settings');
    const providers = page.getByRole('list', { name: 'Providers on this computer' });
    await expect.poll(() => providers.textContent()).toContain('CPU: available');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Last run used' }).count()).toBe(1);
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await shot('settings');
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('navigation', { name: 'Ansichten' }).getByRole('button', { name: 'Bibliothek' }).waitFor();
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  });

  it('browses a folder of 10,000 photos: only what is on screen is in the page, pages load as needed', async () => {
    const many = path.join(work, 'Many');
    await mkdir(many);
    const sample = await sharp(path.join(work, 'Photos', 'photo-01.jpg')).resize(32, 24).jpeg().toBuffer();
    for (let i = 0; i < 10_000; i++) await writeFile(path.join(many, `IMG_${String(i).padStart(5, '0')}.jpg`), sample);
    await openScreen('Library');
    await page.getByLabel('Folder to add').fill(many);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const root = page.getByRole('treeitem', { name: /^Many/ });
    await expect.poll(() => root.textContent(), { timeout: 110_000 }).toBe('Many10000');
    await root.click();
    const grid = page.getByRole('listbox', { name: 'Images' });
    await expect.poll(() => page.getByText('10000 images, 0 selected').count()).toBe(1);

    const queries: string[] = [];
    page.on('request', (r) => r.url().endsWith('/api/library.query') && queries.push(r.postData() ?? ''));
    await grid.focus();
    await page.keyboard.press('End');
    await expect.poll(() => grid.getAttribute('aria-activedescendant')).toBe('image-cell-9999');
    await expect.poll(() => grid.locator('[data-name="IMG_09999.jpg"]').count()).toBe(1);
    await imagesLoaded('.grid-cell[data-name="IMG_09999.jpg"] img', 1);
    expect(await grid.getByRole('option').count()).toBeLessThan(200);
    // Jumping to the end fetched the last page, not the 49 in between.
    expect(queries.length).toBeLessThanOrEqual(3);
    await shot('library-10000');
  });

  it('says on the Models screen when the chosen default model is gone, and which model runs instead', async () => {
    await copyFile(path.join(work, 'downloads', 'upscaler-x2.onnx'), path.join(work, 'downloads', 'spare-x2.onnx'));
    await openScreen('Models');
    await page.getByLabel('ONNX file').fill(path.join(work, 'downloads', 'spare-x2.onnx'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const spare = page.getByRole('article', { name: 'spare-x2' });
    await spare.waitFor({ timeout: 60_000 });
    await spare.getByRole('button', { name: 'Make default' }).click();
    await expect.poll(() => spare.getByRole('button', { name: 'Make default' }).count()).toBe(0);
    // deleted behind the app's back, not through the Models screen (which would reset the setting)
    await rm(path.join(work, 'data', 'models', 'spare-x2.json'));
    await rm(path.join(work, 'data', 'models', 'spare-x2.onnx'));
    await openScreen('Settings');
    await openScreen('Models');
    const notice = page.locator('.model-card[data-model-id="tiny-ctmsr"]').getByTestId('default-notice');
    await expect.poll(() => notice.textContent()).toMatch(/^Your default model "spare-x2" is no longer installed; using .* \(tiny-ctmsr\) instead\. Choose another default in Models\.$/);
    await shot('models-default-gone');
  });
});
