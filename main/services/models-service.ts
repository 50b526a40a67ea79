import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelInfo } from '../../shared/api/types.js';
import { StudioError } from '../../shared/errors.js';
import { modelManifestSchema, type ModelManifest } from '../../shared/models/manifest.js';
import { defaultModelId, listModels, type LoadedModel } from '../models/registry.js';
import { probeModel } from './model-probe.js';

export interface ImportRequest {
  path: string;
  name?: string;
  scale?: number;
}

/**
 * Models from the bundled folder(s) and the user's own folder: listing, the default, import of an
 * ONNX file (manifest taken from beside it or worked out from the graph) and removal of imports.
 */
export class ModelsService {
  constructor(
    private readonly bundledDirs: string[],
    private readonly userDir: string,
    private readonly preferredDefault: () => string | null,
  ) {}

  async list(): Promise<ModelInfo[]> {
    const { models } = await listModels([...this.bundledDirs, this.userDir]);
    const unique = models.filter((m, i) => models.findIndex((n) => n.manifest.id === m.manifest.id) === i);
    const defaultId = this.defaultIdAmong(unique);
    return unique.map((m) => ({
      manifest: m.manifest,
      path: m.onnxPath,
      isDefault: m.manifest.id === defaultId,
      removable: path.dirname(m.onnxPath) === path.resolve(this.userDir),
    }));
  }

  /** The model to run: the one asked for, else the default. */
  async resolve(modelId?: string): Promise<LoadedModel> {
    const { models } = await listModels([...this.bundledDirs, this.userDir]);
    const id = modelId ?? this.defaultIdAmong(models);
    const found = models.find((m) => m.manifest.id === id);
    if (found) return found;
    if (models.length === 0) throw new StudioError('model-invalid', 'No models are installed. Import an ONNX model in the Models screen.');
    throw new StudioError('model-invalid', `Model "${id}" is not installed (installed: ${models.map((m) => m.manifest.id).join(', ')}). Choose another model.`);
  }

  async import(request: ImportRequest): Promise<ModelInfo> {
    const source = path.resolve(request.path);
    if (!source.toLowerCase().endsWith('.onnx')) throw new StudioError('model-invalid', `${source} is not an .onnx file. Choose an ONNX model.`, { file: source });
    const beside = await readManifestBeside(source);
    const probed = await probeModel(source, request.scale ?? beside?.scale);
    const existing = new Set((await this.list()).map((m) => m.manifest.id));
    const name = request.name ?? beside?.name ?? path.basename(source, path.extname(source));
    const manifest: ModelManifest = modelManifestSchema.parse({
      ...(beside ?? {}),
      id: uniqueId(slug(beside?.id ?? name), existing),
      name,
      kind: probed.kind,
      scale: probed.scale,
      inputRange: beside?.inputRange ?? probed.inputRange,
      multiple: Math.max(beside?.multiple ?? 1, probed.multiple),
      createdBy: beside?.createdBy === 'fine-tuned' ? 'fine-tuned' : 'imported',
    });
    await mkdir(this.userDir, { recursive: true });
    const target = path.join(this.userDir, `${manifest.id}.onnx`);
    await copyFile(source, `${target}.tmp`);
    await rename(`${target}.tmp`, target);
    await writeFile(path.join(this.userDir, `${manifest.id}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    const imported = (await this.list()).find((m) => m.manifest.id === manifest.id);
    if (!imported) throw new StudioError('internal', `Model ${manifest.id} was copied to ${this.userDir} but could not be read back.`);
    return imported;
  }

  async remove(id: string): Promise<void> {
    const model = (await this.list()).find((m) => m.manifest.id === id);
    if (!model) throw new StudioError('not-found', `Model "${id}" is not installed.`);
    if (!model.removable) throw new StudioError('permission-denied', `${model.manifest.name} comes with CTMSR Studio and cannot be removed.`);
    await rm(model.path, { force: true });
    await rm(model.path.replace(/\.onnx$/i, '.json'), { force: true });
  }

  private defaultIdAmong(models: LoadedModel[]): string | undefined {
    const ids = models.map((m) => m.manifest.id);
    const preferred = this.preferredDefault();
    if (preferred && ids.includes(preferred)) return preferred;
    return ids.includes(defaultModelId) ? defaultModelId : ids[0];
  }
}

async function readManifestBeside(onnxPath: string): Promise<Partial<ModelManifest> | null> {
  try {
    const parsed = modelManifestSchema.partial().safeParse(JSON.parse(await readFile(onnxPath.replace(/\.onnx$/i, '.json'), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function slug(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '');
  return s || 'model';
}

function uniqueId(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
