import { existsSync } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelManifest, type ModelManifest } from '../../shared/models/manifest.js';
import { StudioError } from '../../shared/errors.js';

/** A model on disk: its validated manifest and the path of its ONNX graph. */
export interface LoadedModel {
  manifest: ModelManifest;
  onnxPath: string;
}

export const defaultModelId = 'ctmsr-s-x4-real';

/** `models/` of the repository, or CTMSR_MODELS_DIR (the packaged app points it at its resources). */
export function bundledModelsDir(): string {
  if (process.env.CTMSR_MODELS_DIR) return process.env.CTMSR_MODELS_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'models');
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

/** Every model (manifest + graph) in the given folders; invalid ones are reported, not thrown. */
export async function listModels(dirs: string[]): Promise<{ models: LoadedModel[]; problems: string[] }> {
  const models: LoadedModel[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of entries.filter((n) => n.endsWith('.json')).sort()) {
      try {
        models.push(await loadModel(join(dir, name)));
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  }
  return { models, problems };
}

/** Finds a model by id in the folders, or by path when `idOrPath` names a file. */
export async function resolveModel(idOrPath: string, dirs: string[]): Promise<LoadedModel> {
  if (/\.(onnx|json)$/i.test(idOrPath)) return loadModel(idOrPath);
  const { models } = await listModels(dirs);
  const found = models.find((m) => m.manifest.id === idOrPath);
  if (found) return found;
  const known = models.map((m) => m.manifest.id).join(', ') || 'none';
  throw new StudioError('model-invalid', `Model "${idOrPath}" not found in ${dirs.join(', ')} (available: ${known}). Pass a model id or a path to an .onnx file.`);
}

/**
 * The model used when none is named: the shipped default, else another bundled model (with the
 * reason, for the user), so the app still works while a release ships only some models.
 */
export async function resolveDefaultModel(dirs: string[]): Promise<{ model: LoadedModel; notice?: string }> {
  const { models } = await listModels(dirs);
  const exact = models.find((m) => m.manifest.id === defaultModelId);
  if (exact) return { model: exact };
  const bundled = models.find((m) => m.manifest.createdBy === 'bundled') ?? models[0];
  if (!bundled) {
    throw new StudioError('model-invalid', `No models found in ${dirs.join(', ')}. Reinstall CTMSR Studio, or pass --model with a path to an .onnx model.`);
  }
  return { model: bundled, notice: `the default model ${defaultModelId} is not installed; using ${bundled.manifest.id}` };
}
