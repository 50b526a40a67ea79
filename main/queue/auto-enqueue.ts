import path from 'node:path';
import type { BatchSummary } from '../../shared/api/types.js';
import { StudioError } from '../../shared/errors.js';
import type { Library } from '../library/library.js';
import type { StudioDatabase } from '../store/db.js';
import type { JobQueue } from './job-queue.js';
import type { PresetStore } from './presets.js';

/**
 * Enqueues images that watching finds in a folder with a saved preset, one batch per burst of new
 * files. Files the queue itself wrote (an output folder inside a watched one) are never taken,
 * or the folder would feed on its own outputs. Returns the function that disconnects it.
 */
export function autoEnqueueWatched(
  db: StudioDatabase,
  library: Library,
  queue: JobQueue,
  presets: PresetStore,
  hooks: { onBatch?: (batch: BatchSummary) => void; onError?: (error: StudioError) => void } = {},
): () => void {
  const isOutput = db.prepare('SELECT 1 FROM items WHERE output_path = ? LIMIT 1').pluck();
  return library.onNewImages(({ folder, imageIds }) => {
    if (folder.autoPreset === null) return;
    const preset = presets.get(folder.autoPreset);
    const outputFolder = preset?.output.folder;
    if (!preset || !outputFolder) {
      hooks.onError?.(
        new StudioError('invalid-settings', `New images in ${folder.path} were not enqueued: the preset "${folder.autoPreset}" ${preset ? 'has no output folder' : 'no longer exists'}. Edit the folder's preset.`, {
          file: folder.path,
        }),
      );
      return;
    }
    const outputDir = path.resolve(outputFolder);
    const fresh = imageIds.filter((id) => {
      const image = library.getImage(id);
      return image !== undefined && isOutput.get(image.path) === undefined && !image.path.startsWith(outputDir + path.sep);
    });
    if (fresh.length === 0) return;
    queue
      .enqueue({ name: `New in ${path.basename(folder.path)}`, imageIds: fresh, settings: preset.settings, output: { ...preset.output, folder: outputFolder } })
      .then((batch) => hooks.onBatch?.(batch))
      .catch((e: unknown) => hooks.onError?.(e instanceof StudioError ? e : new StudioError('internal', String((e as Error)?.message ?? e))));
  });
}
