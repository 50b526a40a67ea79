/**
 * Remakes the README's screenshots from the real app: `npm run serve` with the shipped models, Debian's Chromium at
 * 1600×1000, photos from the shared data sets (copied into a work folder; only the screenshots are written to the
 * repository).
 *
 *   renderer/docs/main-window.png  the library with three photos selected and the batch panel open
 *   renderer/docs/training.png     a scanned photo folder with its bad files named, and a finished Quick run from the
 *                                  shipped real-photos model with its loss chart, preview and held-out result
 *
 *   tsx bench/docs/readme-screenshots.ts [--photos ../shared/data/eval/BSD100/HR] \
 *       [--training-photos ../shared/data/train/BSDS500/test] [--work /tmp/ctmsr-readme-shots]
 *
 * The run trains the real S network on the CPU (Quick, supervised: a few minutes on two cores).
 */
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { launchPage, repoRoot, startServe } from '../../main/server/test/serve-process.js';

const size = { width: 1600, height: 1000 };
/** README images are fetched by everyone who opens the repository page. */
const maxBytes = 400 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      photos: { type: 'string', default: path.join(repoRoot, '../shared/data/eval/BSD100/HR') },
      'training-photos': { type: 'string', default: path.join(repoRoot, '../shared/data/train/BSDS500/test') },
      work: { type: 'string', default: '/tmp/ctmsr-readme-shots' },
      out: { type: 'string', default: path.join(repoRoot, 'renderer', 'docs') },
    },
  });
  const work = path.resolve(values.work!);
  await rm(work, { recursive: true, force: true });
  const library = path.join(work, 'Photos', 'BSD100');
  const training = path.join(work, 'Garden and street');
  await copySome(values.photos!, library, 16);
  await copySome(values['training-photos']!, training, 24);
  await addBadFiles(training);

  const rendererDir = path.join(work, 'renderer');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  const server = await startServe(['--data-dir', path.join(work, 'data'), '--models-dir', path.join(repoRoot, 'models'), '--renderer-dir', rendererDir]);
  const { browser, page } = await launchPage(size);
  try {
    await page.goto(server.launchUrl);
    await mainWindow(page, path.join(work, 'Photos'), path.join(work, 'Enhanced'));
    await save(page, path.join(values.out!, 'main-window.png'));
    await batchClose(page);
    await trainingScreen(page, training);
    await save(page, path.join(values.out!, 'training.png'));
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function copySome(from: string, to: string, count: number): Promise<void> {
  await mkdir(to, { recursive: true });
  const names = (await readdir(from)).filter((n) => /\.(png|jpe?g)$/i.test(n)).sort().slice(0, count);
  if (names.length < count) throw new Error(`${from} has ${names.length} photos; ${count} are needed`);
  for (const name of names) await copyFile(path.join(from, name), path.join(to, name));
}

/** What a real folder holds beside photos, so the scan names each file it cannot use and why. */
async function addBadFiles(folder: string): Promise<void> {
  const [first, second] = (await readdir(folder)).sort();
  const stem = (name: string) => name.replace(/\.[^.]+$/, '');
  await sharp(path.join(folder, first)).resize(120, 80).jpeg().toFile(path.join(folder, `${stem(first)}-small.jpg`));
  await copyFile(path.join(folder, second), path.join(folder, `${stem(second)}-copy${path.extname(second)}`));
  await writeFile(path.join(folder, 'notes.jpg'), 'shot list for the garden\n');
}

async function mainWindow(page: Page, photos: string, output: string): Promise<void> {
  await page.getByLabel('Folder to add').fill(photos);
  await page.getByRole('button', { name: 'Add folder' }).click();
  const grid = page.getByRole('listbox', { name: 'Images' });
  const cells = grid.locator('.grid-cell');
  await cells.nth(15).waitFor({ timeout: 120_000 });
  await cells.nth(1).click();
  await cells.nth(2).click({ modifiers: ['Control'] });
  await cells.nth(5).click({ modifiers: ['Control'] });
  await page.getByRole('button', { name: 'Enhance 3 images…' }).click();
  const panel = page.getByRole('form', { name: 'New batch' });
  await panel.getByLabel('Output folder').fill(output);
  await panel.getByRole('status', { name: /Files go to/ }).waitFor();
  // every thumbnail drawn, not a grey placeholder
  await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.grid-cell img')].every((img: any) => img.complete && img.naturalWidth > 0));
}

async function batchClose(page: Page): Promise<void> {
  await page.getByRole('form', { name: 'New batch' }).getByRole('button', { name: 'Close' }).click();
}

async function trainingScreen(page: Page, photos: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Training' }).click();
  await page.getByTestId('python-ok').waitFor({ timeout: 120_000 });
  const form = page.locator('form.new-run');
  await form.getByRole('radio', { name: /^High-resolution photos only/ }).check();
  await form.getByLabel('Make the low-resolution pictures with').selectOption('jpeg');
  await form.getByLabel('JPEG quality').fill('20');
  await form.getByLabel('JPEG quality').press('Tab');
  await form.getByLabel('Photos folder').fill(photos);
  await form.getByLabel('Photos folder').press('Enter');
  await page.getByTestId('scan-summary').waitFor({ timeout: 120_000 });
  await form.getByLabel('Base model').selectOption('ctmsr-s-x4-real');
  await form.getByLabel('Length').selectOption('quick');
  await form.getByLabel('Stages', { exact: true }).selectOption('warmup');
  await form.getByLabel('Name of the new model (optional)').fill('Garden and street, JPEG 20');
  await form.getByRole('button', { name: 'Start training' }).click();
  const card = page.locator('.run-card').first();
  await card.locator('.run-result').waitFor({ timeout: 1_800_000 });
  await page.locator('.run-card[data-state="done"]').waitFor();
  await card.locator('.run-preview img').waitFor();
  await page.waitForFunction(() => (globalThis as any).document.querySelector('.run-preview img')?.complete === true);
}

/** A PNG of the page, palette-quantised where the full-colour one is over the size the README can carry. */
async function save(page: Page, file: string): Promise<void> {
  let png = await page.screenshot();
  if (png.length > maxBytes) png = await sharp(png).png({ palette: true, quality: 90, compressionLevel: 9, effort: 10 }).toBuffer();
  if (png.length > maxBytes) throw new Error(`${file} would be ${Math.round(png.length / 1024)} KB, over ${maxBytes / 1024} KB`);
  await writeFile(file, png);
  console.log(`${file}: ${Math.round(png.length / 1024)} KB`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
