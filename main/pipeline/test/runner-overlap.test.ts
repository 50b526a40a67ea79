import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceSettingsSchema } from '../../../shared/enhance/settings.js';
import { Engine } from '../../engine/engine.js';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import type { PlannedOutput } from '../output-path.js';
import { runPlan, type PlanEvents } from '../runner.js';
import { pipelineStages } from '../stages.js';
import { writePhoto } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';

let work: string;
let model: LoadedModel;
const single = new Engine({ providers: ['cpu'], threads: 1 });
const pooled = new Engine({ providers: ['cpu'], workers: 2 });
afterAll(() => Promise.all([single.close(), pooled.close()]));

const names = ['p0', 'p1', 'p2', 'p3', 'p4'];
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ctmsr-batch-overlap-'));
  await mkdir(join(work, 'in'));
  for (const [i, n] of names.entries()) await writePhoto(join(work, 'in', `${n}.png`), 56, 40, 'png', i);
  model = await makeTestModel('ctmsr');
});

const settings = enhanceSettingsSchema.parse({ format: 'png' });
const plan = (outDir: string, which = names): PlannedOutput[] =>
  which.map((n) => ({ input: join(work, 'in', `${n}.png`), action: 'write', output: join(outDir, `${n}.png`), replaces: false }));

/** Records the event order and the most images ever between started and finished. */
function tracker(): { events: PlanEvents; order: string[]; peak: () => number } {
  const order: string[] = [];
  let open = 0;
  let peak = 0;
  return {
    order,
    peak: () => peak,
    events: {
      imageStarted: (i) => {
        order.push(`start ${i}`);
        peak = Math.max(peak, ++open);
      },
      imageFinished: (i) => {
        order.push(`finish ${i}`);
        open--;
      },
    },
  };
}

describe('the image runner over a plan', () => {
  it('runs images side by side on the CPU workers, whole, with the pixels of a one-at-a-time run', async () => {
    const one = tracker();
    const sequential = await runPlan(plan(join(work, 'one')), { stages: pipelineStages({ engine: single, model: async () => model }), settings, imagesAtOnce: 1, events: one.events });
    const two = tracker();
    const parallel = await runPlan(plan(join(work, 'two')), { stages: pipelineStages({ engine: pooled, model: async () => model }), settings, imagesAtOnce: 2, events: two.events });
    expect(sequential.map((o) => o.status)).toEqual(names.map(() => 'done'));
    expect(parallel.map((o) => o.input)).toEqual(sequential.map((o) => o.input));
    expect(parallel.map((o) => o.status)).toEqual(names.map(() => 'done'));
    expect(one.peak()).toBe(1);
    expect(two.peak()).toBe(2);
    expect(two.order.indexOf('start 1')).toBeLessThan(two.order.indexOf('finish 0'));
    expect(two.order.filter((e) => e.startsWith('finish'))).toEqual(names.map((_, i) => `finish ${i}`));
    expect(pooled.workerPool?.peakWorkers).toBe(2);
    // each image ran whole on one worker, so the files are byte for byte those of one session
    for (const n of names) expect((await readFile(join(work, 'two', `${n}.png`))).equals(await readFile(join(work, 'one', `${n}.png`)))).toBe(true);
  });

  it('records a failed write in its place, and the images after it still run', async () => {
    const out = join(work, 'out-bad');
    await mkdir(out);
    // a folder where p1's output file should go: its write fails, the others do not
    await mkdir(join(out, 'p1.png'));
    const outcomes = await runPlan(plan(out, ['p0', 'p1', 'p2']), { stages: pipelineStages({ engine: pooled, model: async () => model }), settings, imagesAtOnce: 2 });
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'failed', 'done']);
    expect(outcomes[1].input).toMatch(/p1\.png$/);
    expect(existsSync(join(out, 'p2.png'))).toBe(true);
  });
});
