/**
 * A model can be fine-tuned when its PyTorch weights are known: `<id>.pt` beside its `<id>.onnx` (fine-tuned
 * models get one), or, for the shipped models, the entry in trainer/checkpoints/index.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedModel } from '../../shared/models/manifest.js';

export function baseCheckpoint(model: LoadedModel, trainerRoot: string): string | null {
  const beside = model.onnxPath.replace(/\.onnx$/i, '.pt');
  if (existsSync(beside)) return beside;
  const index = path.join(trainerRoot, 'trainer', 'checkpoints', 'index.json');
  try {
    const file = (JSON.parse(readFileSync(index, 'utf8')) as Record<string, string>)[model.manifest.id];
    const full = file ? path.join(path.dirname(index), file) : null;
    return full && existsSync(full) ? full : null;
  } catch {
    return null;
  }
}
