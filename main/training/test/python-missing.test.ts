/**
 * Starting a run when no Python can train: the user's saved interpreter has lost PyTorch since it was checked (a
 * venv rebuilt without it). The start is refused with `python-missing` and advice on what to install, before any
 * run is recorded. Real interpreter, real SQLite, real settings.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStudioError } from '../../../shared/errors.js';
import { openStudio, type Studio } from '../../services/studio.js';
import { makePairsFolder } from '../../testing/pairs.js';
import { testPython, writeTestModel } from '../../testing/test-models.js';

let dir: string;
let studio: Studio;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-python-missing-'));
  writeTestModel('ctmsr', path.join(dir, 'models', 'tiny-ctmsr.onnx'), { checkpoint: true });
  await makePairsFolder(path.join(dir, 'pairs'), { count: 10, width: 64, height: 48 });
  studio = await openStudio({ dataDir: path.join(dir, 'data'), bundledModelDirs: [path.join(dir, 'models')] });
}, 120_000);

afterAll(async () => {
  await studio?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('training without a usable Python', () => {
  it('refuses to start with python-missing, says what to install, and records no run', async () => {
    const bin = path.join(dir, 'venv', 'bin');
    await mkdir(bin, { recursive: true });
    const python = path.join(bin, 'python3');
    await writeFile(python, `#!/bin/sh\nexec ${testPython} "$@"\n`);
    await chmod(python, 0o755);
    await studio.handlers.settings.update({ pythonPath: python }); // checked: it trains
    // PyTorch goes away afterwards; the probe passes its script as `-c <script>`, so the wrapper runs $2 with torch hidden
    await writeFile(python, `#!/bin/sh\nexec ${testPython} -c "import sys; sys.modules['torch'] = None; exec(sys.argv[1])" "$2"\n`);
    // the check when it was set is cached as the probe training uses; "Check again" probes anew
    expect((await studio.handlers.training.python({ refresh: true })).ok).toBe(false);
    // no other Python is needed to make none usable: a broken setting is reported, never replaced by one found on
    // PATH, CTMSR_PYTHON or /usr/bin (python.ts), so the machine's own working interpreter does not hide the error

    const error = await studio.training
      .start({ source: { kind: 'pairs', folder: path.join(dir, 'pairs') }, baseModelId: 'tiny-ctmsr', length: 'test', stages: 'ct', heldOutShare: 0.2 })
      .then(() => null, (e: unknown) => e);
    expect(isStudioError(error, 'python-missing'), String(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('Training needs Python with PyTorch');
    expect(message).toContain(`the setting (${python}): Python`);
    expect(message).toMatch(/has no PyTorch/);
    // what to install, and the other way out
    expect(message).toContain('pip install torch numpy pillow pyyaml');
    expect(message).toContain('Settings → Python interpreter');
    expect(await studio.handlers.training.runs({})).toEqual([]);
  }, 120_000);
});
