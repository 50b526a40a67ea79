/**
 * What the screen-by-screen end-to-end files share: the studio they drive (`npm run serve` over a renderer built for
 * the file, Debian's Chromium with one page), how they reach its screens and API, and the folders they set up. Each
 * file is its own process, so the studio below is that file's alone.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { maxCustomIterations } from '../../../shared/training/types.js';
import { manifestName } from '../../pipeline/output-manifest.js';
import { makePairsFolder } from '../../testing/pairs.js';
import { writeLandscape } from '../../testing/photos.js';
import { testPython, writeTestModel } from '../../testing/test-models.js';
import { launchPage, repoRoot, startServe, type ServeProcess } from './serve-process.js';

export const artifacts = path.join(repoRoot, 'test-artifacts');
export const sizes = [
  { width: 1600, height: 1000 },
  { width: 1024, height: 700 },
] as const;
export const languages = ['en', 'de'] as const;
export type Language = (typeof languages)[number];

/** The few words the tests look for, in both languages. */
export const words = {
  en: {
    start: 'Start training',
    enhance: /^Enhance \d+ images?…$/,
    range: 'Enter a number from 5 to 50.',
    tooManyIterations: `Enter a number from 1 to ${maxCustomIterations}.`,
    blocked: (run: string) => `“${run}” is training: start the next run when it has finished, or stop it.`,
    status: (run: string, total: number) => new RegExp(`^Training “${run}”: iteration [\\d,]+ of ${total.toLocaleString('en-US')}`),
    enlarge: /^Enlarge the preview of /,
    previewDialog: /^Preview of /,
    lossLegend: /Iteration.*total/,
    retryAll: 'Retry all',
    close: 'Close',
    inUse: (model: string, run: string) => new RegExp(`^Model "${model}" is the base model of the training run "${run}" \\(running\\), which needs it to train, resume and measure its result\\.`),
  },
  de: {
    start: 'Training starten',
    enhance: /^\d+ Bild(er)? verbessern…$/,
    range: 'Geben Sie eine Zahl von 5 bis 50 ein.',
    tooManyIterations: `Geben Sie eine Zahl von 1 bis ${maxCustomIterations} ein.`,
    blocked: (run: string) => `„${run}“ trainiert gerade: Starten Sie den nächsten Lauf, wenn er fertig ist, oder stoppen Sie ihn.`,
    status: (run: string, total: number) => new RegExp(`^Training „${run}“: Iteration [\\d.]+ von ${total.toLocaleString('de-DE')}`),
    enlarge: /^Vorschau von .* vergrößern$/,
    previewDialog: /^Vorschau von /,
    lossLegend: /Iteration.*gesamt/,
    retryAll: 'Alle wiederholen',
    close: 'Schließen',
    inUse: (model: string, run: string) => new RegExp(`^Das Modell „${model}“ ist das Basismodell des Trainingslaufs „${run}“ \\(Zustand: trainiert\\), der es zum Trainieren, Fortsetzen und Messen seines Ergebnisses braucht\\.`),
  },
};

/** The file's studio; set by startStudio before its tests run. */
export let work: string;
export let server: ServeProcess;
export let browser: Browser;
export let page: Page;

/**
 * Starts the file's studio once for all its tests and stops it after them: `prepare` fills the work folder and
 * returns the arguments for `npm run serve`, the renderer folder aside.
 */
export function useStudio(name: string, viewport: { width: number; height: number }, prepare: (work: string) => Promise<string[]>): void {
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), `ctmsr-e2e-${name}-`));
    await mkdir(artifacts, { recursive: true });
    const args = await prepare(work);
    const rendererDir = path.join(work, 'renderer');
    await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
    process.env.CTMSR_PYTHON = testPython;
    server = await startServe([...args, '--renderer-dir', rendererDir]);
    ({ browser, page } = await launchPage(viewport));
    await page.goto(server.launchUrl);
    await page.locator('.activity-bar').waitFor();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });
}

const screens = ['library', 'queue', 'models', 'training', 'settings'] as const;
/** Opens a screen by its place in the activity bar, whatever the language. */
export async function openScreen(name: (typeof screens)[number]): Promise<void> {
  await page.locator('.activity-bar .activity').nth(screens.indexOf(name)).click();
}

/** Opens a screen by its English name, as a user who reads it does. */
export async function navigate(name: 'Library' | 'Queue' | 'Models' | 'Training' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

export async function api<T>(method: string, payload: unknown = {}): Promise<T> {
  const response = await fetch(`${server.base}api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Studio-Token': server.token }, body: JSON.stringify(payload) });
  const body = (await response.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.result as T;
}

export async function setLanguage(language: Language): Promise<void> {
  await api('settings.update', { language });
  await page.waitForFunction((lang: string) => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === lang, language);
}

export async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `screens-${name}.png`) });
}

/** Types into a number field after pressing `keys`, then leaves it as a user does; what the field holds then. */
export async function typeInto(field: Locator, keys: string[], text: string): Promise<string> {
  await field.click();
  for (const key of keys) await page.keyboard.press(key);
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
  return field.inputValue();
}

export const trainingForm = () => page.locator('form.new-run');
export const runCard = () => page.locator('.run-card').first();

/** HR-only photos made worse by JPEG alone: the choice the number fields are typed into. */
export async function chooseJpegDamage(): Promise<void> {
  await openScreen('training');
  const form = trainingForm();
  await form.getByRole('radio', { name: /^High-resolution photos only/ }).check();
  await form.getByLabel('Make the low-resolution pictures with').selectOption('jpeg');
  await form.getByLabel('Length').selectOption('custom');
}

/**
 * The issue-22 studio: a pairs folder to train on (Buildings), four photos in the library (LR), the shipped default
 * under the long name users see, and a fine-tuned model as the app registers one at the end of a run
 * (training-service.ts, register), with its weights so that a run can start from it, sampled in two steps by its
 * manifest. Returns the serve arguments.
 */
export async function prepareBuildings(work: string): Promise<string[]> {
  await makePairsFolder(path.join(work, 'Buildings'), { count: 12, width: 160, height: 160 });
  await Promise.all(Array.from({ length: 4 }, (_, i) => writeLandscape(path.join(work, 'LR', `photo-${i + 1}.png`), 320, 240, i + 1)));
  const models = path.join(work, 'models');
  writeTestModel('ctmsr', path.join(models, 'tiny-ctmsr.onnx'), { checkpoint: true });
  const tiny = path.join(models, 'tiny-ctmsr.json');
  const base = { ...JSON.parse(await readFile(tiny, 'utf8')), name: 'CTMSR-S ×4 (real-world photos)' } as { name: string };
  const data = path.join(work, 'data');
  await mkdir(path.join(data, 'models'), { recursive: true });
  await copyFile(path.join(models, 'tiny-ctmsr.onnx'), path.join(data, 'models', 'tiny-ctmsr-ft7.onnx'));
  await copyFile(path.join(models, 'tiny-ctmsr.pt'), path.join(data, 'models', 'tiny-ctmsr-ft7.pt'));
  await writeFile(
    path.join(data, 'models', 'tiny-ctmsr-ft7.json'),
    JSON.stringify({
      ...base,
      id: 'tiny-ctmsr-ft7',
      name: 'Buildings',
      // fine-tuned from a model that samples in two steps: its card says so, and the batch panel starts at 2
      steps: [1, 0.5],
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
  await writeFile(tiny, JSON.stringify({ ...base, style: 'faithful' }));
  return ['--data-dir', data, '--models-dir', models];
}

/** A JPEG as cameras write them: EXIF with a make and model. */
async function writeCameraJpeg(file: string, seed: number): Promise<void> {
  await writeLandscape(file, 72, 54, seed);
  const pixels = await sharp(file).toBuffer();
  await sharp(pixels).withExif({ IFD0: { Make: 'CTMSR', Model: 'Test Camera' } }).jpeg({ quality: 90 }).toFile(file);
}

export const photographerModel = 'Test ctmsr x4 (random weights, seed 0)';

/**
 * The issue-15 studio: a Photos folder (camera JPEGs, small PNGs, and photos large enough that a batch of them is
 * still running when a test pauses it), a tiny ×4 model, the lineage model to import, and an Extra folder to add
 * later. Returns the serve arguments.
 */
export async function preparePhotos(work: string): Promise<string[]> {
  const photos = path.join(work, 'Photos');
  await Promise.all([
    writeCameraJpeg(path.join(photos, 'real', 'bears.jpg'), 3),
    writeCameraJpeg(path.join(photos, 'real', 'cat1.jpeg'), 5),
    writeLandscape(path.join(photos, 'set14', 'baboon.png'), 64, 48, 7),
    writeLandscape(path.join(photos, 'set14', 'lenna.png'), 64, 48, 9),
    ...[1, 2, 3].map((i) => writeLandscape(path.join(photos, 'big', `big-${i}.png`), 480, 360, 20 + i)),
  ]);
  const models = path.join(work, 'models');
  writeTestModel('ctmsr', path.join(models, 'tiny-ctmsr.onnx'), { scale: 4 });
  await writeLineageModel(work);
  await writeLandscape(path.join(work, 'Extra', 'extra.jpg'), 64, 48, 30);
  return ['--data-dir', path.join(work, 'data'), '--models-dir', models];
}

/** downloads/lineage-x2.onnx, an ×2 model to import whose manifest carries a long lineage and scores with bicubic beside. */
export async function writeLineageModel(work: string): Promise<void> {
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
}

/** Adds the Photos folder through the library, as a user does, and waits for its last photo. */
export async function addPhotosFolder(): Promise<void> {
  await page.getByLabel('Folder to add').fill(path.join(work, 'Photos'));
  await page.getByRole('button', { name: 'Add folder' }).click();
  await page.getByRole('listbox', { name: 'Images' }).locator('[data-name="big-3.png"]').waitFor({ timeout: 60_000 });
}

export const grid = () => page.getByRole('listbox', { name: 'Images' });
export const batchPanel = () => page.getByRole('form', { name: 'New batch' });

export async function showAllImages(): Promise<void> {
  await navigate('Library');
  await page.getByRole('treeitem', { name: /All images/ }).click();
}

export async function selectImages(...names: string[]): Promise<void> {
  await grid().locator(`[data-name="${names[0]}"]`).click();
  for (const name of names.slice(1)) await grid().locator(`[data-name="${name}"]`).click({ modifiers: ['Control'] });
}

export async function selectNone(): Promise<void> {
  const button = page.getByRole('button', { name: 'Select none' });
  if (await button.isEnabled()) await button.click();
}

export async function fillOutput(folder: string): Promise<void> {
  await batchPanel().getByLabel('Output folder').fill(folder);
}

export async function startBatch(): Promise<void> {
  await batchPanel().getByRole('button', { name: 'Start batch' }).click();
  await page.getByRole('heading', { name: 'Queue', level: 2, exact: true }).waitFor();
}

/** The newest batch card (the queue lists newest first). */
export const newestCard = () => page.locator('article.batch-card').first();

export async function waitForStatus(status: string, timeout = 90_000): Promise<void> {
  await expect.poll(() => newestCard().getAttribute('data-status'), { timeout }).toBe(status);
}

/** The files below `dir`, relative and sorted; the hidden lists of outputs the app keeps are left out. */
export async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  if (!existsSync(dir)) return found;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name !== manifestName) found.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return found.sort();
}
