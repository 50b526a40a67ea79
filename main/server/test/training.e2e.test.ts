/**
 * Fine-tuning end to end, as a user does it: the real UI in headless Chromium over `npm run serve`, a real tiny
 * fine-tune (the trainer's test network, CPU, a few hundred iterations) on a generated pairs folder with two bad
 * files, stopped, the server restarted, resumed, and the result used in a batch. Screenshots go to test-artifacts/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePairsFolder, writeBrokenPng, writeSizedPng } from '../../testing/pairs.js';
import { testPython, writeTestModel } from '../../testing/test-models.js';
import { writeLandscape } from '../../testing/photos.js';
import { launchPage, repoRoot, startServe, type ServeProcess } from './serve-process.js';

const artifacts = path.join(repoRoot, 'test-artifacts');

let work: string;
let server: ServeProcess;
let serveArgs: string[];
let browser: Browser;
let page: Page;

async function openScreen(name: 'Library' | 'Queue' | 'Models' | 'Training'): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
}

async function connect(): Promise<void> {
  await page.goto(server.launchUrl);
  await page.getByRole('heading', { name: 'Folders' }).waitFor();
}

const runCard = () => page.getByRole('article', { name: 'Garden' });

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ctmsr-e2e-training-'));
  await mkdir(artifacts, { recursive: true });
  const pairs = path.join(work, 'Garden pairs');
  await makePairsFolder(pairs, { count: 12, width: 128, height: 128 });
  await writeBrokenPng(path.join(pairs, 'HR', 'broken.png'));
  await writeSizedPng(path.join(pairs, 'LR', 'broken.png'), 32, 32);
  await writeSizedPng(path.join(pairs, 'HR', 'odd.png'), 130, 128);
  await writeSizedPng(path.join(pairs, 'LR', 'odd.png'), 32, 32);
  await writeLandscape(path.join(work, 'Photos', 'snap.png'), 48, 40, 3);
  const models = path.join(work, 'models');
  writeTestModel('ctmsr', path.join(models, 'tiny-ctmsr.onnx'), { checkpoint: true });

  const rendererDir = path.join(work, 'renderer');
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  process.env.CTMSR_PYTHON = testPython;
  serveArgs = ['--data-dir', path.join(work, 'data'), '--models-dir', models, '--renderer-dir', rendererDir];
  server = await startServe(serveArgs);
  ({ browser, page } = await launchPage({ width: 1280, height: 900 }));
  await connect();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('fine-tuning in a browser', () => {
  it('scans a pairs folder at once: usable pairs, the scale, and each bad file with its reason', async () => {
    await openScreen('Training');
    await expect.poll(() => page.getByTestId('python-ok').count(), { timeout: 60_000 }).toBe(1);
    const form = page.getByRole('form', { name: 'Fine-tune a model on your pictures' });
    await form.getByLabel('Pairs folder (with LR and HR inside)').fill(path.join(work, 'Garden pairs'));
    await form.getByLabel('Pairs folder (with LR and HR inside)').press('Enter');
    await expect.poll(() => page.getByTestId('scan-summary').textContent(), { timeout: 30_000 }).toBe('12 usable pairs · scale ×4');
    const bad = await form.getByRole('list', { name: 'Files that cannot be used' }).getByRole('listitem').allTextContents();
    expect(bad).toHaveLength(3); // the two bad pairs, and the good LR file whose HR partner is broken
    expect(bad.find((b) => b.includes(path.join('HR', 'broken.png')))).toMatch(/unreadable/);
    expect(bad.find((b) => b.includes(path.join('HR', 'odd.png')))).toMatch(/size not a multiple: HR 130×128/);
    expect(bad.find((b) => b.includes(path.join('LR', 'broken.png')))).toMatch(/HR partner .* cannot be used/);

    // the reasons main gives in words, in the UI's language (the reader's own words for a broken file stay English)
    const setLanguage = async (language: 'en' | 'de') => {
      const headers = { 'Content-Type': 'application/json', 'X-Studio-Token': server.token };
      expect((await fetch(`${server.base}api/settings.update`, { method: 'POST', headers, body: JSON.stringify({ language }) })).ok).toBe(true);
      await page.waitForFunction((l) => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === l, language);
    };
    await setLanguage('de');
    const german = await page.locator('ul.bad-files li').allTextContents();
    expect(german.find((b) => b.includes(path.join('HR', 'odd.png')))).toMatch(/Größe kein Vielfaches: HR 130×128 ist kein ganzzahliges Vielfaches/);
    expect(german.find((b) => b.includes(path.join('LR', 'broken.png')))).toMatch(/das HR-Gegenstück broken\.\* in .* ist nicht brauchbar/);
    await setLanguage('en');
  }, 120_000);

  it('trains with live progress, a loss chart and a preview, and stops with a checkpoint', async () => {
    const form = page.getByRole('form', { name: 'Fine-tune a model on your pictures' });
    await form.getByLabel('Base model').selectOption({ label: 'Test ctmsr x4 (random weights, seed 0) · ×4' });
    await form.getByLabel('Length').selectOption('custom');
    await form.getByLabel('Iterations').fill('300');
    await form.getByLabel('Stages').selectOption('ct');
    await form.getByLabel('Name of the new model (optional)').fill('Garden');
    await form.getByRole('button', { name: 'Start training' }).click();
    const card = runCard();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('running');
    await expect.poll(() => card.getByTestId('run-progress').textContent(), { timeout: 120_000 }).toMatch(/^Iteration [1-9]\d* of 300 · stage CT · [\d.]+ it\/s · about .+ left$/);
    await expect.poll(() => card.getByRole('img', { name: /^Loss chart/ }).getAttribute('data-points'), { timeout: 60_000 }).not.toBeNull();
    await expect.poll(() => card.getByRole('img', { name: /^Preview of pair-\d+ at iteration \d+/ }).count(), { timeout: 120_000 }).toBe(1);
    expect(await card.getByTestId('run-device').textContent()).toBe('on CPU');
    expect(await card.locator('.run-preview table').textContent()).toMatch(/Base model[\d.]+ dB.*Current[\d.]+ dB/);
    await page.screenshot({ path: path.join(artifacts, 'training.png') });
    await card.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 120_000 }).toBe('stopped');
    expect(await card.getByTestId('run-progress').textContent()).not.toMatch(/^Iteration 300 /);
  }, 400_000);

  it('resumes after the server restarts, then registers the model with held-out metrics', async () => {
    await server.stop();
    server = await startServe(serveArgs);
    await connect();
    await openScreen('Training');
    const card = runCard();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('stopped');
    const stoppedAt = Number(/Iteration (\d+)/.exec((await card.getByTestId('run-progress').textContent()) ?? '')![1]);
    expect(stoppedAt).toBeGreaterThan(0);
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 400_000, interval: 1000 }).toBe('done');
    const result = card.getByRole('region', { name: 'Result' });
    expect(await result.textContent()).toMatch(/Measured on 2 pictures kept aside.*Base model[\d.]+ dB.*Fine-tuned[\d.]+ dB.*Saved as model tiny-ctmsr-ft1/);
    const log = await import('node:fs/promises').then((fs) => fs.readFile(path.join(work, 'data', 'training', 'run-1', 'train.log'), 'utf8'));
    expect(log).toContain(`at step ${stoppedAt}`);
    await page.screenshot({ path: path.join(artifacts, 'training-done.png') });

    await openScreen('Models');
    const model = page.getByRole('article', { name: 'Garden' });
    await model.waitFor({ timeout: 30_000 });
    expect(await model.textContent()).toMatch(/Fine-tuned/);
    expect(await model.getByTestId('lineage').textContent()).toBe('Fine-tuned from Test ctmsr x4 (random weights, seed 0) on 10 pairs, 2 kept aside to measure it; 300 iterations, CT.');
    const rows = await model.locator('table.metrics tbody tr').allTextContents();
    expect(rows[0]).toMatch(/^This model[\d.]+ dB/);
    expect(rows[1]).toMatch(/^Base model[\d.]+ dB/);
  }, 600_000);

  it('enhances a photo with the fine-tuned model in a batch', async () => {
    await openScreen('Library');
    await page.getByLabel('Folder to add').fill(path.join(work, 'Photos'));
    await page.getByRole('button', { name: 'Add folder' }).click();
    const grid = page.getByRole('listbox', { name: 'Images' });
    await grid.locator('[data-name="snap.png"]').click({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Enhance 1 image…' }).click();
    const panel = page.getByRole('form', { name: 'New batch' });
    await panel.getByLabel('Model', { exact: true }).selectOption({ label: 'Garden · ×4' });
    const out = path.join(work, 'out');
    await panel.getByLabel('Output folder').fill(out);
    await panel.getByRole('button', { name: 'Start batch' }).click();
    await expect.poll(() => page.getByRole('article', { name: '1 image' }).first().getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    const file = path.join(out, 'snap_x4.png');
    expect(existsSync(file)).toBe(true);
    expect(await sharp(file).metadata()).toMatchObject({ width: 192, height: 160 });
  }, 120_000);
});
