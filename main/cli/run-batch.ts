import type { EnhanceSettings } from '../../shared/enhance/settings.js';
import { StudioError, batchStoppingCodes, isStudioError, type ErrorCode } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import { decodeInput, enhanceDecoded, writeOutput } from '../pipeline/enhance-file.js';
import type { DecodedImage } from '../imaging/decode.js';
import type { LoadedModel } from '../models/registry.js';
import type { PlannedOutput } from '../pipeline/output-path.js';

export type ImageOutcome =
  | { status: 'done'; input: string; output: string; seconds: number; width: number; height: number }
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
}

/**
 * Enhances every planned image in turn. The next image is decoded while the engine works on the
 * current one, and an image is encoded and written while the engine starts on the next (so CPU
 * workers do not wait for the encoder); outcomes stay in plan order. One bad file is recorded and
 * the batch goes on; an abort stops between tiles. A full or read-only output disk stops the batch:
 * every further image would fail the same way.
 */
export async function runBatch(plan: PlannedOutput[], run: BatchRun): Promise<ImageOutcome[]> {
  const { engine, model, settings, signal, events } = run;
  const outcomes: ImageOutcome[] = [];
  const decodeAt = (i: number): Promise<DecodedImage | Error> | undefined => {
    const item = plan[i];
    return item?.action === 'write' ? decodeInput(item.input).catch((e: Error) => e) : undefined;
  };
  let prefetched = decodeAt(0);
  let stoppedBy: string | undefined;
  // The previous image's encode and write; recording waits for it so outcomes keep plan order.
  let writing: Promise<void> = Promise.resolve();
  for (let i = 0; i < plan.length; i++) {
    const item = plan[i];
    const current = prefetched;
    prefetched = undefined;
    const record = (outcome: ImageOutcome) => {
      outcomes.push(outcome);
      events?.imageFinished?.(i, outcome);
    };
    if (item.action !== 'write' || signal?.aborted || stoppedBy) await writing;
    if (signal?.aborted) {
      record({ status: 'cancelled', input: item.input, output: item.output });
      continue;
    }
    if (stoppedBy) {
      record({ status: 'skipped', input: item.input, output: item.output, reason: `not attempted: ${stoppedBy}` });
      continue;
    }
    if (item.action === 'skip') {
      record({ status: 'skipped', input: item.input, output: item.output, reason: item.reason });
      continue;
    }
    if (item.action === 'fail') {
      record({ status: 'failed', input: item.input, output: item.output, reason: item.reason, code: 'output-exists' });
      continue;
    }
    events?.imageStarted?.(i, item.input);
    const started = performance.now();
    try {
      const decoded = await current!;
      if (decoded instanceof Error) throw decoded;
      const enhancing = enhanceDecoded(decoded, settings, {
        engine,
        model,
        signal,
        onProgress: (f) => events?.imageProgress?.(i, f),
      });
      // Decode ahead while the engine is busy; only the very next image, to bound memory.
      if (i + 1 < plan.length) prefetched = decodeAt(i + 1);
      const enhanced = await enhancing;
      if (signal?.aborted) throw new StudioError('cancelled', 'Cancelled by the user.');
      await writing;
      if (stoppedBy) {
        record({ status: 'skipped', input: item.input, output: item.output, reason: `not attempted: ${stoppedBy}` });
        continue;
      }
      writing = writeOutput(enhanced, item.output, settings).then(
        () => record({ status: 'done', input: item.input, output: item.output, seconds: (performance.now() - started) / 1000, width: enhanced.width, height: enhanced.height }),
        (e) => recordFailure(e),
      );
    } catch (e) {
      if (i + 1 < plan.length && !prefetched) prefetched = decodeAt(i + 1);
      await writing;
      recordFailure(e);
    }

    function recordFailure(e: unknown) {
      if (isStudioError(e, 'cancelled')) record({ status: 'cancelled', input: item.input, output: item.output });
      else {
        if (isStudioError(e) && batchStoppingCodes.includes(e.code as ErrorCode)) stoppedBy = e.message;
        record({
          status: 'failed',
          input: item.input,
          output: item.output,
          reason: (e as Error).message,
          code: isStudioError(e) ? e.code : 'internal',
        });
      }
    }
  }
  await writing;
  return outcomes;
}
