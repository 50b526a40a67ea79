/**
 * The Library and the batch panel it opens (issue 15): a selection that survives a visit elsewhere, one output
 * placement however a batch is started, RGB photos that stay RGB, a toolbar that stays compact at 1024×700, and
 * messages that go once their cause is fixed and keep off the viewer's controls. The real UI in Debian's Chromium over
 * `npm run serve`, with real SQLite, ONNX Runtime and sharp.
 */
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  addPhotosFolder,
  artifacts,
  batchPanel,
  files,
  fillOutput,
  grid,
  navigate,
  newestCard,
  page,
  preparePhotos,
  selectImages,
  selectNone,
  showAllImages,
  startBatch,
  useStudio,
  waitForStatus,
  work,
} from './studio-e2e.js';

useStudio('library', { width: 1280, height: 800 }, preparePhotos);

describe('the library', () => {
  it('keeps the selection across a visit to the queue', async () => {
    await addPhotosFolder();
    await showAllImages();
    await selectImages('baboon.png', 'lenna.png');
    await expect.poll(() => page.getByText('7 images, 2 selected').count()).toBe(1);
    await navigate('Queue');
    await navigate('Library');
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

    await navigate('Library');
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
    await navigate('Library');
    await page.getByRole('button', { name: 'Enhance 1 image…' }).click();
    await batchPanel().getByLabel('Format', { exact: true }).selectOption('same');
    await batchPanel().getByRole('button', { name: 'Close' }).click();
  });

  it('at 1024×700 the library toolbar stays compact and "Start batch" is on screen', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await navigate('Library');
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

  it('clears a message once its cause is fixed, and keeps messages off the viewer\'s controls', async () => {
    await navigate('Library');
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
