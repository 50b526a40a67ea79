import type { AppSettings } from './settings.js';
import type { BatchItem, BatchSummary, EngineStatus, ScanProgress } from './types.js';
import type { TrainingRun } from '../training/types.js';

/** Events main pushes to the renderer, by name. */
export interface StudioEvents {
  /** Folders or images were added, removed or rescanned. */
  'library.changed': { rootId?: number };
  'library.scan': ScanProgress;
  /** A batch changed (status, counts, progress, ETA). */
  'queue.batch': BatchSummary;
  /** An item changed (status, progress, error). */
  'queue.item': BatchItem;
  'queue.removed': { batchId: number };
  'models.changed': Record<string, never>;
  'settings.changed': AppSettings;
  'engine.changed': EngineStatus;
  /** A fine-tuning run changed (state, progress, a loss point, a preview, its result). */
  'training.run': TrainingRun;
}

export type EventName = keyof StudioEvents;
export type StudioEvent = { [K in EventName]: { type: K; payload: StudioEvents[K] } }[EventName];

export type Unsubscribe = () => void;

/** How hosts and clients listen: one listener for all events, filtered by the caller. */
export interface EventSink {
  subscribe(listener: (event: StudioEvent) => void): Unsubscribe;
}

export const eventNames: readonly EventName[] = [
  'library.changed',
  'library.scan',
  'queue.batch',
  'queue.item',
  'queue.removed',
  'models.changed',
  'settings.changed',
  'engine.changed',
  'training.run',
];
