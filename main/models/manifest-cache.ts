import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { loadModel } from './load-model.js';

/** A manifest in a models folder that could not be used, kept so lookups can say why. */
export interface ModelProblem {
  /** The file's base name, which is the model's id for models the app wrote. */
  id: string;
  error: Error;
}

export interface FolderModels {
  models: LoadedModel[];
  problems: ModelProblem[];
}

/**
 * The models of each folder, read once and read again only when a manifest or graph in it has been
 * added, removed or rewritten (name, size and modification time of every .json and .onnx), or when
 * the owner says it wrote there. Listing the models is asked on every batch, preview and screen.
 */
export class ManifestCache {
  private readonly folders = new Map<string, { signature: string; models: FolderModels }>();

  async read(dir: string): Promise<FolderModels> {
    // taken before reading, so a change made while reading makes the next call read again
    const signature = await folderSignature(dir);
    const cached = this.folders.get(dir);
    if (cached && cached.signature === signature) return cached.models;
    const models = await readFolder(dir);
    this.folders.set(dir, { signature, models });
    return models;
  }

  invalidate(dir?: string): void {
    if (dir === undefined) this.folders.clear();
    else this.folders.delete(dir);
  }
}

async function folderSignature(dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(json|onnx)$/i.test(n)).sort();
  } catch {
    return 'missing';
  }
  const parts = await Promise.all(
    names.map(async (name) => {
      try {
        const s = await stat(join(dir, name));
        return `${name}\0${s.size}\0${s.mtimeMs}`;
      } catch {
        return `${name}\0gone`;
      }
    }),
  );
  return parts.join('\n');
}

async function readFolder(dir: string): Promise<FolderModels> {
  const models: LoadedModel[] = [];
  const problems: ModelProblem[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { models, problems };
  }
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    try {
      models.push(await loadModel(join(dir, name)));
    } catch (e) {
      problems.push({ id: name.replace(/\.json$/, ''), error: e as Error });
    }
  }
  return { models, problems };
}
