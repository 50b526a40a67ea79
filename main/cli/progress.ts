import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import { formatDuration } from '../../shared/format/duration.js';
import { printable } from '../../shared/printable.js';
import type { ThroughputMeter } from '../pipeline/throughput.js';
import type { ImageOutcome, PlanEvents } from '../pipeline/runner.js';

/**
 * Terminal progress: a bar for the batch and one for the latest image started, with an ETA from
 * the runner's throughput meter. Without a TTY (CI, pipes, logs) one line per image instead.
 */
export function progressReporter(inputs: { input: string; pixels: number }[], meter: ThroughputMeter, stream: NodeJS.WriteStream = process.stderr): PlanEvents & { stop(): void } {
  const total = inputs.length;
  let finished = 0;
  let notStartedPixels = inputs.reduce((a, b) => a + b.pixels, 0);
  const atWork = new Map<number, number>();
  const start = (i: number) => {
    if (atWork.has(i)) return;
    atWork.set(i, 0);
    notStartedPixels -= inputs[i].pixels;
  };
  const end = (i: number) => {
    if (!atWork.delete(i)) notStartedPixels -= inputs[i].pixels; // decided without starting (skipped, failed)
    finished++;
  };
  const eta = () => {
    const seconds = meter.estimateSeconds({ knownPixels: notStartedPixels, unknownItems: 0 }, [...atWork].map(([i, fraction]) => ({ pixels: inputs[i].pixels, fraction })));
    return seconds === null ? '--' : formatDuration(seconds);
  };
  if (!stream.isTTY) {
    return {
      imageStarted: start,
      imageFinished(i, outcome) {
        end(i);
        stream.write(`[${finished}/${total}] ${outcome.status.padEnd(9)} ${printable(`${inputs[i].input} ${detailOf(outcome)}`)}\n`);
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    { stream, clearOnComplete: false, hideCursor: true, format: '{label} |{bar}| {percentage}% {detail}', barsize: 30, etaBuffer: 1 },
    cliProgress.Presets.shades_classic,
  );
  const batch = bars.create(total, 0, { label: 'batch', detail: `0/${total}  ETA --` });
  const image = bars.create(100, 0, { label: 'image', detail: '' });
  let shown = -1;
  return {
    imageStarted(i, input) {
      start(i);
      shown = i;
      image.update(0, { detail: printable(basename(input)) });
    },
    imageProgress(i, fraction) {
      atWork.set(i, fraction);
      if (i === shown) image.update(Math.round(fraction * 100));
      batch.update(finished, { detail: `${finished}/${total}  ETA ${eta()}` });
    },
    imageFinished(i, outcome) {
      end(i);
      batch.update(finished, { detail: `${finished}/${total}  ETA ${eta()}` });
      if (i === shown && outcome.status === 'done') image.update(100);
    },
    stop() {
      bars.stop();
    },
  };
}

function detailOf(outcome: ImageOutcome): string {
  if (outcome.status === 'done') return `→ ${outcome.output}${outcome.note ? ` (${outcome.note})` : ''}`;
  return outcome.status === 'cancelled' ? '' : outcome.reason;
}
