import type { EnhanceSettings } from '../../shared/enhance/settings.js';
import type { ProviderChoice } from '../../shared/engine/providers.js';
import type { Engine } from '../engine/engine.js';
import { imagesAtOnce } from '../engine/pool/worker-plan.js';
import type { DecodedImage } from '../imaging/decode.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import type { Reason } from '../../shared/refusals.js';
import { animationNote, decodeInput, enhanceDecoded, writeOutput, type EnhancedImage } from './enhance-file.js';

/** Where a decoded input will go: its header is checked against this before its pixels are read. */
export interface DecodeTarget {
  settings: EnhanceSettings;
  outputPath: string;
}

export interface EnhanceCallbacks {
  /** Aborted when the image is paused or cancelled; the engine checks it between tiles. */
  signal: AbortSignal;
  /** Fraction of the model work done, 0–1. */
  onProgress: (fraction: number) => void;
  /** Where the image will be written (its format decides how). */
  outputPath?: string;
  /** Images being enhanced at once: they share the CPU workers. Default 1. */
  imagesAtOnce?: number;
}

/**
 * The stages one image goes through, which the runner (runner.ts) overlaps across images: the next
 * image decodes while the current one is enhanced. Tests wrap them to watch or time each stage.
 */
export interface ImageStages<Decoded = unknown, Enhanced = unknown> {
  /** The model a batch's settings name (no id: the default model). */
  model(settings: EnhanceSettings): Promise<LoadedModel>;
  /** Opens the input for reading only; refuses from its header an input whose output cannot be made. */
  decode(inputPath: string, target?: DecodeTarget): Promise<Decoded>;
  /** Input pixels, for throughput and ETA. */
  pixels(decoded: Decoded): number;
  /** A word for the user about a finished image that is not an error (an animation's other frames). */
  note?(decoded: Decoded): Reason | undefined;
  enhance(decoded: Decoded, settings: EnhanceSettings, callbacks: EnhanceCallbacks): Promise<Enhanced>;
  /**
   * How many images of these settings may be at work at once, the largest of them `largestInputPixels`:
   * one per CPU worker while their pixels fit the memory budget; one on a GPU. Default: one.
   */
  imagesAtOnce?(settings: EnhanceSettings, largestInputPixels: number): Promise<number>;
  /** The size the output is written at. */
  size(enhanced: Enhanced): { width: number; height: number };
  /** Writes through a temporary file and a rename, so `outputPath` is complete or absent. */
  write(enhanced: Enhanced, outputPath: string, settings: EnhanceSettings): Promise<void>;
}

export interface PipelineStagesOptions {
  /** The engine, or the engine of the moment (the app's changes with its settings): each image takes the one current when it starts. */
  engine: Engine | (() => Engine);
  /** The model settings name (undefined id: the default model). */
  model: (modelId: string | undefined) => Promise<LoadedModel>;
  /** What the engine ran an image on, for the Settings screen. */
  onRun?: (choice: ProviderChoice) => void;
}

/** The stages on the real pipeline: sharp decode, the ONNX engine, atomic encode. */
export function pipelineStages(options: PipelineStagesOptions): ImageStages<DecodedImage, EnhancedImage> {
  const engine = typeof options.engine === 'function' ? options.engine : () => options.engine as Engine;
  const model = (settings: EnhanceSettings) => options.model(settings.modelId);
  return {
    model,
    async decode(inputPath, target) {
      if (!target) return decodeInput(inputPath);
      const { manifest } = await model(target.settings);
      return decodeInput(inputPath, { ...target, modelScale: manifest.scale });
    },
    pixels: (decoded) => decoded.width * decoded.height,
    note: (decoded) => animationNote(decoded.frames),
    async enhance(decoded, settings, { signal, onProgress, outputPath, imagesAtOnce = 1 }) {
      const current = engine();
      const loaded = await model(settings);
      // images in flight together share the workers, each whole on as many as fall to it, so
      // small photos are not cut into tiles just to keep cores busy
      const workerShare = Math.max(1, Math.floor(current.cpuWorkers(loaded).workers / imagesAtOnce));
      const enhanced = await enhanceDecoded(decoded, settings, { engine: current, model: loaded, signal, onProgress, workerShare }, outputPath);
      options.onRun?.(enhanced.stats.provider);
      return enhanced;
    },
    async imagesAtOnce(settings, largestInputPixels) {
      const current = engine();
      const loaded = await model(settings);
      const { choice } = await current.open(loaded);
      if (choice.provider !== 'cpu') return 1;
      const { workers } = current.cpuWorkers(loaded);
      const fit = imagesAtOnce({ workers, memoryBudgetMB: current.options.memoryBudgetMB, largestInputPixels, scale: loaded.manifest.scale });
      return Math.min(workers, fit);
    },
    size: ({ width, height }) => ({ width, height }),
    write: (enhanced, outputPath, settings) => writeOutput(enhanced, outputPath, settings),
  };
}
