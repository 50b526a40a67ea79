import { access } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/errors.js';
import type { LoadedModel, ModelManifest } from '../../shared/models/manifest.js';
import { chooseDefault, type CatalogueEntry, type ResolvedModel } from './default-policy.js';
import { importedManifest, uniqueId, type ImportRequest } from './import-model.js';
import { isModelPath, loadModel } from './load-model.js';
import { ManifestCache, type ModelProblem } from './manifest-cache.js';
import { deleteModel, weightsOf, writeModel } from './model-files.js';
import { refusal } from '../../shared/refusals.js';

export type { CatalogueEntry, ResolvedModel } from './default-policy.js';
export type { ImportRequest } from './import-model.js';

export interface CatalogueOptions {
  /** Folders of the models that come with the app, searched first. */
  bundledDirs: string[];
  /** The user's folder: imported and fine-tuned models (the CLI reads it, and never writes). */
  userDir?: string;
  /** The user's chosen default (the setting), read on every lookup. */
  preferredDefault?: () => string | null | undefined;
}

export interface LookupOptions {
  /** Whether a name ending in .onnx or .json is read as a file path (default true). */
  byPath?: boolean;
}

export interface CatalogueListing {
  entries: CatalogueEntry[];
  /** The model used when none is named, and why it is not the one meant, if it is not. */
  default: ResolvedModel | null;
  problems: ModelProblem[];
}

/**
 * Every model the app can run (bundled, imported, fine-tuned), found by id or by the path of its
 * .onnx, with the one default policy (docs/model-contract.md). The CLI, the queue, previews, training and the
 * evaluation all look models up here.
 */
export class ModelCatalogue {
  private readonly cache = new ManifestCache();

  constructor(private readonly options: CatalogueOptions) {}

  private get dirs(): string[] {
    return this.options.userDir ? [...this.options.bundledDirs, this.options.userDir] : this.options.bundledDirs;
  }

  async list(): Promise<CatalogueListing> {
    const entries: CatalogueEntry[] = [];
    const problems: ModelProblem[] = [];
    const seen = new Set<string>();
    for (const dir of this.dirs) {
      const found = await this.cache.read(dir);
      const bundled = this.options.bundledDirs.includes(dir);
      // an id in an earlier folder hides the same id later: bundled models win over copies
      for (const model of found.models) {
        if (seen.has(model.manifest.id)) continue;
        seen.add(model.manifest.id);
        entries.push({ model, bundled });
      }
      problems.push(...found.problems);
    }
    return { entries, problems, default: chooseDefault(entries, problems, this.options.preferredDefault?.()) };
  }

  /**
   * The model with this id, or in this .onnx (or .json) file. `byPath: false` for ids that come from
   * the app's API, which reaches files only through the paths the user granted.
   */
  async find(idOrPath: string, options: LookupOptions = {}): Promise<LoadedModel> {
    if (options.byPath !== false && isModelPath(idOrPath)) return loadModel(path.resolve(idOrPath));
    const { entries, problems } = await this.list();
    const found = entries.find((e) => e.model.manifest.id === idOrPath)
      ?? entries.find((e) => e.bundled && e.model.manifest.style === idOrPath);
    if (found) return found.model;
    const broken = problems.find((p) => p.id === idOrPath);
    if (broken) throw broken.error;
    if (entries.length === 0) throw this.noModels(`Model "${idOrPath}" not found: `);
    const installed = entries.map((e) => e.model.manifest.id).join(', ');
    throw refusal('model-invalid', 'models.notFound', { model: idOrPath, installed });
  }

  /** The model named, else the default; `notice` says when the default is not the one meant. */
  async resolve(idOrPath?: string | null, options: LookupOptions = {}): Promise<ResolvedModel> {
    if (idOrPath) return { model: await this.find(idOrPath, options) };
    const chosen = (await this.list()).default;
    if (!chosen) throw this.noModels();
    return chosen;
  }

  /** Copies an ONNX file into the user's folder with a manifest (read beside it, or probed from the graph). */
  async import(request: ImportRequest): Promise<CatalogueEntry> {
    const userDir = this.writableDir();
    const source = path.resolve(request.path);
    if (!source.toLowerCase().endsWith('.onnx')) throw refusal('model-invalid', 'models.notOnnx', { file: source }, { file: source });
    const manifest = await importedManifest(source, request, await this.takenIds());
    try {
      return { model: await writeModel(userDir, manifest, { onnx: source }), bundled: false };
    } finally {
      this.cache.invalidate(userDir);
    }
  }

  /**
   * Adds a model made here (a fine-tune's export, with its weights when they exist) to the user's
   * folder under `manifest.id`, or `<id>-2`… when that is taken. Returns the model as registered.
   */
  async register(manifest: ModelManifest, onnxPath: string): Promise<LoadedModel> {
    const userDir = this.writableDir();
    const id = uniqueId(manifest.id, await this.takenIds());
    const weights = weightsOf(onnxPath);
    const withWeights = (await exists(weights)) ? weights : undefined;
    try {
      return await writeModel(userDir, { ...manifest, id }, { onnx: onnxPath, weights: withWeights });
    } finally {
      this.cache.invalidate(userDir);
    }
  }

  /** Deletes an imported or fine-tuned model; bundled ones stay. */
  async remove(id: string): Promise<void> {
    const entry = (await this.list()).entries.find((e) => e.model.manifest.id === id);
    if (!entry) throw refusal('not-found', 'models.notInstalled', { model: id });
    if (entry.bundled) throw refusal('permission-denied', 'models.bundled', { model: entry.model.manifest.name });
    try {
      await deleteModel(entry.model);
    } finally {
      this.cache.invalidate(path.dirname(entry.model.onnxPath));
    }
  }

  private async takenIds(): Promise<Set<string>> {
    const { entries, problems } = await this.list();
    // a broken model's files still hold its name
    return new Set([...entries.map((e) => e.model.manifest.id), ...problems.map((p) => p.id)]);
  }

  private writableDir(): string {
    if (!this.options.userDir) throw new StudioError('internal', 'This model catalogue has no user folder to write to.');
    return this.options.userDir;
  }

  private noModels(lead = ''): StudioError {
    return new StudioError('model-invalid', `${lead}${lead ? 'no' : 'No'} models are installed (looked in ${this.dirs.join(', ')}). Reinstall CTMSR Studio or import an ONNX model in Models; the CLI also takes --model with the path of an .onnx file.`);
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
