import type { ModelInfo } from '../../shared/api/types.js';
import type { CatalogueEntry, ImportRequest, ModelCatalogue } from '../models/catalogue.js';

/** The model catalogue as the API shows it: listing with the default marked, import and removal. */
export class ModelsService {
  constructor(private readonly catalogue: ModelCatalogue) {}

  async list(): Promise<ModelInfo[]> {
    const { entries, default: chosen } = await this.catalogue.list();
    return entries.map((entry) => {
      const isDefault = entry.model.manifest.id === chosen?.model.manifest.id;
      return { ...info(entry, isDefault), ...(isDefault && chosen?.notice ? { defaultNotice: sentence(chosen.notice) } : {}) };
    });
  }

  async import(request: ImportRequest): Promise<ModelInfo> {
    const entry = await this.catalogue.import(request);
    return (await this.list()).find((m) => m.manifest.id === entry.model.manifest.id) ?? info(entry, false);
  }

  remove(id: string): Promise<void> {
    return this.catalogue.remove(id);
  }
}

function info(entry: CatalogueEntry, isDefault: boolean): ModelInfo {
  return { manifest: entry.model.manifest, path: entry.model.onnxPath, isDefault, removable: !entry.bundled };
}

/** The catalogue's notice reads after `note:` in the CLI; on its own in the app it starts a sentence. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
