import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedModel, ModelManifest } from '../../shared/models/manifest.js';

/** The trainer's weights beside a graph (`<id>.pt`), which fine-tuning starts from. */
export function weightsOf(onnxPath: string): string {
  return onnxPath.replace(/\.onnx$/i, '.pt');
}

/**
 * Copies a graph (and its weights, if given) into `dir` as `<manifest.id>.*` and writes the manifest
 * last: a model is listed once its manifest exists, so a half-written one is never seen.
 */
export async function writeModel(dir: string, manifest: ModelManifest, files: { onnx: string; weights?: string }): Promise<LoadedModel> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, manifest.id);
  if (files.weights) await copyAtomically(files.weights, `${base}.pt`);
  await copyAtomically(files.onnx, `${base}.onnx`);
  await writeFile(`${base}.json.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${base}.json.tmp`, `${base}.json`);
  return { manifest, onnxPath: `${base}.onnx` };
}

/** Removes a model's files, manifest first, so a half-removed model is not listed as a broken one. */
export async function deleteModel(model: LoadedModel): Promise<void> {
  await rm(model.onnxPath.replace(/\.onnx$/i, '.json'), { force: true });
  await rm(model.onnxPath, { force: true });
  await rm(weightsOf(model.onnxPath), { force: true });
}

async function copyAtomically(source: string, target: string): Promise<void> {
  await copyFile(source, `${target}.tmp`);
  await rename(`${target}.tmp`, target);
}
