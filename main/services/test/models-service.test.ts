import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestModel } from '../../testing/test-models.js';
import { ModelCatalogue } from '../../models/catalogue.js';
import { ModelsService } from '../models-service.js';

let dir: string;
let bundled: string;
let downloads: string;
let preferred: string | null = null;
let service: ModelsService;
let catalogue: ModelCatalogue;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-models-'));
  bundled = path.join(dir, 'bundled');
  downloads = path.join(dir, 'downloads');
  const ctmsr = await makeTestModel('ctmsr', { dir: bundled });
  const feedforward = await makeTestModel('feedforward', { scale: 2, dir: path.join(dir, 'made') });
  await makeTestModel('feedforward', { scale: 3, dir: path.join(dir, 'made') });
  // Downloads without manifests, as users get them.
  await mkdir(downloads, { recursive: true });
  await copyFile(feedforward.onnxPath, path.join(downloads, 'RealESRGAN x2.onnx'));
  await copyFile(ctmsr.onnxPath, path.join(downloads, 'step.onnx'));
  await copyFile(path.join(dir, 'made', 'test-feedforward-x3-s0.onnx'), path.join(downloads, 'three.onnx'));
  await writeFile(path.join(downloads, 'notes.onnx'), 'not a model');
  catalogue = new ModelCatalogue({ bundledDirs: [bundled], userDir: path.join(dir, 'user'), preferredDefault: () => preferred });
  service = new ModelsService(catalogue);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('models', () => {
  it('lists bundled models, the only one being the default (saying the shipped default is missing), and not removable', async () => {
    const [model] = await service.list();
    expect(model.manifest.id).toBe('test-ctmsr-x4-s0');
    expect(model.isDefault).toBe(true);
    expect(model.defaultNotice).toMatch(/^The default model ctmsr-s-x4-real is not installed; using test-ctmsr-x4-s0/);
    expect(model.removable).toBe(false);
    await expect(service.remove('test-ctmsr-x4-s0')).rejects.toThrow(/comes with CTMSR Studio/);
  });

  it('imports a feed-forward graph without a manifest: kind and scale from the graph, manifest written', async () => {
    const imported = await service.import({ path: path.join(downloads, 'RealESRGAN x2.onnx') });
    expect(imported.manifest).toMatchObject({ id: 'realesrgan-x2', name: 'RealESRGAN x2', kind: 'feedforward', scale: 2, inputRange: [0, 1], createdBy: 'imported' });
    expect(imported.removable).toBe(true);
    const written = JSON.parse(await readFile(path.join(dir, 'user', 'realesrgan-x2.json'), 'utf8'));
    expect(written).toMatchObject({ id: 'realesrgan-x2', scale: 2, kind: 'feedforward' });
    expect((await catalogue.resolve('realesrgan-x2')).model.onnxPath).toBe(path.join(dir, 'user', 'realesrgan-x2.onnx'));
  });

  it('recognises CTMSR step graphs, gives repeated imports their own id, and checks a given scale', async () => {
    const step = await service.import({ path: path.join(downloads, 'step.onnx'), name: 'My CTMSR' });
    expect(step.manifest).toMatchObject({ id: 'my-ctmsr', kind: 'ctmsr', scale: 4, inputRange: [-1, 1] });
    expect((await service.import({ path: path.join(downloads, 'step.onnx'), name: 'My CTMSR' })).manifest.id).toBe('my-ctmsr-2');
    expect((await service.import({ path: path.join(downloads, 'three.onnx') })).manifest.scale).toBe(3);
    await expect(service.import({ path: path.join(downloads, 'three.onnx'), scale: 2 })).rejects.toThrow(/does not produce a ×2 output/);
  });

  it('refuses files that are not ONNX models, saying why', async () => {
    await expect(service.import({ path: path.join(downloads, 'notes.onnx') })).rejects.toThrow(/not an ONNX model ONNX Runtime can open/);
    await expect(service.import({ path: path.join(dir, 'photo.jpg') })).rejects.toThrow(/not an \.onnx file/);
  });

  it('follows the preferred default, removes imports and names what is installed when a model is missing', async () => {
    preferred = 'realesrgan-x2';
    expect((await service.list()).find((m) => m.isDefault)?.manifest.id).toBe('realesrgan-x2');
    expect((await catalogue.resolve()).model.manifest.id).toBe('realesrgan-x2');
    expect((await service.list()).find((m) => m.isDefault)?.defaultNotice).toBeUndefined();
    await service.remove('realesrgan-x2');
    const listed = await service.list();
    expect(listed.filter((m) => m.isDefault).map((m) => m.manifest.id)).toEqual(['test-ctmsr-x4-s0']);
    expect(listed.find((m) => m.isDefault)?.defaultNotice).toMatch(/^Your default model "realesrgan-x2" is no longer installed; using .*\(test-ctmsr-x4-s0\) instead/);
    await expect(catalogue.resolve('realesrgan-x2')).rejects.toThrow(/"realesrgan-x2" not found \(installed: test-ctmsr-x4-s0, /);
  });
});
