/** How many recent items the throughput is measured over: recent enough to follow a model change. */
const window = 32;

/**
 * Throughput measured on finished items (whole wall time per item, overhead included), as seconds
 * per input pixel; items of unknown size count as the measured average.
 */
export class ThroughputMeter {
  private readonly samples: { pixels: number; seconds: number }[] = [];

  record(pixels: number, seconds: number): void {
    if (!(pixels > 0) || !(seconds >= 0)) return;
    this.samples.push({ pixels, seconds });
    if (this.samples.length > window) this.samples.shift();
  }

  /**
   * Seconds to finish `pending` (input pixels per item, null when unknown) plus the unfinished part
   * of the running item. Null until an item has been measured.
   */
  estimateSeconds(pending: { knownPixels: number; unknownItems: number }, running?: { pixels: number | null; fraction: number }): number | null {
    if (this.samples.length === 0) return null;
    const pixels = this.samples.reduce((s, x) => s + x.pixels, 0);
    const seconds = this.samples.reduce((s, x) => s + x.seconds, 0);
    const perPixel = seconds / pixels;
    const averagePixels = pixels / this.samples.length;
    let work = pending.knownPixels + pending.unknownItems * averagePixels;
    if (running) work += (running.pixels ?? averagePixels) * (1 - Math.min(1, Math.max(0, running.fraction)));
    return work * perPixel;
  }
}
