import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import { printable } from '../../shared/printable.js';
import type { BatchEvents, ImageOutcome } from './run-batch.js';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * ETA from measured throughput in input pixels, so a folder of mixed sizes gets an honest estimate
 * (a count of images would not).
 */
export class Throughput {
  private donePixels = 0;
  private readonly started = performance.now();
  constructor(private readonly totalPixels: number) {}

  add(pixels: number): void {
    this.donePixels += pixels;
  }

  etaSeconds(currentFraction = 0, currentPixels = 0): number {
    const elapsed = (performance.now() - this.started) / 1000;
    const done = this.donePixels + currentFraction * currentPixels;
    if (done <= 0) return Infinity;
    return (elapsed / done) * (this.totalPixels - done);
  }
}

/**
 * Terminal progress: a bar for the batch and one for the current image, with ETA. Without a TTY
 * (CI, pipes, logs) one line per image instead.
 */
export function progressReporter(inputs: { input: string; pixels: number }[], stream: NodeJS.WriteStream = process.stderr): BatchEvents & { stop(): void } {
  const throughput = new Throughput(inputs.reduce((a, b) => a + b.pixels, 0));
  const total = inputs.length;
  let finished = 0;
  let current = -1;
  if (!stream.isTTY) {
    return {
      imageFinished(i, outcome) {
        finished++;
        if (outcome.status === 'done') throughput.add(inputs[i].pixels);
        const detail = outcome.status === 'done' ? `→ ${outcome.output}${outcome.note ? ` (${outcome.note})` : ''}` : outcome.status === 'cancelled' ? '' : outcome.reason;
        stream.write(`[${finished}/${total}] ${outcome.status.padEnd(9)} ${printable(`${inputs[i].input} ${detail}`)}\n`);
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
  const etaText = (fraction: number) => `${finished}/${total}  ETA ${formatDuration(throughput.etaSeconds(fraction, current >= 0 ? inputs[current].pixels : 0))}`;
  return {
    imageStarted(i, input) {
      current = i;
      image.update(0, { detail: printable(basename(input)) });
    },
    imageProgress(i, fraction) {
      image.update(Math.round(fraction * 100));
      batch.update(finished, { detail: etaText(fraction) });
    },
    imageFinished(i, outcome: ImageOutcome) {
      finished++;
      if (outcome.status === 'done') throughput.add(inputs[i].pixels);
      if (current === i) current = -1; // the next image may have started while this one was written
      batch.update(finished, { detail: etaText(0) });
      if (outcome.status === 'done') image.update(100);
    },
    stop() {
      bars.stop();
    },
  };
}
