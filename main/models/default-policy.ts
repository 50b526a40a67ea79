import type { LoadedModel } from '../../shared/models/manifest.js';
import { bundledDefaultId } from './bundled.js';
import type { ModelProblem } from './manifest-cache.js';

export interface CatalogueEntry {
  model: LoadedModel;
  /** Came with the app (a bundled folder), so it cannot be removed. */
  bundled: boolean;
}

/** A model to run, and when it is not the one the user or the app meant, a sentence saying so. */
export interface ResolvedModel {
  model: LoadedModel;
  notice?: string;
}

/**
 * The one default policy: the user's choice; else, or when that model is gone or broken, the
 * bundled default; else another bundled model; else any. Every fallback says what happened.
 * Null when there is no model at all.
 */
export function chooseDefault(entries: CatalogueEntry[], problems: ModelProblem[], preferred: string | null | undefined): ResolvedModel | null {
  if (preferred) {
    const chosen = entries.find((e) => e.model.manifest.id === preferred);
    if (chosen) return { model: chosen.model };
  }
  const bundled = entries.filter((e) => e.bundled);
  const fallback = bundled.find((e) => e.model.manifest.id === bundledDefaultId) ?? bundled[0] ?? entries[0];
  if (!fallback) return null;
  const using = fallback.model.manifest;
  if (preferred) {
    const problem = problems.find((p) => p.id === preferred);
    const why = problem ? `cannot be used (${problem.error.message.replace(/\.$/, '')})` : 'is no longer installed';
    return { model: fallback.model, notice: `your default model "${preferred}" ${why}; using ${using.name} (${using.id}) instead. Choose another default in Models.` };
  }
  if (using.id !== bundledDefaultId) {
    return { model: fallback.model, notice: `the default model ${bundledDefaultId} is not installed; using ${using.id}. Reinstall CTMSR Studio to get it back.` };
  }
  return { model: fallback.model };
}
