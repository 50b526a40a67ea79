/**
 * Python discovery against real interpreters: the test Python with PyTorch (CTMSR_PYTHON or /usr/bin/python3),
 * wrappers around it that hide torch, and stand-ins that report versions too old to train.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPython } from '../../testing/test-models.js';
import { candidates, discoverPython, installAdvice, validatePythonSetting } from '../python.js';

let dir: string;
let noTorch: string;
let oldPython: string;
let oldTorch: string;

async function executable(file: string, body: string): Promise<string> {
  await writeFile(file, body);
  await chmod(file, 0o755);
  return file;
}

const fakeReport = (version: string, torch: string) =>
  `#!/bin/sh\necho '${JSON.stringify({ executable: `/fake/python-${version}`, version, missing: [], torch, devices: [{ kind: 'cpu', name: 'CPU' }] })}'\n`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-python-'));
  // the real interpreter, with `import torch` made to fail
  noTorch = await executable(path.join(dir, 'python-no-torch'), `#!/bin/sh\nexec ${testPython} -c "import sys; sys.modules['torch'] = None; exec(sys.argv[1])" "$2"\n`);
  oldPython = await executable(path.join(dir, 'python-3.6'), fakeReport('3.6.9', '1.4.0'));
  oldTorch = await executable(path.join(dir, 'python-old-torch'), fakeReport('3.11.2', '1.10.2+cpu'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('discoverPython', () => {
  it('finds the Python set in the settings and reports its versions and devices', async () => {
    const info = await discoverPython({ setting: testPython, usualPlaces: [] });
    expect(info.ok).toBe(true);
    expect(info.version).toMatch(/^3\.\d+/);
    expect(info.torch).toMatch(/^\d+\.\d+/);
    expect(info.devices.at(-1)).toEqual({ kind: 'cpu', name: 'CPU' });
    expect(info.tried[0]).toEqual({ candidate: `the setting (${testPython})`, problem: null });
  });

  it('finds one on PATH when nothing is set', async () => {
    const bin = path.join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(testPython, path.join(bin, 'python3')).catch(() => undefined);
    const info = await discoverPython({ env: { PATH: bin }, platform: 'linux', usualPlaces: [] });
    expect(info.ok).toBe(true);
    expect(info.tried.map((t) => t.candidate)).toEqual(['python3']);
  });

  it('says what to install when no candidate exists', async () => {
    const info = await discoverPython({ env: { PATH: path.join(dir, 'empty') }, platform: 'linux', usualPlaces: [path.join(dir, 'nowhere', 'python3')] });
    expect(info.ok).toBe(false);
    expect(info.tried.map((t) => t.problem)).toEqual(['not found', 'not found', 'not found']);
    expect(info.advice).toContain('apt install python3-torch');
    expect(installAdvice('win32')).toContain('py -3 -m pip install torch');
    expect(installAdvice('darwin')).toContain('MPS');
  });

  it('skips a Python without torch and reports why', async () => {
    const info = await discoverPython({ env: { PATH: path.join(dir, 'empty'), CTMSR_PYTHON: noTorch }, platform: 'linux', usualPlaces: [] });
    expect(info.ok).toBe(false);
    expect(info.tried[0].candidate).toBe(`CTMSR_PYTHON (${noTorch})`);
    expect(info.tried[0].problem).toMatch(/has no PyTorch/);
  });

  it('refuses versions too old to train, and does not replace a broken setting with another Python', async () => {
    const tooOld = await discoverPython({ setting: oldPython, env: { PATH: path.join(dir, 'empty'), CTMSR_PYTHON: testPython }, usualPlaces: [] });
    expect(tooOld.ok).toBe(false);
    expect(tooOld.tried).toEqual([{ candidate: `the setting (${oldPython})`, problem: 'Python 3.6.9 is too old (3.9 or newer needed)' }]);
    const info = await discoverPython({ env: { PATH: path.join(dir, 'empty'), CTMSR_PYTHON: oldTorch }, usualPlaces: [] });
    expect(info.tried[0].problem).toBe('PyTorch 1.10.2+cpu is too old (1.13 or newer needed)');
  });

  it('does not replace a setting that cannot run at all with another Python', async () => {
    const gone = path.join(dir, 'removed', 'python3');
    const crashing = await executable(path.join(dir, 'python-crashing'), '#!/bin/sh\nexit 3\n');
    for (const setting of [gone, crashing]) {
      const info = await discoverPython({ setting, env: { PATH: path.join(dir, 'empty'), CTMSR_PYTHON: testPython }, usualPlaces: [] });
      expect(info.ok).toBe(false);
      expect(info.tried.map((t) => t.candidate)).toEqual([`the setting (${setting})`]);
    }
  });

  it('tries py -3 first on Windows', () => {
    expect(candidates({ platform: 'win32', env: {} }).map((c) => c.label)).toEqual(['py -3', 'python', 'python3']);
  });
});

describe('validatePythonSetting', () => {
  it('accepts a Python that imports torch, and an empty setting', async () => {
    await expect(validatePythonSetting(testPython)).resolves.toBeUndefined();
    await expect(validatePythonSetting('')).resolves.toBeUndefined();
  });

  it('refuses, before running anything, a relative path, a missing file, a folder and a file that is not executable', async () => {
    await expect(validatePythonSetting('python3')).rejects.toThrow(/must be a full path/);
    await expect(validatePythonSetting(path.join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    await expect(validatePythonSetting(dir)).rejects.toThrow(/is a folder/);
    const plain = path.join(dir, 'plain.txt');
    await writeFile(plain, 'print(1)');
    await expect(validatePythonSetting(plain)).rejects.toThrow(/is not executable/);
  });

  it('says what a path that is not a file is (a device is not "a folder")', async () => {
    await expect(validatePythonSetting('/dev/zero')).rejects.toThrow('The Python interpreter /dev/zero is a device, not a program.');
    // the UI says it in its own language from the key and values
    await expect(validatePythonSetting(dir)).rejects.toMatchObject({ said: { key: 'python.notAProgram', params: { file: dir, fileKind: 'folder' } } });
  });

  it('never runs a program that is not named as a Python (a shell would run the probe as a script)', async () => {
    const marker = path.join(dir, 'ran');
    const tool = await executable(path.join(dir, 'cleanup-tool'), `#!/bin/sh\ntouch ${marker}\n`);
    await mkdir(path.join(dir, 'disguised'), { recursive: true });
    const disguised = path.join(dir, 'disguised', 'python3');
    await symlink(tool, disguised);
    for (const program of [tool, disguised, '/bin/sh']) {
      await expect(validatePythonSetting(program)).rejects.toThrow(/is not a Python interpreter \(a Python is named python, python3, python3\.12 or similar; \S+ was not run\)/);
      await expect(validatePythonSetting(program)).rejects.toMatchObject({ said: { key: 'python.notPythonNamed', params: { file: program, name: path.basename(program) } } });
    }
    const info = await discoverPython({ env: { PATH: path.join(dir, 'empty'), CTMSR_PYTHON: tool }, usualPlaces: [] });
    expect(info.tried[0]).toEqual({ candidate: `CTMSR_PYTHON (${tool})`, problem: expect.stringContaining('is not a Python interpreter') });
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a Python without torch and a program that is not Python', async () => {
    await expect(validatePythonSetting(noTorch)).rejects.toThrow(/cannot train: Python .* has no PyTorch/);
    const echo = await executable(path.join(dir, 'not-python'), '#!/bin/sh\necho hello\n');
    await expect(validatePythonSetting(echo)).rejects.toThrow(/is not a Python interpreter/);
  });
});
