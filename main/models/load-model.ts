import { access, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseModelManifest, type LoadedModel, type ModelManifest } from '../../shared/models/manifest.js';
import { StudioError } from '../../shared/errors.js';

/** Whether `idOrPath` names a model file rather than a model id. */
export function isModelPath(idOrPath: string): boolean {
  return /\.(onnx|json)$/i.test(idOrPath);
}

/** Loads `<id>.json` beside `<id>.onnx`; `path` may name either file. */
export async function loadModel(path: string): Promise<LoadedModel> {
  const base = path.replace(/\.(onnx|json)$/i, '');
  const manifestPath = `${base}.json`;
  const onnxPath = `${base}.onnx`;
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new StudioError('model-invalid', `No manifest found for model ${basename(onnxPath)} (expected ${manifestPath}). Import the model through the app so one is written.`, { file: manifestPath });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StudioError('model-invalid', `${manifestPath} is not valid JSON (${(e as Error).message}). Re-export or re-import the model.`, { file: manifestPath });
  }
  let manifest: ModelManifest;
  try {
    manifest = parseModelManifest(json, manifestPath);
  } catch (e) {
    throw new StudioError('model-invalid', (e as Error).message, { file: manifestPath });
  }
  try {
    await access(onnxPath);
  } catch {
    throw new StudioError('model-invalid', `Model ${manifest.id} has a manifest but its graph ${onnxPath} is missing. Reinstall or re-import the model.`, { file: onnxPath });
  }
  return { manifest, onnxPath };
}
