/**
 * The composition root: opens the database and builds the library, queue, engine, models,
 * settings and preview services, and exposes them as the StudioApi handlers both transports
 * serve. Hosts add the `system` group (dialogs, revealing files), which differs between them.
 */
import path from 'node:path';
import type { StudioHandlers } from '../../shared/api/contract.js';
import { printable } from '../../shared/printable.js';
import { Library } from '../library/library.js';
import { bundledModelsDir } from '../models/bundled.js';
import { ModelCatalogue } from '../models/catalogue.js';
import { autoEnqueueWatched } from '../queue/auto-enqueue.js';
import { JobQueue } from '../queue/job-queue.js';
import { PresetStore } from '../queue/presets.js';
import { openDatabase } from '../store/db.js';
import { EngineHolder } from './engine-service.js';
import { EventHub } from './events.js';
import { acquireInstanceLock } from '../host/instance-lock.js';
import { libraryHandlers } from './library-service.js';
import type { MediaSource } from '../transport/media.js';
import { mediaSource } from './media-service.js';
import { ModelsService } from './models-service.js';
import { ModelSamples } from './model-samples.js';
import { studioPaths } from '../host/paths.js';
import { PreviewService } from './preview-service.js';
import { pipelineStages } from '../pipeline/stages.js';
import { SettingsService } from './settings-service.js';
import { TrainingService } from '../training/training-service.js';
import { appRoot } from '../host/app-info.js';
import { systemFolderOf } from '../host/path-grants.js';
import { refusal } from '../../shared/refusals.js';

export interface StudioOptions {
  dataDir: string;
  /** Folders of the models that come with the app; default: the repository's models/. */
  bundledModelDirs?: string[];
  /** Where problems that no request is waiting for go (a failed background scan). */
  onBackgroundError?: (e: unknown) => void;
  /** The folder holding trainer/; default: the repository (the packaged app passes its resources). */
  trainerRoot?: string;
}

export interface Studio {
  handlers: Omit<StudioHandlers, 'system'>;
  events: EventHub;
  media: MediaSource;
  /** A batch's output folder, or one of its items' output file. */
  outputOf(batchId: number, itemId?: number): string;
  /** Folders the user chose in earlier sessions: library roots, batch outputs, the default output. */
  chosenPaths(): string[];
  dataDir: string;
  training: TrainingService;
  close(): Promise<void>;
}

export async function openStudio(options: StudioOptions): Promise<Studio> {
  const paths = studioPaths(options.dataDir);
  const releaseLock = acquireInstanceLock(paths.dataDir);
  const db = openDatabase(paths.database);
  const events = new EventHub();
  const onBackgroundError = options.onBackgroundError ?? ((e: unknown) => console.error(printable(e instanceof Error ? e.message : String(e))));

  const settings = new SettingsService(db);
  const engines = new EngineHolder(settings.get());
  const catalogue = new ModelCatalogue({ bundledDirs: options.bundledModelDirs ?? [bundledModelsDir()], userDir: paths.models, preferredDefault: () => settings.get().defaultModelId });
  const models = new ModelsService(catalogue);
  const resolveModel = async (id?: string) => (await catalogue.resolve(id, { byPath: false })).model;
  const library = new Library(db, { thumbnailDir: paths.thumbnails });
  const previews = new PreviewService(() => engines.current);
  const samples = new ModelSamples({ engine: () => engines.current, picture: path.join(bundledModelsDir(), 'sample.png'), cacheDir: paths.modelSamples });
  const engineChanged = () => void engines.status().then((status) => events.emit('engine.changed', status));
  const recordChoice = (choice: Parameters<EngineHolder['recordChoice']>[0]) => {
    if (engines.recordChoice(choice)) engineChanged();
  };
  const queue = new JobQueue(db, pipelineStages({ engine: () => engines.current, model: (id) => resolveModel(id), onRun: recordChoice }));
  const presets = new PresetStore(db);
  queue.subscribe((event) => events.publish(event));
  const stopAutoEnqueue = autoEnqueueWatched(db, library, queue, presets, { onError: onBackgroundError });
  settings.onChange((next, previous) => {
    events.emit('settings.changed', next);
    if (engines.settingsChanged(next, previous)) engineChanged();
    if (next.defaultModelId !== previous.defaultModelId) events.emit('models.changed', {});
  });
  let batchesHeld: Promise<void> | null = null;
  let closed = false;
  const training = new TrainingService({
    db,
    runsDir: path.join(paths.dataDir, 'training'),
    trainerRoot: options.trainerRoot ?? appRoot(),
    resolveModel,
    registerModel: (manifest, onnxPath) => catalogue.register(manifest, onnxPath),
    engine: () => engines.current,
    pythonSetting: () => settings.get().pythonPath,
    systemFolderOf: (file) => systemFolderOf(file),
    // the setting is read when a run starts or ends; batches held by one run are let go by its end
    onActive: (active) => {
      if (active && settings.get().pauseBatchesWhileTraining && !batchesHeld) {
        batchesHeld = queue.stop();
      } else if (!active && batchesHeld) {
        // after the stop has finished: starting while it runs would be a no-op
        void batchesHeld.then(() => closed || queue.start());
        batchesHeld = null;
      }
    },
    onRunChanged: (run) => events.emit('training.run', run),
    onModelsChanged: () => events.emit('models.changed', {}),
  });
  queue.start();
  library.startWatching();

  const itemPath = (itemId: number, which: 'input' | 'output') => {
    try {
      const item = queue.item(itemId);
      return (which === 'input' ? item.input : item.output) ?? undefined;
    } catch {
      return undefined;
    }
  };

  const handlers: Omit<StudioHandlers, 'system'> = {
    library: libraryHandlers(library, events, onBackgroundError),
    queue: {
      // The Settings screen's tile size applies to batches that do not set their own.
      enqueue: (request) => queue.enqueue({ ...request, settings: { ...request.settings, tileSize: request.settings.tileSize ?? settings.get().tileSize ?? undefined } }),
      plan: (request) => queue.plan(request),
      batches: () => queue.batches(),
      items: (request) => queue.items(request),
      pause: ({ afterCurrent, ...target }) => queue.pause(target, { afterCurrent }),
      resume: (target) => queue.resume(target),
      cancel: (target) => queue.cancel(target),
      retry: (target) => queue.retry(target),
      remove: (target) => queue.remove(target),
      presets: () => presets.list(),
      savePreset: (preset) => presets.save(preset),
      deletePreset: ({ name }) => presets.remove(name),
    },
    models: {
      list: () => models.list(),
      import: async (request) => {
        const model = await models.import(request);
        events.emit('models.changed', {});
        return model;
      },
      remove: async ({ id }) => {
        training.checkModelUnused(id);
        await models.remove(id);
        if (settings.get().defaultModelId === id) settings.update({ defaultModelId: null });
        events.emit('models.changed', {});
      },
      sample: async ({ id }) => samples.sample(await resolveModel(id)),
    },
    engine: { status: () => engines.status() },
    preview: {
      region: async ({ imageId, itemId, modelId, rect, steps, seed }) => {
        const file = imageId !== undefined ? library.getImage(imageId)?.path : itemPath(itemId!, 'input');
        if (!file) throw refusal('not-found', 'viewer.imageGone');
        const { result, choice } = await previews.region({ path: file, model: await resolveModel(modelId), rect, steps, seed, tileSize: settings.get().tileSize ?? undefined });
        recordChoice(choice);
        return result;
      },
    },
    settings: {
      get: () => settings.get(),
      update: async (patch) => {
        // an interpreter is run only once it is known to be a Python that imports torch
        if (patch.pythonPath !== undefined && patch.pythonPath !== settings.get().pythonPath) await training.checkPythonSetting(patch.pythonPath);
        return settings.update(patch);
      },
    },
    training: {
      python: ({ refresh }) => training.pythonInfo(refresh),
      scan: ({ source }) => training.scan(source),
      start: (request) => training.start(request),
      runs: () => training.runs(),
      stop: ({ id }) => training.stop(id),
      resume: ({ id }) => training.resume(id),
      exportNow: ({ id }) => training.exportNow(id),
      remove: ({ id }) => training.remove(id),
      preview: ({ id }) => training.previewImage(id),
    },
  };

  return {
    handlers,
    events,
    training,
    dataDir: paths.dataDir,
    media: mediaSource({
      thumbnail: (id) => library.thumbnail(id),
      imagePath: (id) => library.getImage(id)?.path,
      itemInput: (id) => itemPath(id, 'input'),
      itemOutput: (id) => itemPath(id, 'output'),
      preview: (key) => previews.get(key),
    }),
    outputOf(batchId, itemId) {
      if (itemId === undefined) return queue.batch(batchId).output.folder;
      const output = itemPath(itemId, 'output');
      if (!output) throw refusal('not-found', 'viewer.noOutput');
      return output;
    },
    chosenPaths: () => [
      ...library.listFolders().map((f) => f.path),
      ...queue.batches().map((b) => b.output.folder),
      ...(settings.get().defaultOutputFolder ? [settings.get().defaultOutputFolder] : []),
    ],
    async close() {
      closed = true;
      await training.close();
      stopAutoEnqueue();
      library.stopWatching();
      await queue.stop();
      db.close();
      releaseLock();
    },
  };
}
