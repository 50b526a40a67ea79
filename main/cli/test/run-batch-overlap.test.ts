import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhanceSettingsSchema } from '../../../shared/enhance/settings.js';
import { Engine } from '../../engine/engine.js';
import type { LoadedModel } from '../../models/registry.js';
import type { PlannedOutput } from '../../pipeline/output-path.js';
import { writePhoto } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';
import { runBatch } from '../run-batch.js';

let work: string;
let model: LoadedModel;
const engine = new Engine({ providers: ['cpu'], threads: 1 });
afterAll(() => engine.close());

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ctmsr-batch-overlap-'));
  await mkdir(join(work, 'in'));
  for (let i = 0; i < 4; i++) await writePhoto(join(work, 'in', `p${i}.png`), 48, 40, 'png', i);
  model = await makeTestModel('ctmsr');
});

const settings = enhanceSettingsSchema.parse({ format: 'png' });
const plan = (outDir: string, names = ['p0', 'p1', 'p2', 'p3']): PlannedOutput[] =>
  names.map((n) => ({ input: join(work, 'in', `${n}.png`), action: 'write', output: join(outDir, `${n}.png`), replaces: false }));

describe('the CLI batch loop', () => {
  it('starts the next image while the previous one is written, and reports outcomes in plan order', async () => {
    const events: string[] = [];
    const outcomes = await runBatch(plan(join(work, 'out')), {
      engine,
      model,
      settings,
      events: { imageStarted: (i) => events.push(`start ${i}`), imageFinished: (i) => events.push(`finish ${i}`) },
    });
    expect(outcomes.map((o) => [o.status, o.input.slice(-6)])).toEqual([0, 1, 2, 3].map((i) => ['done', `p${i}.png`]));
    expect(events.filter((e) => e.startsWith('finish'))).toEqual(['finish 0', 'finish 1', 'finish 2', 'finish 3']);
    // image 1 was on the engine before image 0's file was finished
    expect(events.indexOf('start 1')).toBeLessThan(events.indexOf('finish 0'));
    for (let i = 0; i < 4; i++) expect(existsSync(join(work, 'out', `p${i}.png`))).toBe(true);
  });

  it('records a failed write in its place, and the images after it still run', async () => {
    const out = join(work, 'out-bad');
    await mkdir(out);
    // a folder where p1's output file should go: its write fails, the others do not
    await mkdir(join(out, 'p1.png'));
    const outcomes = await runBatch(plan(out, ['p0', 'p1', 'p2']), { engine, model, settings });
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'failed', 'done']);
    expect(outcomes[1].input).toMatch(/p1\.png$/);
  });
});
