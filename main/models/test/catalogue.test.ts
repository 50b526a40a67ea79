// The one model catalogue on real files: the shipped models in models/ (bundled), a user folder in a temp
// directory, and small graphs made by the trainer for imports. Every probe and session is a real ONNX Runtime one.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStudioError } from '../../../shared/errors.js';
import { Engine } from '../../engine/engine.js';
import { makeTestModel } from '../../testing/test-models.js';
import { bundledDefaultId, bundledModelsDir } from '../bundled.js';
import { ModelCatalogue } from '../catalogue.js';
import { ManifestCache } from '../manifest-cache.js';
import { probeModel } from '../probe-model.js';

const shipped = bundledModelsDir();
const hasShipped = ['ctmsr-s-x4-real', 'ctmsr-s-x4-clean'].every((id) => existsSync(join(shipped, `${id}.onnx`)) && existsSync(join(shipped, `${id}.json`)));
const title = hasShipped ? `model catalogue over ${shipped}` : `model catalogue: SKIPPED, ${shipped} lacks ctmsr-s-x4-real and ctmsr-s-x4-clean (see models/README.md)`;

let work: string;
let downloads: string;
let userDir: string;
let preferred: string | null = null;
const catalogue = () => new ModelCatalogue({ bundledDirs: [shipped], userDir, preferredDefault: () => preferred });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ctmsr-catalogue-'));
  downloads = join(work, 'downloads');
  userDir = join(work, 'user');
  // a download as users get it: a graph without a manifest
  const feedforward = await makeTestModel('feedforward', { scale: 2, dir: join(work, 'made') });
  await mkdir(downloads, { recursive: true });
  await copyFile(feedforward.onnxPath, join(downloads, 'Upscaler x2.onnx'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('model catalogue without the shipped models', () => {
  it('falls back to another bundled model, saying so, when the bundled default is not installed; none at all is an error saying what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctmsr-reg-'));
    const err = await new ModelCatalogue({ bundledDirs: [dir] }).resolve().catch((e: unknown) => e);
    expect(isStudioError(err, 'model-invalid')).toBe(true);
    expect((err as Error).message).toMatch(/No models are installed .*import an ONNX model/);
    await makeTestModel('ctmsr', { dir });
    const { model, notice } = await new ModelCatalogue({ bundledDirs: [dir] }).resolve();
    expect(model.manifest.id).toBe('test-ctmsr-x4-s0');
    expect(notice).toMatch(/ctmsr-s-x4-real is not installed; using test-ctmsr-x4-s0/);
  });

  it('names the file and the problem for a broken manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctmsr-reg-'));
    const model = await makeTestModel('feedforward', { dir });
    const manifestPath = model.onnxPath.replace(/\.onnx$/, '.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, scale: 'four' }));
    for (const lookup of [model.onnxPath, model.manifest.id]) {
      const err = await new ModelCatalogue({ bundledDirs: [dir] }).find(lookup).catch((e: unknown) => e);
      expect(isStudioError(err, 'model-invalid'), lookup).toBe(true);
      expect((err as Error).message).toContain(manifestPath);
      expect((err as Error).message).toMatch(/scale/);
    }
  });
});

describe.skipIf(!hasShipped)(title, () => {
  it('finds a model by id and by the path of its .onnx (absolute or relative); an unknown id names what is installed', async () => {
    const models = catalogue();
    const onnx = join(shipped, 'ctmsr-s-x4-clean.onnx');
    expect((await models.find('ctmsr-s-x4-clean')).onnxPath).toBe(onnx);
    expect((await models.find(onnx)).manifest.id).toBe('ctmsr-s-x4-clean');
    expect((await models.find(relative(process.cwd(), onnx))).onnxPath).toBe(onnx);
    expect((await models.resolve(onnx)).notice).toBeUndefined();
    const err = await models.find('ctmsr-s-x8').catch((e: unknown) => e);
    expect(isStudioError(err, 'model-invalid')).toBe(true);
    expect((err as Error).message).toMatch(/"ctmsr-s-x8" not found \(installed: ctmsr-s-x4-clean, ctmsr-s-x4-detail, ctmsr-s-x4-real\)/);
    // the app's API passes ids only: a name ending in .onnx is not read as a file there
    await expect(models.find(onnx, { byPath: false })).rejects.toThrow(/not found/);
  });

  it('a style word (faithful, detail) picks the shipped model of that style, and only a shipped one', async () => {
    const models = catalogue();
    const faithful = await models.find('faithful');
    expect(faithful.manifest.id).toBe('ctmsr-s-x4-real');
    expect(faithful.manifest.style).toBe('faithful');
    const shipped = (await models.list()).entries.filter((e) => e.bundled).map((e) => e.model.manifest);
    for (const style of ['faithful', 'detail'] as const) {
      const bundledOne = shipped.find((m) => m.style === style);
      const found = await models.find(style).catch(() => undefined);
      expect(found?.manifest.id, style).toBe(bundledOne?.id);
    }
  });

  it('the default is the user’s choice, else the bundled default, without a notice', async () => {
    preferred = null;
    expect(await catalogue().resolve()).toEqual({ model: expect.objectContaining({ onnxPath: join(shipped, `${bundledDefaultId}.onnx`) }) });
    preferred = 'ctmsr-s-x4-clean';
    const chosen = await catalogue().resolve();
    expect(chosen.model.manifest.id).toBe('ctmsr-s-x4-clean');
    expect(chosen.notice).toBeUndefined();
    expect((await catalogue().list()).default?.model.manifest.id).toBe('ctmsr-s-x4-clean');
    // a model named outright wins over the setting
    expect((await catalogue().resolve('ctmsr-s-x4-real')).model.manifest.id).toBe('ctmsr-s-x4-real');
    preferred = null;
  });

  it('probes an imported feed-forward graph: kind, scale, range and LR multiple from the graph itself', async () => {
    const source = join(downloads, 'Upscaler x2.onnx');
    expect(await probeModel(source)).toEqual({ kind: 'feedforward', scale: 2, inputRange: [0, 1], multiple: 1 });
    await expect(probeModel(source, 3)).rejects.toThrow(/does not produce a ×3 output/);
    await expect(probeModel(join(shipped, 'ctmsr-s-x4-real.onnx'))).resolves.toMatchObject({ kind: 'ctmsr', scale: 4, inputRange: [-1, 1] });
    const junk = join(work, 'junk.onnx');
    await writeFile(junk, 'not a model');
    await expect(probeModel(junk)).rejects.toSatisfy((e) => isStudioError(e, 'model-invalid') && /not an ONNX model ONNX Runtime can open/.test((e as Error).message));
  });

  it('a setting that points to a deleted or broken model falls back to the bundled default and says so', async () => {
    const models = catalogue();
    const imported = await models.import({ path: join(downloads, 'Upscaler x2.onnx') });
    expect(imported.model.manifest).toMatchObject({ id: 'upscaler-x2', kind: 'feedforward', scale: 2, createdBy: 'imported' });
    preferred = 'upscaler-x2';
    expect(await models.resolve()).toEqual({ model: imported.model });

    // broken behind the app's back: the notice carries the reason
    const manifestPath = join(userDir, 'upscaler-x2.json');
    const manifest = await readFile(manifestPath, 'utf8');
    await writeFile(manifestPath, '{ "id": "upscaler-x2", ');
    const broken = await models.resolve();
    expect(broken.model.manifest.id).toBe(bundledDefaultId);
    expect(broken.notice).toMatch(/your default model "upscaler-x2" cannot be used \(.*upscaler-x2\.json is not valid JSON/);

    // deleted behind the app's back (the same catalogue: its cache sees the folder change)
    await writeFile(manifestPath, manifest);
    expect((await models.resolve()).model.manifest.id).toBe('upscaler-x2');
    await rm(manifestPath);
    await rm(join(userDir, 'upscaler-x2.onnx'));
    const fallback = await models.resolve();
    expect(fallback.model.manifest.id).toBe(bundledDefaultId);
    expect(fallback.notice).toMatch(/your default model "upscaler-x2" is no longer installed; using .* \(ctmsr-s-x4-real\) instead\. Choose another default in Models\./);
    expect((await models.list()).default).toEqual(fallback);
    preferred = null;
  });

  it('manifests are cached, and read again after an import, a removal, a registration or a change on disk', async () => {
    const cache = new ManifestCache();
    const first = await cache.read(shipped);
    expect(await cache.read(shipped)).toBe(first);
    cache.invalidate(shipped);
    expect(await cache.read(shipped)).not.toBe(first);

    const models = catalogue();
    const ids = async () => (await models.list()).entries.map((e) => e.model.manifest.id);
    expect(await ids()).not.toContain('upscaler-x2');
    const imported = await models.import({ path: join(downloads, 'Upscaler x2.onnx'), name: 'Upscaler x2' });
    expect(await ids()).toContain(imported.model.manifest.id);
    const registered = await models.register({ ...imported.model.manifest, name: 'Tuned', createdBy: 'fine-tuned' }, imported.model.onnxPath);
    expect(registered.manifest.id).toBe(`${imported.model.manifest.id}-2`);
    expect(await ids()).toContain(registered.manifest.id);
    await models.remove(imported.model.manifest.id);
    expect(await ids()).not.toContain(imported.model.manifest.id);
    expect(existsSync(imported.model.onnxPath)).toBe(false);
    await expect(models.remove('ctmsr-s-x4-real')).rejects.toSatisfy((e) => isStudioError(e, 'permission-denied'));

    // rewritten by hand: the next lookup reads it again
    const manifestPath = registered.onnxPath.replace(/\.onnx$/, '.json');
    await writeFile(manifestPath, JSON.stringify({ ...registered.manifest, name: 'Renamed by hand' }));
    expect((await models.find(registered.manifest.id)).manifest.name).toBe('Renamed by hand');
    await models.remove(registered.manifest.id);
    expect(await ids()).toEqual(['ctmsr-s-x4-clean', 'ctmsr-s-x4-detail', 'ctmsr-s-x4-real']);
  });

  it('a model whose graph no provider can open is model-invalid, saying what to do (the runtime failing is provider-unavailable: main/engine/test/open-failure.test.ts)', async () => {
    // a model whose manifest is fine but whose graph file is damaged
    const damaged = join(work, 'damaged');
    await mkdir(damaged, { recursive: true });
    await copyFile(join(shipped, 'ctmsr-s-x4-clean.json'), join(damaged, 'ctmsr-s-x4-clean.json'));
    await writeFile(join(damaged, 'ctmsr-s-x4-clean.onnx'), (await readFile(join(shipped, 'ctmsr-s-x4-clean.onnx'))).subarray(0, 4096));
    const model = await new ModelCatalogue({ bundledDirs: [damaged] }).find('ctmsr-s-x4-clean');
    const engine = new Engine({ providers: ['cpu'], threads: 1 });
    try {
      const err = await engine.open(model).catch((e: unknown) => e);
      expect(isStudioError(err, 'model-invalid')).toBe(true);
      expect((err as Error).message).toMatch(/could not be opened on any provider: .*re-export or re-import the model/);
    } finally {
      await engine.close();
    }
  });
});
