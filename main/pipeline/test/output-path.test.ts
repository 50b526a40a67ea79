import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyTemplate, planOutputs } from '../output-path.js';

describe('output planning', () => {
  it('fills the naming tokens and keeps names inside the output folder', () => {
    expect(applyTemplate('{name}-{ext}-{model}-x{scale}', '/p/IMG_1.JPG', { model: 'm', scale: 4 })).toBe('IMG_1-jpg-m-x4');
    expect(applyTemplate('../../{name}', '/p/a.png')).toBe('_.._a');
  });

  it('never lets two inputs claim one output, and never overwrites an input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctmsr-plan-'));
    await mkdir(join(dir, 'in'));
    await writeFile(join(dir, 'in/a.jpg'), 'x');
    await writeFile(join(dir, 'in/a.png'), 'x');
    const inputs = [{ path: join(dir, 'in/a.jpg') }, { path: join(dir, 'in/a.png') }];
    const plan = planOutputs(inputs, { outDir: join(dir, 'in'), format: 'png', template: '{name}', collision: 'overwrite', skipExisting: false });
    expect(plan.map((p) => p.action)).toEqual(['write', 'write']);
    // a.jpg → a.png would replace an input: renamed instead; a.png's own output likewise.
    expect(plan.map((p) => (p.action === 'write' ? p.output : '')).map((o) => o.slice(dir.length))).toEqual(['/in/a (1).png', '/in/a (2).png']);
    const fail = planOutputs(inputs, { outDir: join(dir, 'out'), format: 'png', template: '{name}', collision: 'fail', skipExisting: false });
    expect(fail.map((p) => p.action)).toEqual(['write', 'fail']);
  });
});
