import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { bundledDefaultId, bundledModelsDir } from '../../main/models/bundled.js';
import { ModelCatalogue } from '../../main/models/catalogue.js';
import { loadModel } from '../../main/models/load-model.js';
import { testPython } from '../../main/testing/test-models.js';

/**
 * The model a benchmark measures: the one named, else the shipped default, else a freshly
 * initialised S-preset network exported by the trainer (same graph and cost as a trained one).
 */
export async function benchModel(idOrPath: string | undefined): Promise<{ model: LoadedModel; note: string }> {
  const catalogue = new ModelCatalogue({ bundledDirs: [bundledModelsDir()] });
  if (idOrPath) return { model: await catalogue.find(idOrPath), note: idOrPath };
  if (existsSync(join(bundledModelsDir(), `${bundledDefaultId}.onnx`))) {
    return { model: await catalogue.find(bundledDefaultId), note: `${bundledDefaultId} (shipped)` };
  }
  const onnx = join(tmpdir(), 'ctmsr-bench', 'ctmsr-s-random.onnx');
  if (!existsSync(onnx)) {
    execFileSync(testPython, ['-m', 'trainer', 'export', '--preset', 'S', '--out', onnx], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return { model: await loadModel(onnx), note: 'S preset, random weights (no shipped model found)' };
}
