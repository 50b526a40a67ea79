/**
 * The data that crosses the boundary between main and renderer. Plain, JSON-serialisable shapes:
 * both transports (Electron IPC and HTTP) carry them unchanged.
 */
import type { ModelManifest } from '../models/manifest.js';
import type { EnhanceSettings } from '../enhance/settings.js';
import type { ErrorCode, ErrorStage, Said } from '../errors.js';
import type { ProviderChoice, ProviderStatus } from '../engine/providers.js';

/** A library folder (a root the user added) or one of its subfolders that holds images, as a tree. */
export interface FolderNode {
  rootId: number;
  /** Path relative to the root, '/'-separated; '' for the root itself. */
  dir: string;
  name: string;
  path: string;
  /** Images directly in this folder. */
  imageCount: number;
  /** Images in this folder and all below it. */
  totalCount: number;
  children: FolderNode[];
  /** Roots only: new images are picked up while the app runs… */
  watch?: boolean;
  /** …and enqueued with this saved preset, when set. */
  autoPreset?: string | null;
}

export interface ImageSummary {
  id: number;
  rootId: number;
  path: string;
  name: string;
  dir: string;
  /** Null when the file could not be read (see `error`). */
  width: number | null;
  height: number | null;
  bytes: number;
  format: string | null;
  /** Date taken when known, else the file's modification time (ms since the epoch). */
  dateMs: number;
  /** Why the file could not be read, when it could not. */
  error: string | null;
  /** Changes whenever the file does; lets the UI cache thumbnails safely. */
  version: string;
}

export interface ImageDetails extends ImageSummary {
  camera: string | null;
  /** As the camera wrote it (local time, 'YYYY-MM-DDTHH:MM:SS'). */
  takenAt: string | null;
  orientation: number | null;
  modifiedMs: number;
}

export interface ImagePage {
  total: number;
  offset: number;
  items: ImageSummary[];
}

export interface ScanProgress {
  rootId: number;
  /** Image files met so far. */
  seen: number;
  added: number;
  done: boolean;
  /** Folders that could not be read and were left out (each with why), when the scan is done. */
  skipped?: string[];
}

export const itemStatuses = ['queued', 'running', 'done', 'failed', 'skipped', 'cancelled'] as const;
export type ItemStatus = (typeof itemStatuses)[number];

export const batchStatuses = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type BatchStatus = (typeof batchStatuses)[number];

export type StatusCounts = Record<ItemStatus, number>;

export interface BatchOutputOptions {
  folder: string;
  naming: string;
  collision: 'rename' | 'overwrite' | 'skip' | 'fail';
  skipExisting: boolean;
  mirrorTree: boolean;
}

export interface BatchSummary {
  id: number;
  name: string;
  status: BatchStatus;
  total: number;
  counts: StatusCounts;
  /** 0..1: the items processed (done, failed, skipped) over all items, the running one by its own progress; cancelled ones never count. */
  progress: number;
  /** Pause or cancel was asked while an image runs: it stops at its next tile, or (`pause-after-image`) when it is done. */
  stopping?: 'pause' | 'pause-after-image' | 'cancel';
  /** Seconds left at the measured throughput; null until something was measured. */
  etaSeconds: number | null;
  createdAt: number;
  settings: EnhanceSettings;
  output: BatchOutputOptions;
  /** Why a batch stopped on its own (e.g. the output disk is full). */
  pausedReason?: string;
  /** The same in the UI's language: its key and values (shared/refusals.ts). */
  pausedSaid?: Said;
}

/** Where a batch would write, asked before it starts. */
export interface BatchPlan {
  total: number;
  /** Items that will be written (the others are skipped or fail on a name collision). */
  toWrite: number;
  /** Output folders with how many files go to each, the first few. */
  folders: { folder: string; count: number }[];
  moreFolders: number;
  /** One output path in full. */
  example: string | null;
}

export interface BatchItem {
  id: number;
  batchId: number;
  input: string;
  output: string | null;
  status: ItemStatus;
  /** 0..1 while running. */
  progress: number;
  error: string | null;
  /** `error` in the UI's language: its key and values (shared/refusals.ts), where main sent them. */
  errorSaid?: Said;
  attempts: number;
  /** Library image the item came from, when it came from the library. */
  imageId?: number;
  /** A word about a finished item that is not an error (an animation whose other frames were not enhanced). */
  note?: string;
  noteSaid?: Said;
}

export interface ItemPage {
  total: number;
  offset: number;
  items: BatchItem[];
}

export interface Preset {
  name: string;
  settings: EnhanceSettings;
  output: Partial<BatchOutputOptions>;
}

export interface ModelInfo {
  manifest: ModelManifest;
  /** Where the .onnx lives; shown in the details. */
  path: string;
  isDefault: boolean;
  /** On the default only: why it is not the model the user chose (or the bundled default), e.g. that one was deleted. */
  defaultNotice?: string;
  /** Bundled models cannot be removed. */
  removable: boolean;
}

/** A model's before/after on the app's fixed sample picture, as PNG data URLs of the same size. */
export interface ModelSample {
  /** The picture enlarged with plain bicubic interpolation. */
  before: string;
  /** The picture enlarged by the model, through the app's engine. */
  after: string;
}

export interface EngineStatus {
  providers: ProviderStatus[];
  /** GPUs found by name (NVIDIA only); empty where none can be listed and the device is a number. */
  devices: { id: number; name: string }[];
  /** What the last session actually ran on, after any fallback; null before the first run. */
  lastChoice: ProviderChoice | null;
}

export interface PreviewResult {
  /** Media path (see media.ts) of the enhanced crop. */
  media: string;
  /** The crop in source pixels, after clamping to the image. */
  rect: { x: number; y: number; width: number; height: number };
  width: number;
  height: number;
  modelId: string;
}

export interface SystemInfo {
  transport: 'electron' | 'http';
  /** Native folder/file pickers exist (Electron); otherwise the UI asks for a typed path. */
  nativeDialogs: boolean;
  platform: string;
  version: string;
  dataDir: string;
}

export interface RevealResult {
  path: string;
  /** False where the host has no file manager to show it in (the browser transport): the UI shows the path. */
  revealed: boolean;
}

/** A failure as it travels over a transport; the UI shows `message` as it is. */
export interface WireError {
  code: ErrorCode;
  stage?: ErrorStage;
  message: string;
  file?: string;
  said?: Said;
}

export type WireResult<T> = { ok: true; result: T } | { ok: false; error: WireError };
