import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// electron-builder's own loader and schema: what `npm run dist` would read, checked without packaging.
const require = createRequire(path.join(root, 'node_modules', 'electron-builder', 'package.json'));
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(dir: string, configPath: string | null, fromOptions: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

type Config = {
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  files: { filter: string[] }[];
  npmRebuild: boolean;
  win: { target: string[] };
  mac: { target: string[] };
  linux: { target: string[] };
};

describe('electron-builder.yml', () => {
  it('is valid for electron-builder and packages what the issue asks for', async () => {
    const config = (await getConfig(root, null, null)) as unknown as Config;
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    for (const native of ['sharp', 'onnxruntime-node', 'better-sqlite3']) {
      expect(config.asarUnpack.some((glob) => glob.includes(`node_modules/${native}/`)), native).toBe(true);
    }
    expect(config.extraResources.map((r) => [r.from, r.to])).toEqual([
      ['models', 'models'],
      ['trainer', 'trainer'],
    ]);
    // the app reads the graphs, manifests and the model cards' sample picture from models/
    expect(config.extraResources[0].filter).toEqual(expect.arrayContaining(['*.onnx', '*.json', 'sample.png']));
    expect(config.npmRebuild).toBe(true);
    expect(config.files.flatMap((f) => f.filter)).toEqual(expect.arrayContaining(['package.json', 'dist/**/*', 'dist-renderer/**/*']));
  });
});
