import type { EnhanceSettings } from '../../shared/enhance/settings.js';

export interface EnhanceCallbacks {
  /** Aborted when the item is paused or cancelled; the engine checks it between tiles. */
  signal: AbortSignal;
  /** Fraction of the model work done, 0–1. */
  onProgress: (fraction: number) => void;
  /** Where the item will be written (its format decides how). */
  outputPath?: string;
}

/** Where a decoded input will go: its header is checked against this before its pixels are read. */
export interface DecodeTarget {
  settings: EnhanceSettings;
  outputPath: string;
}

/**
 * What the queue's worker needs from the enhancement pipeline, in the three stages it overlaps:
 * the next item's decode runs while the current item is in `enhance`.
 */
export interface ItemProcessor<Decoded = unknown, Enhanced = unknown> {
  /** Values for the naming template's {model} and {scale}, fixed when a batch is enqueued. */
  templateValues(settings: EnhanceSettings): Promise<{ model?: string; scale?: number }>;
  /** Opens the input for reading only; refuses from its header an input whose output cannot be made. */
  decode(inputPath: string, target?: DecodeTarget): Promise<Decoded>;
  /** Input pixels, for throughput and ETA. */
  pixels(decoded: Decoded): number;
  /** A word for the user about a finished item that is not an error (an animation's other frames). */
  note?(decoded: Decoded): string | undefined;
  enhance(decoded: Decoded, settings: EnhanceSettings, callbacks: EnhanceCallbacks): Promise<Enhanced>;
  /** Writes through a temporary file and a rename, so `outputPath` is complete or absent. */
  write(enhanced: Enhanced, outputPath: string, settings: EnhanceSettings): Promise<void>;
}
