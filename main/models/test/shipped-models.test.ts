// Every model shipped in models/ (<id>.onnx + <id>.json) has a valid manifest, loads in the real engine and
// enhances a small image through the app's pipeline to the right size. CTMSR_MODELS_DIR points it elsewhere.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { enhanceSettingsSchema } from '../../../shared/enhance/settings.js';
import { parseModelManifest } from '../../../shared/models/manifest.js';
import { Engine } from '../../engine/engine.js';
import { decodeInput, enhanceDecoded, writeOutput } from '../../pipeline/enhance-file.js';
import { bundledDefaultId, bundledModelsDir } from '../bundled.js';
import { ModelCatalogue } from '../catalogue.js';
import { loadModel } from '../load-model.js';

const dir = bundledModelsDir();
const files = existsSync(dir) ? readdirSync(dir).sort() : [];
const graphs = files.filter((f) => f.endsWith('.onnx')).map((f) => basename(f, '.onnx'));
const manifests = files.filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json'));
const ids = [...new Set([...graphs, ...manifests])].sort();
const none = ids.length === 0;

const engine = new Engine({ providers: ['cpu'], threads: 1 });
let work: string | undefined;
afterAll(async () => {
  await engine.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A smooth photo-like 8-bit pattern, interleaved RGB. */
function pattern(width: number, height: number): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const v = 0.5 + 0.25 * Math.sin(x / (6 + c) + y / 8) + 0.15 * Math.cos(y / 11 - c);
        buf[(y * width + x) * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
  return buf;
}

const title = none
  ? `shipped models: SKIPPED, ${dir} holds no model yet (ctmsr-s-x4-real and ctmsr-s-x4-clean are exported there when trained; see models/README.md)`
  : `shipped models in ${dir}`;

describe.skipIf(none)(title, () => {
  it('every graph has a manifest and every manifest a graph', () => {
    expect(graphs, 'an .onnx without its .json manifest').toEqual(expect.arrayContaining(manifests));
    expect(manifests, 'a .json manifest without its .onnx graph').toEqual(expect.arrayContaining(graphs));
  });

  it.skipIf(Boolean(process.env.CTMSR_MODELS_DIR))('ships both models, and the CLI default resolves to ctmsr-s-x4-real without a fallback', async () => {
    expect(ids).toEqual(expect.arrayContaining(['ctmsr-s-x4-real', 'ctmsr-s-x4-clean']));
    const { model, notice } = await new ModelCatalogue({ bundledDirs: [dir] }).resolve();
    expect(model.manifest.id).toBe(bundledDefaultId);
    expect(notice).toBeUndefined();
  });

  describe.each(ids)('%s', (id) => {
    it('has a valid manifest whose id is its file name, with provenance and measured metrics', async () => {
      const json = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'));
      const manifest = parseModelManifest(json, `${id}.json`);
      expect(manifest.id).toBe(id);
      expect(manifest.createdBy).toBe('bundled');
      expect(manifest.trainedOn, 'manifest.trainedOn (training data)').toBeTruthy();
      expect(manifest.training, 'manifest.training (config, iterations)').toBeDefined();
      for (const [set, m] of Object.entries(manifest.metrics)) {
        expect(m.psnr, `${set} PSNR`).toBeGreaterThan(10);
        expect(m.ssim, `${set} SSIM`).toBeLessThanOrEqual(1);
      }
    });

    it('loads in the engine and enhances a 40×32 image through the pipeline to the right size, image-like', async () => {
      const model = await loadModel(join(dir, `${id}.onnx`));
      work ??= await mkdtemp(join(tmpdir(), 'ctmsr-shipped-'));
      const input = join(work, `${id}-in.png`);
      const [w, h] = [40, 32];
      const pixels = pattern(w, h);
      await sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).png().toFile(input);
      const settings = enhanceSettingsSchema.parse({ format: 'png', seed: 0 });
      const enhanced = await enhanceDecoded(await decodeInput(input), settings, { engine, model });
      const s = model.manifest.scale;
      expect([enhanced.width, enhanced.height]).toEqual([w * s, h * s]);
      const output = join(work, `${id}-out.png`);
      await writeOutput(enhanced, output, settings);
      const meta = await sharp(output).metadata();
      expect([meta.width, meta.height]).toEqual([w * s, h * s]);

      // A trained model's output, box-averaged back to the input size, is close to the input (random or
      // broken weights give noise: mean error ≈ 0.3).
      const out = enhanced.image.data;
      let err = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let c = 0; c < 3; c++) {
            let sum = 0;
            for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) sum += out[((y * s + dy) * w * s + x * s + dx) * 3 + c];
            err += Math.abs(sum / (s * s) / 65535 - pixels[(y * w + x) * 3 + c] / 255);
          }
      expect(err / (w * h * 3), 'mean |box-downscaled output − input|').toBeLessThan(0.08);
    });
  });
});
