import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAppSettings } from '../../../shared/api/settings.js';
import { enhanceSettingsSchema } from '../../../shared/enhance/settings.js';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { writePhoto } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';
import { EngineHolder } from '../engine-service.js';
import { pipelineStages } from '../../pipeline/stages.js';

let dir: string;
let model: LoadedModel;
const holder = new EngineHolder({ ...defaultAppSettings, provider: 'cpu' }, async () => []);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-queue-workers-'));
  model = await makeTestModel('ctmsr');
});

afterAll(async () => {
  await holder.current.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the app's queue on the CPU", () => {
  it('runs each photo on one one-thread session per free core', async () => {
    const processor = pipelineStages({ engine: () => holder.current, model: async () => model, onRun: () => undefined });
    const input = path.join(dir, 'photo.png');
    await writePhoto(input, 384, 256, 'png');
    const decoded = await processor.decode(input);
    const enhanced = await processor.enhance(decoded, enhanceSettingsSchema.parse({}), { signal: new AbortController().signal, onProgress: () => undefined });
    // how many depends on the cores other processes leave free (a busy machine may leave one)
    const plan = holder.current.cpuWorkers(model);
    expect(holder.current.options.workers).toBe('auto');
    expect(plan.threadsPerWorker).toBe(1);
    expect(enhanced.stats.workers).toBe(Math.min(plan.workers, availableParallelism()));
    if (enhanced.streamed) throw new Error('a 1536×1024 output is made in memory, not in strips');
    expect([enhanced.image.width, enhanced.image.height]).toEqual([1536, 1024]);
  });
});
