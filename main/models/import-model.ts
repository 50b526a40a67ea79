import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { modelManifestSchema, type ModelManifest } from '../../shared/models/manifest.js';
import { probeModel } from './probe-model.js';

export interface ImportRequest {
  path: string;
  name?: string;
  scale?: number;
}

/**
 * The manifest of an ONNX file being imported: taken from a manifest beside it where there is one,
 * with kind, scale and LR multiple checked against (or worked out from) the graph itself.
 */
export async function importedManifest(source: string, request: ImportRequest, takenIds: Set<string>): Promise<ModelManifest> {
  const beside = await readManifestBeside(source);
  const probed = await probeModel(source, request.scale ?? beside?.scale);
  const name = request.name ?? beside?.name ?? path.basename(source, path.extname(source));
  return modelManifestSchema.parse({
    ...(beside ?? {}),
    id: uniqueId(slug(beside?.id ?? name), takenIds),
    name,
    kind: probed.kind,
    scale: probed.scale,
    inputRange: beside?.inputRange ?? probed.inputRange,
    multiple: Math.max(beside?.multiple ?? 1, probed.multiple),
    createdBy: beside?.createdBy === 'fine-tuned' ? 'fine-tuned' : 'imported',
  });
}

/** `base`, or `base-2`, `base-3`… whichever is free. */
export function uniqueId(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
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
