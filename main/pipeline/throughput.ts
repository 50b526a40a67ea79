import { performance } from 'node:perf_hooks';

/** How many recent images the rate is measured over: recent enough to follow a model change. */
const window = 32;

/** An image still at work: its input pixels (null while unknown) and the share of it done. */
export interface WorkInProgress {
  pixels: number | null;
  fraction: number;
}

/**
 * Throughput in input pixels per busy second, for ETAs that stay honest over folders of mixed
 * sizes (a count of images would not). Time counts only while at least one image is at work, so
 * several images in flight at once are not counted several times, and a queue that sat idle
 * overnight does not look slow in the morning.
 */
export class ThroughputMeter {
  private readonly samples: { pixels: number; busyAt: number }[] = [];
  private busySeconds = 0;
  private busySince: number | undefined;
  private atWork = 0;
  /** The busy clock when the oldest sample in the window began. */
  private windowStart = 0;

  constructor(private readonly now: () => number = () => performance.now() / 1000) {}

  /** An image starts being worked on. */
  begin(): void {
    if (this.atWork++ === 0) this.busySince = this.now();
  }

  /** An image is no longer being worked on; `pixels` when it was finished (not skipped or failed). */
  end(pixels?: number): void {
    const busyAt = this.busyClock();
    if (--this.atWork === 0 && this.busySince !== undefined) {
      this.busySeconds += this.now() - this.busySince;
      this.busySince = undefined;
    }
    if (pixels === undefined || !(pixels > 0)) return;
    this.samples.push({ pixels, busyAt });
    if (this.samples.length > window) this.windowStart = this.samples.shift()!.busyAt;
  }

  /**
   * Seconds to finish `pending` (input pixels of images not started, plus a count of images of
   * unknown size) and the unfinished part of those at work. Null until an image has been measured.
   */
  estimateSeconds(pending: { knownPixels: number; unknownItems: number }, atWork: readonly WorkInProgress[] = []): number | null {
    if (this.samples.length === 0) return null;
    const pixels = this.samples.reduce((s, x) => s + x.pixels, 0);
    const seconds = this.samples[this.samples.length - 1].busyAt - this.windowStart;
    if (!(seconds > 0)) return null;
    const averagePixels = pixels / this.samples.length;
    let work = pending.knownPixels + pending.unknownItems * averagePixels;
    for (const w of atWork) work += (w.pixels ?? averagePixels) * (1 - Math.min(1, Math.max(0, w.fraction)));
    return (work * seconds) / pixels;
  }

  private busyClock(): number {
    return this.busySeconds + (this.busySince === undefined ? 0 : this.now() - this.busySince);
  }
}
