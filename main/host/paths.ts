import path from 'node:path';

/** Where the app keeps its data inside one folder (Electron's userData, or --data-dir for serve). */
export function studioPaths(dataDir: string) {
  return {
    dataDir,
    database: path.join(dataDir, 'studio.db'),
    thumbnails: path.join(dataDir, 'thumbnails'),
    /** Imported and fine-tuned models; bundled ones live with the app. */
    models: path.join(dataDir, 'models'),
    /** Each model's before/after on the sample picture, made once. */
    modelSamples: path.join(dataDir, 'model-samples'),
  };
}

export type StudioPaths = ReturnType<typeof studioPaths>;
