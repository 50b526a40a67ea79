import { describe, expect, it } from 'vitest';
import { ThroughputMeter } from '../throughput.js';

/** A meter on a clock the test moves by hand, in seconds. */
function meterAt() {
  let now = 0;
  return { meter: new ThroughputMeter(() => now), tick: (s: number) => (now += s) };
}

describe('the throughput meter', () => {
  it('knows nothing until an image is finished, then estimates by input pixels', () => {
    const { meter, tick } = meterAt();
    expect(meter.estimateSeconds({ knownPixels: 100, unknownItems: 0 })).toBeNull();
    meter.begin();
    tick(2);
    meter.end(1000); // 500 px/s
    expect(meter.estimateSeconds({ knownPixels: 3000, unknownItems: 0 })).toBeCloseTo(6);
    // unknown sizes count as the average image; an image at work counts what is left of it
    expect(meter.estimateSeconds({ knownPixels: 0, unknownItems: 2 })).toBeCloseTo(4);
    expect(meter.estimateSeconds({ knownPixels: 0, unknownItems: 0 }, [{ pixels: 1000, fraction: 0.75 }])).toBeCloseTo(0.5);
  });

  it('counts overlapping images once, and not the time nothing was at work', () => {
    const { meter, tick } = meterAt();
    // two images side by side for 4 s: 2000 px in 4 busy seconds, not 8
    meter.begin();
    meter.begin();
    tick(4);
    meter.end(1000);
    meter.end(1000);
    tick(3600); // the queue sat idle for an hour
    meter.begin();
    tick(2);
    meter.end(1000);
    expect(meter.estimateSeconds({ knownPixels: 3000, unknownItems: 0 })).toBeCloseTo(6);
  });

  it('leaves skipped and failed images out of the rate', () => {
    const { meter, tick } = meterAt();
    meter.begin();
    tick(1);
    meter.end(1000);
    meter.begin();
    tick(0.01);
    meter.end(); // skipped: no pixels
    expect(meter.estimateSeconds({ knownPixels: 1000, unknownItems: 0 })).toBeCloseTo(1);
  });
});
