import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewRequest } from '../../../shared/api/requests.js';
import { defaultAppSettings } from '../../../shared/api/settings.js';
import { isStudioError } from '../../../shared/errors.js';
import { Engine } from '../../engine/engine.js';
import { openDatabase } from '../../store/db.js';
import { writeSetting } from '../../store/settings.js';
import { writePhoto } from '../../testing/photos.js';
import { makeTestModel } from '../../testing/test-models.js';
import { EngineHolder } from '../engine-service.js';
import { parseNvidiaSmiList } from '../../host/gpu-devices.js';
import { acquireInstanceLock } from '../../host/instance-lock.js';
import { PreviewService, clampRect } from '../preview-service.js';
import { SettingsService } from '../settings-service.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-services-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('settings', () => {
  it('persist in the database and tell listeners what changed', () => {
    const file = path.join(dir, 'settings.db');
    const db = openDatabase(file);
    const settings = new SettingsService(db);
    expect(settings.get()).toEqual(defaultAppSettings);
    const seen: string[] = [];
    settings.onChange((next, previous) => seen.push(`${previous.theme}->${next.theme}`));
    settings.update({ theme: 'dark', threads: 4 });
    expect(() => settings.update({ memoryBudgetMB: 1 })).toThrow();
    db.close();
    const reopened = new SettingsService(openDatabase(file));
    expect(reopened.get()).toMatchObject({ theme: 'dark', threads: 4, memoryBudgetMB: defaultAppSettings.memoryBudgetMB });
    expect(seen).toEqual(['system->dark']);
  });

  it('keep the valid fields of a stored value that no longer validates', () => {
    const db = openDatabase(path.join(dir, 'old.db'));
    writeSetting(db, 'app', { theme: 'light', language: 'klingon', threads: 2, removedLongAgo: true });
    expect(new SettingsService(db).get()).toEqual({ ...defaultAppSettings, theme: 'light', threads: 2 });
  });
});

describe('the engine holder', () => {
  it('makes a new engine only when an engine setting changes, and reports what runs where', async () => {
    const holder = new EngineHolder(defaultAppSettings, async () => [{ id: 0, name: 'NVIDIA H100 80GB HBM3' }]);
    const first = holder.current;
    expect(holder.settingsChanged({ ...defaultAppSettings, theme: 'dark' }, defaultAppSettings)).toBe(false);
    expect(holder.current).toBe(first);
    expect(holder.settingsChanged({ ...defaultAppSettings, provider: 'cpu', threads: 2 }, defaultAppSettings)).toBe(true);
    expect(holder.current).not.toBe(first);
    expect(holder.current.options).toMatchObject({ providers: ['cpu'], threads: 2 });
    expect((await holder.status()).lastChoice).toBeNull();
    // nothing is "available" before a session on it has started
    expect((await holder.status()).providers.find((p) => p.name === 'cpu')).toMatchObject({ available: false, state: 'untested' });
    const fallback = 'NVIDIA CUDA could not start: Failed to load shared library libonnxruntime_providers_cuda.so';
    expect(holder.recordChoice({ provider: 'cpu', requested: 'cuda', fallbackReason: fallback })).toBe(true);
    expect(holder.recordChoice({ provider: 'cpu', requested: 'cuda', fallbackReason: fallback })).toBe(false);
    const status = await holder.status();
    expect(status.providers.find((p) => p.name === 'cpu')).toMatchObject({ available: true, state: 'ready' });
    const cuda = status.providers.find((p) => p.name === 'cuda')!;
    if (cuda.state !== 'unavailable') {
      expect(cuda).toMatchObject({ available: false, state: 'failed', problem: { kind: 'cuda-libraries-missing' } });
      expect(cuda.note).toMatch(/^The NVIDIA CUDA libraries were not found\. Install the NVIDIA driver, CUDA 12 and cuDNN 9/);
    }
    expect(status.devices).toEqual([{ id: 0, name: 'NVIDIA H100 80GB HBM3' }]);
    expect(status.lastChoice).toEqual({ provider: 'cpu', requested: 'cuda', fallbackReason: fallback });
  });
});

describe('GPU names', () => {
  it('are read from nvidia-smi -L', () => {
    const text = 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1c2b3a)\nGPU 1: NVIDIA GeForce RTX 4090 (UUID: GPU-9f8e)\n';
    expect(parseNvidiaSmiList(text)).toEqual([
      { id: 0, name: 'NVIDIA H100 80GB HBM3' },
      { id: 1, name: 'NVIDIA GeForce RTX 4090' },
    ]);
    expect(parseNvidiaSmiList('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.')).toEqual([]);
  });
});

describe('previews', () => {
  it('enhance one region at the model scale, clamped to the image', async () => {
    const photo = path.join(dir, 'photo.png');
    await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toFile(photo);
    const model = await makeTestModel('ctmsr');
    const previews = new PreviewService(() => new Engine({ providers: ['cpu'] }));
    const { result, choice } = await previews.region({ path: photo, model, rect: { x: 100, y: 10, width: 48, height: 32 }, steps: 1, seed: 3 });
    expect(result.rect).toEqual({ x: 72, y: 10, width: 48, height: 32 });
    expect(choice.provider).toBe('cpu');
    const key = result.media.replace('preview/', '');
    const meta = await sharp(previews.get(key)!).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 192, 128]);
    expect(previews.get('unknown')).toBeUndefined();
  });

  it('sample a model in its own step count when the request names none', async () => {
    const photo = path.join(dir, 'textured.png');
    await writePhoto(photo, 64, 48, 'png');
    const model = await makeTestModel('ctmsr', { steps: [1, 0.5] });
    const previews = new PreviewService(() => new Engine({ providers: ['cpu'] }));
    const request = previewRequest.parse({ imageId: 1, rect: { x: 8, y: 8, width: 32, height: 24 } });
    expect(request.steps).toBeUndefined();
    const png = async (steps: number | undefined) => previews.get((await previews.region({ path: photo, model, rect: request.rect, steps, seed: request.seed })).result.media.replace('preview/', ''))!;
    const own = await png(request.steps);
    expect(own.equals(await png(2))).toBe(true);
    expect(own.equals(await png(1))).toBe(false);
  });

  it('fail with the reason for a file that is not an image', async () => {
    const broken = path.join(dir, 'broken.jpg');
    await writeFile(broken, 'nope');
    const previews = new PreviewService(() => new Engine({ providers: ['cpu'] }));
    const error = await previews.region({ path: broken, model: await makeTestModel('ctmsr'), rect: { x: 0, y: 0, width: 8, height: 8 }, steps: 1, seed: 0 }).catch((e: unknown) => e);
    expect(isStudioError(error)).toBe(true);
  });

  it('clamp regions larger than the image', () => {
    expect(clampRect({ x: 5, y: 5, width: 500, height: 20 }, { width: 100, height: 50 })).toEqual({ x: 0, y: 5, width: 100, height: 20 });
  });
});

describe('the instance lock', () => {
  it('refuses a data folder another running process owns, and takes over one whose process is gone', async () => {
    const data = path.join(dir, 'data');
    const lock = path.join(data, 'studio.lock');
    const release = acquireInstanceLock(data);
    release();
    await writeFile(lock, String(process.ppid));
    expect(() => acquireInstanceLock(data)).toThrow(/already running with the data folder/);
    await writeFile(lock, '2147483646');
    const again = acquireInstanceLock(data);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    again();
    expect(existsSync(lock)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('takes over from a process killed with SIGKILL that is still a zombie', async () => {
    const data = path.join(dir, 'zombie');
    // the child exits at once and its parent never reaps it: a zombie for 30 s (perl does not reap on its own, where a
    // shell may reap a finished job before it execs, depending on timing)
    const parent = spawn('perl', ['-e', '$| = 1; my $p = fork(); exit 0 unless $p; print "$p\\n"; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number((await once(parent.stdout, 'data'))[0].toString().trim());
      await expect.poll(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1][0]).toBe('Z');
      await mkdir(data, { recursive: true });
      await writeFile(path.join(data, 'studio.lock'), String(zombie));
      acquireInstanceLock(data)();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
