import { performance } from 'node:perf_hooks';
import type { EnhanceSettings } from '../../shared/enhance/settings.js';
import { cancelledError, stopsBatch, type ErrorCode, type ErrorStage, type Said } from '../../shared/errors.js';
import { explainError } from '../../shared/explain-error.js';
import { reason } from '../../shared/refusals.js';
import { untilAborted } from '../imaging/deadline.js';
import { planDecisions, type OutputDecision } from './output-decision.js';
import { recordOutput } from './output-manifest.js';
import type { OutputPlanOptions, PlannedOutput } from './output-path.js';
import type { ImageStages } from './stages.js';
import { ThroughputMeter } from './throughput.js';

/** One image for the runner: the CLI's come from a plan made in one go, the queue's from its database. */
export interface ImageJob {
  /** Tells images apart, to match one decoded ahead with the job that takes it. */
  key: unknown;
  input: string;
  settings: EnhanceSettings;
  /** The output as planned; the header of a decoded-ahead input is checked against it. */
  plannedOutput: string;
  /** Where the image goes, asked as it starts (a file may have appeared since it was planned). */
  decide(): OutputDecision;
  /** Images of one batch stop together when its output side fails. Default: one batch. */
  batch?: unknown;
  /** Stops this image alone (the queue's pause or cancel of one item). */
  signal?: AbortSignal;
}

/** The images to run, taken one at a time, so a source may be a plan or a live queue. */
export interface JobSource<J extends ImageJob> {
  /** The next image, now claimed; undefined ends the run. May wait for work. */
  next(): Promise<J | undefined> | J | undefined;
  /** The image `next` would give, not claimed, to decode it while the current one is enhanced. */
  peek?(): Pick<ImageJob, 'key' | 'input' | 'settings' | 'plannedOutput'> | undefined;
}

export interface StageTimes {
  decodeMs?: number;
  enhanceMs?: number;
  writeMs?: number;
}

export type ImageOutcome = { input: string; output: string; times: StageTimes } & (
  /** `noteSaid`, `said`: what the UI says in its language (shared/refusals.ts) in place of the English note or reason. */
  | { status: 'done'; seconds: number; width: number; height: number; pixels: number; note?: string; noteSaid?: Said }
  /** `notAttempted`: held back, in flight when its batch's output side failed; it may run once that is fixed. */
  | { status: 'skipped'; reason: string; said?: Said; notAttempted?: true }
  | { status: 'failed'; reason: string; said?: Said; code: ErrorCode; stage: ErrorStage; stopsBatch: boolean }
  | { status: 'cancelled' }
);

export interface RunEvents<J extends ImageJob> {
  /** The image is past its output decision and starts decoding. */
  started?(job: J, output: string): void;
  decoded?(job: J, pixels: number): void;
  /** Fraction of the model work done, 0–1, per tile. */
  progress?(job: J, fraction: number): void;
  /** May throw (the queue's database failing): the run then rejects once the images in flight are done. */
  finished?(job: J, outcome: ImageOutcome): void;
}

export interface RunOptions<J extends ImageJob, D, E> {
  stages: ImageStages<D, E>;
  /**
   * Images in flight at once, from decode to written file, or a function asked before each further
   * image is taken (the queue's answer depends on the next photo's size). Default 1; the next image
   * is always decoded ahead while the current ones are enhanced.
   */
  imagesAtOnce?: number | (() => number | Promise<number>);
  /** Stops the whole run: the image at work stops at its next tile; the rest end cancelled. */
  signal?: AbortSignal;
  events?: RunEvents<J>;
  /** Where finished images are measured, for ETAs. */
  meter?: ThroughputMeter;
}

/**
 * The one image runner behind the CLI, the queue and the evaluation. For each image: decide the
 * output (skip and collision policy), decode (the next image decoded ahead), enhance, write
 * atomically in start order; every failure becomes a StudioError naming the file and the stage.
 * One stop rule (shared/errors `stopsBatch`): only an output side that cannot take more (disk
 * full, read-only, folder gone) stops its batch: the images of it in flight are not written, and
 * the failed outcome says `stopsBatch` so the source holds back the rest (the CLI's plan skips
 * them, the queue pauses the batch). A bad input fails that image alone.
 */
export async function runImages<J extends ImageJob, D, E>(source: JobSource<J>, options: RunOptions<J, D, E>): Promise<void> {
  const { stages, events } = options;
  const limit = options.imagesAtOnce ?? 1;
  let atOnce = 1;
  const meter = options.meter ?? new ThroughputMeter();
  const atWork = new Set<J>();
  /** Images in flight when their batch's output side failed: not written. Later ones are the source's to hold back. */
  const stopped = new Map<J, string>();
  let ahead: { key: unknown; result: Promise<{ decoded: D; ms: number }> } | undefined;
  // files are written in the order images started, so a full disk fails one image and the ones
  // after it are not attempted, however many are in flight
  let writeTurn: Promise<void> = Promise.resolve();

  const decode = async (input: string, settings: EnhanceSettings, outputPath: string) => {
    const start = performance.now();
    const decoded = await stages.decode(input, { settings, outputPath });
    return { decoded, ms: performance.now() - start };
  };
  const takeDecoded = (job: J, output: string) => {
    const prefetched = ahead;
    ahead = undefined;
    if (prefetched && prefetched.key === job.key) return prefetched.result;
    return decode(job.input, job.settings, output);
  };
  const decodeNext = () => {
    const next = source.peek?.();
    if (!next || ahead?.key === next.key) return;
    const result = decode(next.input, next.settings, next.plannedOutput);
    // a failed decode is reported when its image runs; an unused one is dropped
    result.catch(() => undefined);
    ahead = { key: next.key, result };
  };

  const runOne = async (job: J): Promise<ImageOutcome> => {
    const { input, settings } = job;
    const signal = job.signal && options.signal ? AbortSignal.any([job.signal, options.signal]) : (job.signal ?? options.signal);
    const times: StageTimes = {};
    let output = job.plannedOutput;
    const notAttempted = (): ImageOutcome | undefined => {
      const stoppedBy = stopped.get(job);
      return stoppedBy === undefined ? undefined : { status: 'skipped', input, output, times, reason: `not attempted: ${stoppedBy}`, notAttempted: true };
    };
    if (signal?.aborted) return { status: 'cancelled', input, output, times };
    const skipped = notAttempted();
    if (skipped) return skipped;

    let stage: ErrorStage = 'output';
    let pixels: number | undefined;
    let done = false;
    const previousWrite = writeTurn;
    let writeDone!: () => void;
    writeTurn = new Promise((resolve) => (writeDone = resolve));
    meter.begin();
    try {
      const decision = job.decide();
      output = decision.output;
      if (decision.action === 'skip') return { status: 'skipped', input, output, times, reason: decision.reason, said: decision.said };
      if (decision.action === 'fail') return { status: 'failed', input, output, times, reason: decision.reason, said: decision.said, code: 'output-exists', stage: 'output', stopsBatch: false };
      events?.started?.(job, output);
      const started = performance.now();

      stage = 'input';
      // a read that hangs (until its deadline) must not hold up a cancel or a shutdown
      const { decoded, ms } = await untilAborted(takeDecoded(job, output), signal, cancelledError);
      times.decodeMs = ms;
      pixels = stages.pixels(decoded);
      events?.decoded?.(job, pixels);
      signal?.throwIfAborted();
      decodeNext();

      stage = 'engine';
      const enhanceStart = performance.now();
      const enhanced = await stages.enhance(decoded, settings, {
        signal: signal ?? new AbortController().signal,
        onProgress: (fraction) => events?.progress?.(job, fraction),
        outputPath: output,
        imagesAtOnce: atOnce,
      });
      times.enhanceMs = performance.now() - enhanceStart;
      await previousWrite;
      signal?.throwIfAborted();
      const stopped = notAttempted();
      if (stopped) return stopped;

      // once writing starts the image is finished as written, whatever is asked meanwhile
      stage = 'output';
      const writeStart = performance.now();
      // listed before it exists, so that a kill just after the write cannot leave an output unlisted
      await recordOutput(output, input);
      await stages.write(enhanced, output, settings);
      times.writeMs = performance.now() - writeStart;
      done = true;
      const note = stages.note?.(decoded);
      return { status: 'done', input, output, times, seconds: (performance.now() - started) / 1000, ...stages.size(enhanced), pixels, note: note?.reason, noteSaid: note?.said };
    } catch (e) {
      if (signal?.aborted) return { status: 'cancelled', input, output, times };
      const error = explainError(e, { file: stage === 'output' ? output : input, stage });
      const stops = stopsBatch(error);
      if (stops) for (const other of atWork) if (other !== job && other.batch === job.batch) stopped.set(other, error.message);
      return { status: 'failed', input, output, times, reason: error.message, said: error.said, code: error.code, stage: error.stage, stopsBatch: stops };
    } finally {
      meter.end(done ? pixels : undefined);
      writeDone();
    }
  };

  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  while (!failure) {
    atOnce = Math.max(1, typeof limit === 'number' ? limit : await limit());
    while (inFlight.size >= atOnce) await Promise.race(inFlight);
    if (failure) break;
    const job = await source.next();
    if (!job) break;
    atWork.add(job);
    const work: Promise<void> = runOne(job)
      .then((outcome) => {
        atWork.delete(job);
        stopped.delete(job);
        events?.finished?.(job, outcome);
      })
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
}

/** Per-image events of a plan, by its index in the plan. */
export interface PlanEvents {
  imageStarted?(index: number, input: string): void;
  imageProgress?(index: number, fraction: number): void;
  imageFinished?(index: number, outcome: ImageOutcome): void;
}

export interface PlanRunOptions<D, E> extends Omit<RunOptions<ImageJob, D, E>, 'events'> {
  settings: EnhanceSettings;
  /** The options the plan was made with: a write is checked again as it starts. Without them the plan stands as made. */
  planOptions?: OutputPlanOptions;
  events?: PlanEvents;
}

/** Runs a plan made in one go (the CLI's, an evaluation's); the outcomes come back in plan order. */
export async function runPlan<D, E>(plan: readonly PlannedOutput[], options: PlanRunOptions<D, E>): Promise<ImageOutcome[]> {
  const { settings, planOptions, events, ...run } = options;
  const decide = planOptions ? planDecisions(plan, planOptions) : (i: number): OutputDecision => plan[i];
  const job = (index: number): ImageJob => ({
    key: index,
    input: plan[index].input,
    settings,
    plannedOutput: plan[index].output,
    decide: () => (stoppedBy === undefined ? decide(index) : { action: 'skip', output: plan[index].output, ...reason('output.notAttempted', { reason: stoppedBy }) }),
  });
  const outcomes: ImageOutcome[] = [];
  let stoppedBy: string | undefined;
  let next = 0;
  await runImages(
    {
      next: () => (next < plan.length ? job(next++) : undefined),
      // only an image that will be written is worth decoding ahead
      peek: () => (next < plan.length && plan[next].action === 'write' && stoppedBy === undefined ? job(next) : undefined),
    },
    {
      ...run,
      events: {
        started: (j) => events?.imageStarted?.(j.key as number, j.input),
        progress: (j, fraction) => events?.imageProgress?.(j.key as number, fraction),
        finished: (j, outcome) => {
          if (outcome.status === 'failed' && outcome.stopsBatch) stoppedBy ??= outcome.reason;
          outcomes[j.key as number] = outcome;
          events?.imageFinished?.(j.key as number, outcome);
        },
      },
    },
  );
  return outcomes;
}
