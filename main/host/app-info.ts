import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app's root folder (where package.json is), from source or from dist/. */
export function appRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (dir !== path.dirname(dir)) {
    try {
      readFileSync(path.join(dir, 'package.json'));
      return dir;
    } catch {
      dir = path.dirname(dir);
    }
  }
  throw new Error('CTMSR Studio cannot find its own package.json');
}

export function appVersion(root = appRoot()): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Where the desktop app keeps its data (Electron's userData for the product name), so that
 * `npm run serve` opens the same library by default.
 */
export function defaultDataDir(productName = 'CTMSR Studio'): string {
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '.';
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), productName);
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', productName);
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), productName);
}

/**
 * The data folder a command-line tool works with: the one given, else CTMSR_DATA_DIR, else the desktop app's, so
 * that `npm run serve` and `npm run enhance` see the same library and models as the app.
 */
export function dataDirOf(given?: string): string {
  return path.resolve(given ?? process.env.CTMSR_DATA_DIR ?? defaultDataDir());
}
