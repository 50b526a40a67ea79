/**
 * The StudioApi contract: every request the renderer can make, grouped by service, with the schema
 * main validates its payload against. Both transports are built from this one table, so they
 * cannot drift apart.
 */
import type { z } from 'zod';
import * as rq from './requests.js';
import { settingsPatchSchema, type AppSettings } from './settings.js';
import type {
  BatchPlan,
  BatchSummary,
  EngineStatus,
  FolderNode,
  ImageDetails,
  ImagePage,
  ItemPage,
  ModelInfo,
  ModelSample,
  Preset,
  PreviewResult,
  RevealResult,
  SystemInfo,
} from './types.js';
import { startTrainingSchema, type PythonInfo, type SourceScan, type TrainingRun } from '../training/types.js';

declare const resultType: unique symbol;

export interface MethodSpec<S extends z.ZodType = z.ZodType, R = unknown> {
  input: S;
  /** Filesystem paths a payload names. Hosts that limit file access check these before calling. */
  paths?: (input: z.output<S>) => string[];
  /**
   * Of those, the ones this request is itself the user's choice of (a folder typed into the Add
   * Folder box). A host without native pickers grants them, system folders excepted.
   */
  chooses?: (input: z.output<S>) => string[];
  /** Type-level only: what the method resolves to. */
  readonly [resultType]?: R;
}

function method<R>() {
  return <S extends z.ZodType>(input: S, paths?: (input: z.output<S>) => string[], chooses?: (input: z.output<S>) => string[]): MethodSpec<S, R> =>
    paths ? (chooses ? { input, paths, chooses } : { input, paths }) : { input };
}

export const contract = {
  library: {
    folders: method<FolderNode[]>()(rq.empty),
    addFolder: method<FolderNode>()(rq.addFolderRequest, (i) => [i.path], (i) => [i.path]),
    removeFolder: method<void>()(rq.byRootId),
    rescan: method<void>()(rq.byRootId),
    watch: method<FolderNode>()(rq.watchFolderRequest),
    query: method<ImagePage>()(rq.queryImagesRequest),
    image: method<ImageDetails>()(rq.byImageId),
  },
  queue: {
    enqueue: method<BatchSummary>()(rq.enqueueRequest, (i) => [...i.paths, i.output.folder], (i) => [i.output.folder]),
    /** Where `enqueue` with the same request would write; creates nothing. */
    plan: method<BatchPlan>()(rq.enqueueRequest, (i) => [...i.paths, i.output.folder], (i) => [i.output.folder]),
    batches: method<BatchSummary[]>()(rq.empty),
    items: method<ItemPage>()(rq.listItemsRequest),
    pause: method<void>()(rq.pauseRequest),
    resume: method<void>()(rq.batchTarget),
    cancel: method<void>()(rq.batchTarget),
    retry: method<void>()(rq.retryRequest),
    remove: method<void>()(rq.byBatchId),
    presets: method<Preset[]>()(rq.empty),
    savePreset: method<Preset>()(rq.savePresetRequest),
    deletePreset: method<void>()(rq.byPresetName),
  },
  models: {
    list: method<ModelInfo[]>()(rq.empty),
    import: method<ModelInfo>()(rq.importModelRequest, (i) => [i.path], (i) => [i.path]),
    remove: method<void>()(rq.byModelId),
    /** The model's before/after crop on the app's sample picture; made once per model file, then kept. */
    sample: method<ModelSample>()(rq.byModelId),
  },
  engine: {
    status: method<EngineStatus>()(rq.empty),
  },
  training: {
    /** The Python with PyTorch that trains, what it sees, or what to install. */
    python: method<PythonInfo>()(rq.pythonInfoRequest),
    // a folder typed into the training screen is the user's choice, as one typed into "Add folder"
    scan: method<SourceScan>()(rq.trainingScanRequest, (i) => sourcePaths(i.source), (i) => sourcePaths(i.source)),
    start: method<TrainingRun>()(startTrainingSchema, (i) => sourcePaths(i.source), (i) => sourcePaths(i.source)),
    runs: method<TrainingRun[]>()(rq.empty),
    stop: method<TrainingRun>()(rq.byRunId),
    resume: method<TrainingRun>()(rq.byRunId),
    /** Exports a stopped or failed run's last checkpoint as a model (evaluated and registered); it can still resume. */
    exportNow: method<TrainingRun>()(rq.byRunId),
    /** Takes a stopped, failed or finished run off the list, with its folder; its registered model stays. */
    remove: method<void>()(rq.byRunId),
    /** The latest preview strip (LR | base | current | HR) as a PNG data URL; null before the first. */
    preview: method<string | null>()(rq.byRunId),
  },
  preview: {
    region: method<PreviewResult>()(rq.previewRequest),
  },
  settings: {
    get: method<AppSettings>()(rq.empty),
    update: method<AppSettings>()(
      settingsPatchSchema,
      (i) => (i.defaultOutputFolder ? [i.defaultOutputFolder] : []),
      (i) => (i.defaultOutputFolder ? [i.defaultOutputFolder] : []),
    ),
  },
  system: {
    info: method<SystemInfo>()(rq.empty),
    /** Native pickers; resolve to null when cancelled. Hosts without them reject. */
    pickFolder: method<string | null>()(rq.dialogRequest),
    pickFile: method<string | null>()(rq.dialogRequest),
    /** Shows a batch's output folder (or one output file) in the system's file manager, where the host can. */
    revealOutput: method<RevealResult>()(rq.revealRequest),
  },
} as const;

function sourcePaths(source: { folder?: string; lrFolder?: string; hrFolder?: string }): string[] {
  return [source.folder, source.lrFolder, source.hrFolder].filter((p): p is string => Boolean(p));
}

export type Contract = typeof contract;
export type ServiceName = keyof Contract;
export type MethodName = { [S in ServiceName]: `${S}.${keyof Contract[S] & string}` }[ServiceName];

type SpecOf<N extends MethodName> = N extends `${infer S extends ServiceName}.${infer M}`
  ? M extends keyof Contract[S]
    ? Contract[S][M]
    : never
  : never;
type InputOf<T> = T extends MethodSpec<infer S> ? z.input<S> : never;
type ParsedOf<T> = T extends MethodSpec<infer S> ? z.output<S> : never;
type ResultOf<T> = T extends MethodSpec<z.ZodType, infer R> ? R : never;

export type MethodInput<N extends MethodName> = InputOf<SpecOf<N>>;
export type MethodResult<N extends MethodName> = ResultOf<SpecOf<N>>;

/** What the renderer calls: payloads as the caller writes them (defaults may be left out). */
export type StudioApi = {
  [S in ServiceName]: {
    [M in keyof Contract[S]]: {} extends InputOf<Contract[S][M]>
      ? (input?: InputOf<Contract[S][M]>) => Promise<ResultOf<Contract[S][M]>>
      : (input: InputOf<Contract[S][M]>) => Promise<ResultOf<Contract[S][M]>>;
  };
};

/** What main implements: payloads after validation, defaults filled in. */
export type StudioHandlers = {
  [S in ServiceName]: {
    [M in keyof Contract[S]]: (input: ParsedOf<Contract[S][M]>) => Promise<ResultOf<Contract[S][M]>> | ResultOf<Contract[S][M]>;
  };
};

export const methodNames: readonly MethodName[] = (Object.keys(contract) as ServiceName[]).flatMap((service) =>
  Object.keys(contract[service]).map((m) => `${service}.${m}` as MethodName),
);

export function specOf(name: string): MethodSpec | undefined {
  const [service, m, ...rest] = name.split('.');
  if (rest.length > 0 || !service || !m || !Object.hasOwn(contract, service)) return undefined;
  const group = contract[service as ServiceName] as Record<string, MethodSpec>;
  return Object.hasOwn(group, m) ? group[m] : undefined;
}
