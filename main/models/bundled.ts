import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The model used when the user has chosen none. */
export const bundledDefaultId = 'ctmsr-s-x4-real';

/** `models/` of the repository, or CTMSR_MODELS_DIR (the packaged app points it at its resources). */
export function bundledModelsDir(): string {
  if (process.env.CTMSR_MODELS_DIR) return process.env.CTMSR_MODELS_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'models');
}
