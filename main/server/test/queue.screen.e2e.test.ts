/**
 * The Queue screen (issue 15; issue 22, item 16): states and numbers that are true on pause and cancel, item buttons
 * that name their file, batches told apart by model and output, Retry all for a cancelled batch, and batch names in
 * German. The real UI in Debian's Chromium over `npm run serve`, with real SQLite, ONNX Runtime and sharp.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addPhotosFolder,
  api,
  artifacts,
  fillOutput,
  navigate,
  newestCard,
  page,
  photographerModel,
  preparePhotos,
  selectNone,
  startBatch,
  useStudio,
  waitForStatus,
  work,
} from './studio-e2e.js';

useStudio('queue', { width: 1280, height: 800 }, preparePhotos);

describe('the queue', () => {
  it('tells the truth about a paused and a cancelled batch', async () => {
    await addPhotosFolder();
    await navigate('Library');
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

  it('names each item\'s buttons by its file', async () => {
    await navigate('Queue');
    const batch = page.locator('article.batch-card', { hasText: 'big' }).first();
    await batch.locator('.batch-open').click();
    const retries = page.getByRole('button', { name: /^Retry big-\d\.png$/ });
    await expect.poll(() => retries.count()).toBeGreaterThan(0);
    const compares = await page.getByRole('button', { name: /^Compare / }).allInnerTexts();
    const compareNames = await page.getByRole('button', { name: /^Compare / }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(compareNames.every((n) => /^Compare big-\d\.png$/.test(n ?? '')), compareNames.join(', ')).toBe(true);
    expect(compares.every((text) => text === 'Compare')).toBe(true);
  });

  it('tells two batches of the same folder apart by model and output, and retries a cancelled batch in one click (item 16)', async () => {
    const folder = path.join(work, 'Photos', 'set14');
    const outA = path.join(work, 'out-a');
    const outB = path.join(work, 'out-b');
    const request = (output: string) => ({ paths: [folder], settings: { modelId: 'tiny-ctmsr' }, output: { folder: output } });
    await api('queue.pause', { batchId: (await api<{ id: number }>('queue.enqueue', request(outA))).id });
    const b = await api<{ id: number }>('queue.enqueue', request(outB));
    await api('queue.cancel', { batchId: b.id });
    await navigate('Queue');
    const cards = page.locator('.batch-card').filter({ has: page.getByTestId('batch-where').filter({ hasText: /out-[ab]$/ }) });
    await expect.poll(() => cards.count()).toBe(2);
    const lines = () => cards.locator('[data-testid="batch-where"]').allTextContents();
    await expect.poll(lines).toEqual([`${photographerModel} → ${outB}`, `${photographerModel} → ${outA}`]);
    const cancelled = cards.first();
    await expect.poll(() => cancelled.getAttribute('data-status')).toBe('cancelled');
    await cancelled.getByRole('button', { name: 'Retry all' }).click();
    await expect.poll(() => cancelled.getAttribute('data-status'), { timeout: 120_000 }).toBe('done');
    await api('queue.cancel', { batchId: (await api<{ id: number; status: string }[]>('queue.batches')).find((x) => x.status === 'paused')!.id });
  }, 200_000);

  it('speaks German everywhere the UI writes: labels fit, batch names, provider states', async () => {
    await navigate('Settings');
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
});
