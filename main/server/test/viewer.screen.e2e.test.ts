/**
 * The viewer (issue 15): it never shows unprocessed pixels under a model's name, previews only the tiles in view with
 * progress and a stop, keeps focus while open and gives it back, and its split line drags. The real UI in Debian's
 * Chromium over `npm run serve`, with real ONNX Runtime.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addPhotosFolder, artifacts, grid, page, photographerModel as modelName, preparePhotos, showAllImages, useStudio } from './studio-e2e.js';

useStudio('viewer', { width: 1280, height: 800 }, preparePhotos);

describe('the viewer', () => {
  it('never labels unprocessed pixels with a model: tiles with progress, on demand, and a stop', async () => {
    await addPhotosFolder();
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

  it('works from the keyboard: focus stays in the viewer and comes back; the split line drags', async () => {
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
  });
});
