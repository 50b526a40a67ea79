import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchSummary } from '../../../shared/api/types.js';
import { isStudioError, type StudioError } from '../../../shared/errors.js';
import { Library } from '../../library/library.js';
import { writeTestImage } from '../../testing/test-images.js';
import { autoEnqueueWatched } from '../auto-enqueue.js';
import { PresetStore } from '../presets.js';
import { listFiles, queueEnv, type QueueEnv } from './harness.js';

let env: QueueEnv | undefined;
let library: Library | undefined;
afterEach(async () => {
  library?.stopWatching();
  await env?.close();
  env = library = undefined;
});

describe('presets', () => {
  it('are saved by name, replaced on save, listed, validated and removed', async () => {
    env = await queueEnv();
    const presets = new PresetStore(env.db);
    presets.save({ name: 'Web', settings: { format: 'webp', quality: 80 }, output: { naming: '{name}_web' } });
    presets.save({ name: 'Print', settings: { scale: 2, format: 'tiff' } });
    presets.save({ name: 'Web', settings: { format: 'webp', quality: 70 }, output: { naming: '{name}_web' } });
    expect(presets.list().map((p) => [p.name, p.settings.quality])).toEqual([
      ['Print', 92],
      ['Web', 70],
    ]);
    expect(presets.get('Web')).toMatchObject({ settings: { format: 'webp', seed: 0 }, output: { naming: '{name}_web' } });
    // no step count saved: the preset samples each model in its own
    expect(presets.get('Web')!.settings).not.toHaveProperty('steps');
    expect(() => presets.save({ name: 'Bad', settings: { scale: 2, width: 100 } })).toThrow(/either a scale or an exact width/);
    expect(() => presets.save({ name: 'Bad', settings: {}, output: { naming: 'no-token' } })).toThrow(/\{name\}/);
    presets.remove('Print');
    expect(presets.list().map((p) => p.name)).toEqual(['Web']);
    try {
      presets.remove('Print');
      expect.unreachable();
    } catch (e) {
      expect(isStudioError(e, 'not-found')).toBe(true);
    }
  });
});

describe('watched folders with a preset', () => {
  it('enqueue new images with the preset, and never their own outputs', async () => {
    env = await queueEnv();
    const { db, dir, queue } = env;
    const photos = path.join(dir, 'photos');
    const out = path.join(photos, 'enhanced'); // inside the watched folder, on purpose
    fs.mkdirSync(photos);
    new PresetStore(db).save({ name: 'Auto', settings: { format: 'png' }, output: { folder: out, naming: '{name}_x{scale}' } });
    library = new Library(db, { thumbnailDir: path.join(dir, 'thumbs'), watchQuietMs: 100 });
    const folder = library.addFolder(photos, { watch: true, autoPreset: 'Auto' });
    expect(folder.autoPreset).toBe('Auto');
    await library.scanFolder(folder.id);

    const batches: BatchSummary[] = [];
    const errors: StudioError[] = [];
    const waiting: { name: string; resolve: () => void }[] = [];
    const batchWith = (name: string) => new Promise<void>((resolve) => waiting.push({ name, resolve }));
    autoEnqueueWatched(db, library, queue, new PresetStore(db), {
      onBatch: (b) => {
        batches.push(b);
        const inputs = queue.items({ batchId: b.id }).items.map((i) => path.basename(i.input));
        for (const w of waiting) if (inputs.includes(w.name)) w.resolve();
      },
      onError: (e) => errors.push(e),
    });
    queue.start();
    const first = batchWith('arrived.jpg');
    await writeTestImage(path.join(photos, 'arrived.jpg'), { width: 20, height: 20 });
    await first;
    await queue.whenIdle();
    expect(batches).toHaveLength(1);
    expect(queue.batch(batches[0].id)).toMatchObject({ status: 'done', counts: { done: 1 }, settings: { format: 'png' } });
    expect(listFiles(out)).toEqual(['arrived_x4.png']);

    // the output landed in the watched folder: the library lists it, the queue does not take it.
    // A later photo's batch proves the output's turn has passed (each burst is enqueued in order).
    const outputSeen = new Promise<void>((resolve) =>
      library!.onNewImages((e) => {
        if (e.imageIds.some((id) => library!.getImage(id)?.name === 'arrived_x4.png')) resolve();
      }),
    );
    await outputSeen;
    const second = batchWith('later.jpg');
    await writeTestImage(path.join(photos, 'later.jpg'), { width: 20, height: 20, seed: 1 });
    await second;
    const inputs = batches.flatMap((b) => queue.items({ batchId: b.id }).items.map((i) => path.basename(i.input)));
    expect(inputs).toEqual(['arrived.jpg', 'later.jpg']);
    expect(errors).toEqual([]);
  });
});
