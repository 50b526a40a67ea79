import { copyFile, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { decodeImage } from '../../imaging/decode.js';
import { regionPng } from '../../imaging/display-png.js';
import { bundledModelsDir } from '../../models/bundled.js';
import { loadModel } from '../../models/load-model.js';
import { makeTestModel } from '../../testing/test-models.js';
import { ModelSamples } from '../model-samples.js';

let dir: string;
let runs = 0;
const engine = new Engine({ providers: ['cpu'] });
const counting = () => ({ enhance: (...args: Parameters<Engine['enhance']>) => (runs++, engine.enhance(...args)) }) as Engine;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-samples-'));
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const size = async (url: string) => sharp(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64')).metadata();
const samplesIn = (cacheDir: string) => new ModelSamples({ engine: counting, picture: path.join(bundledModelsDir(), 'sample.png'), cacheDir });

describe('model samples', () => {
  it('enlarges the sample picture by bicubic and by any model through the engine, once per model file', async () => {
    const cacheDir = path.join(dir, 'cache');
    const model = await makeTestModel('ctmsr', { dir: path.join(dir, 'models') });
    const sample = await samplesIn(cacheDir).sample(model);
    expect(await size(sample.before)).toMatchObject({ width: 192, height: 192 });
    expect(await size(sample.after)).toMatchObject({ width: 192, height: 192 });
    expect(sample.after).not.toBe(sample.before);
    expect(runs).toBe(1);

    // kept on disk: a restarted app (a new instance) does not run the model again
    expect(await samplesIn(cacheDir).sample(model)).toEqual(sample);
    expect(runs).toBe(1);

    // a model added later, e.g. to models/, gets its own the same way; a replaced file is run again
    const x2 = await makeTestModel('feedforward', { scale: 2, dir: path.join(dir, 'models') });
    expect(await size((await samplesIn(cacheDir).sample(x2)).after)).toMatchObject({ width: 96, height: 96 });
    expect(runs).toBe(2);
    await utimes(model.onnxPath, new Date(), new Date(Date.now() + 5000));
    await samplesIn(cacheDir).sample(await loadModel(model.onnxPath));
    expect(runs).toBe(3);
    // so is a new sample picture
    const picture = path.join(dir, 'sample.png');
    await copyFile(path.join(bundledModelsDir(), 'sample.png'), picture);
    await new ModelSamples({ engine: counting, picture, cacheDir }).sample(await loadModel(model.onnxPath));
    expect(runs).toBe(4);
  });

  it("samples the model's own step count, and makes the crop again when its manifest changes the σ list", async () => {
    const cacheDir = path.join(dir, 'cache-steps');
    const model = await makeTestModel('ctmsr', { dir: path.join(dir, 'steps-models') });
    const oneStep = await samplesIn(cacheDir).sample(model);
    const made = runs;
    // the same graph file, its manifest now saying the model is sampled in two steps
    const manifest = model.onnxPath.replace(/\.onnx$/, '.json');
    await writeFile(manifest, JSON.stringify({ ...JSON.parse(await readFile(manifest, 'utf8')), steps: [1, 0.5] }));
    const twoStep = await loadModel(model.onnxPath);
    const sample = await samplesIn(cacheDir).sample(twoStep);
    expect(runs).toBe(made + 1);
    expect(sample.after).not.toBe(oneStep.after);
    const picture = await decodeImage(path.join(bundledModelsDir(), 'sample.png'));
    const { image } = await engine.enhance(twoStep, picture.rgb, { seed: 0, steps: 2 });
    const png = await regionPng(image, { left: 0, top: 0, width: image.width, height: image.height });
    expect(sample.after).toBe(`data:image/png;base64,${png.toString('base64')}`);
  });
});
