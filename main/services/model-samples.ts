import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSample } from '../../shared/api/types.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import type { Engine } from '../engine/engine.js';
import { decodeImage } from '../imaging/decode.js';
import { bicubicPng, regionPng } from '../imaging/display-png.js';

/**
 * Each model's before/after on one fixed picture (models/sample.png): plain bicubic beside the model,
 * enhanced by the app's own engine as the model samples by default. Kept on disk per model file and σ list, so a
 * model is run on it once, whatever model it is (bundled, imported, fine-tuned, or one added to models/ later).
 */
export class ModelSamples {
  private readonly pending = new Map<string, Promise<Buffer>>();

  constructor(private readonly deps: { engine: () => Engine; picture: string; cacheDir: string }) {}

  async sample(model: LoadedModel): Promise<ModelSample> {
    // a new model file, or a new sample picture (an update of the app), is a new crop
    const version = async (file: string) => {
      const { size, mtimeMs } = await stat(file);
      return `${size}-${Math.round(mtimeMs)}`;
    };
    const [modelVersion, pictureVersion] = await Promise.all([version(model.onnxPath), version(this.deps.picture)]);
    const { scale } = model.manifest;
    // the crop is sampled as the model's own σ list says: a manifest that changes it (not the graph) is a new crop too
    const sigmas = `sigmas${model.manifest.steps.join('_')}`;
    const [before, after] = await Promise.all([
      this.cached(`bicubic-x${scale}-${pictureVersion}.png`, () => bicubicPng(this.deps.picture, scale)),
      this.cached(`${model.manifest.id}-${modelVersion}-${sigmas}-${pictureVersion}.png`, () => this.enhance(model)),
    ]);
    return { before: pngUrl(before), after: pngUrl(after) };
  }

  private async enhance(model: LoadedModel): Promise<Buffer> {
    const picture = await decodeImage(this.deps.picture);
    // no step count: the model's own, as a batch with nothing chosen would enhance a photo
    const { image } = await this.deps.engine().enhance(model, picture.rgb, { seed: 0 });
    return regionPng(image, { left: 0, top: 0, width: image.width, height: image.height });
  }

  /** The file `name` of the cache, made by `make` when absent; one making at a time per name. */
  private cached(name: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const file = path.join(this.deps.cacheDir, name);
    let pending = this.pending.get(name);
    if (!pending) {
      pending = readFile(file).catch(async () => {
        const png = await make();
        await mkdir(this.deps.cacheDir, { recursive: true });
        // written whole, then renamed: a crash never leaves half a picture to be read next time
        await writeFile(`${file}.tmp`, png);
        await rename(`${file}.tmp`, file);
        return png;
      });
      this.pending.set(name, pending);
      // a failure is not kept: the next request tries again
      void pending.then(
        () => this.pending.delete(name),
        () => this.pending.delete(name),
      );
    }
    return pending;
  }
}

function pngUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
