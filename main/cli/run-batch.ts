import type { EnhanceSettings } from '../../shared/enhance/settings.js';
import { StudioError, batchStoppingCodes, isStudioError, type ErrorCode } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import { animationNote, decodeInput, enhanceDecoded, writeOutput } from '../pipeline/enhance-file.js';
import { untilAborted } from '../imaging/deadline.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { recordOutput } from '../pipeline/output-manifest.js';
import type { PlannedOutput } from '../pipeline/output-path.js';

export type ImageOutcome =
  | { status: 'done'; input: string; output: string; seconds: number; width: number; height: number; note?: string }
  | { status: 'skipped'; input: string; output: string; reason: string }
  | { status: 'failed'; input: string; output: string; reason: string; code: string }
  | { status: 'cancelled'; input: string; output: string };

export interface BatchEvents {
  imageStarted?(index: number, input: string): void;
  imageProgress?(index: number, fraction: number): void;
  imageFinished?(index: number, outcome: ImageOutcome): void;
}

export interface BatchRun {
  engine: Engine;
  model: LoadedModel;
  settings: EnhanceSettings;
  signal?: AbortSignal;
  events?: BatchEvents;
  /**
   * Images in flight at once, from decode to written file (see `imagesAtOnce`). Default 2: the next
   * image decodes, and the previous one is written, while the engine works.
   */
  imagesAtOnce?: number;
}

/**
 * Enhances every planned image, `imagesAtOnce` of them in flight, and reports outcomes in plan
 * order. On the CPU worker pool, images in flight together share the workers, each image whole on
 * as many as fall to it (so small photos are not cut into tiles just to keep cores busy). One bad
 * file is recorded and the batch goes on; an abort stops between tiles. A full or read-only output
 * disk stops the batch: every further image would fail the same way.
 */
export async function runBatch(plan: PlannedOutput[], run: BatchRun): Promise<ImageOutcome[]> {
  const { engine, model, settings, signal, events } = run;
  const atOnce = Math.max(1, run.imagesAtOnce ?? 2);
  const workerShare = Math.max(1, Math.floor(engine.cpuWorkers(model).workers / atOnce));
  let stoppedBy: string | undefined;
  // Files are written one after another in plan order, so a full or read-only disk fails one image
  // and the ones after it are not attempted, however many are in flight.
  let writeTurn: Promise<void> = Promise.resolve();

  const processItem = async (i: number): Promise<ImageOutcome> => {
    const item = plan[i];
    const { input, output } = item;
    if (signal?.aborted) return { status: 'cancelled', input, output };
    if (stoppedBy) return { status: 'skipped', input, output, reason: `not attempted: ${stoppedBy}` };
    if (item.action === 'skip') return { status: 'skipped', input, output, reason: item.reason };
    if (item.action === 'fail') return { status: 'failed', input, output, reason: item.reason, code: 'output-exists' };
    events?.imageStarted?.(i, input);
    const started = performance.now();
    const previousWrite = writeTurn;
    let writeDone!: () => void;
    writeTurn = new Promise((resolve) => (writeDone = resolve));
    try {
      const decoding = decodeInput(input, { settings, modelScale: model.manifest.scale, outputPath: output });
      const decoded = await untilAborted(decoding, signal, () => new StudioError('cancelled', 'Cancelled by the user.'));
      const enhanced = await enhanceDecoded(decoded, settings, { engine, model, signal, workerShare, onProgress: (f) => events?.imageProgress?.(i, f) }, output);
      await previousWrite;
      if (signal?.aborted) throw new StudioError('cancelled', 'Cancelled by the user.');
      if (stoppedBy) return { status: 'skipped', input, output, reason: `not attempted: ${stoppedBy}` };
      // noted before it exists, so that a kill just after the write cannot leave an output unlisted
      await recordOutput(output, input);
      await writeOutput(enhanced, output, settings);
      const note = animationNote(decoded.frames);
      return { status: 'done', input, output, seconds: (performance.now() - started) / 1000, width: enhanced.width, height: enhanced.height, note };
    } catch (e) {
      if (isStudioError(e, 'cancelled')) return { status: 'cancelled', input, output };
      if (isStudioError(e) && batchStoppingCodes.includes(e.code as ErrorCode)) stoppedBy = e.message;
      return { status: 'failed', input, output, reason: (e as Error).message, code: isStudioError(e) ? e.code : 'internal' };
    } finally {
      writeDone();
    }
  };

  const outcomes: ImageOutcome[] = [];
  const inFlight: Promise<ImageOutcome>[] = [];
  const recordOldest = async () => {
    const outcome = await inFlight.shift()!;
    events?.imageFinished?.(outcomes.length, outcome);
    outcomes.push(outcome);
  };
  for (let i = 0; i < plan.length; i++) {
    if (inFlight.length >= atOnce) await recordOldest();
    inFlight.push(processItem(i));
  }
  while (inFlight.length > 0) await recordOldest();
  return outcomes;
}
