/**
 * Counter-based Gaussian noise: the value at (seed, absolute HR pixel, channel, step) is a pure
 * function of those numbers. Tiles that overlap therefore see the same noise as an untiled run,
 * whatever the tiling, which a per-tile random stream could never give.
 */

// murmur3's 32-bit finaliser: a bijective avalanche mix, cheap with Math.imul.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Key for one (seed, channel, step) plane; combined with the pixel coordinates per sample. */
export function planeKey(seed: number, channel: number, step: number): number {
  return fmix32(fmix32(seed >>> 0) ^ fmix32(Math.imul(channel + 1, 0x9e3779b9) ^ Math.imul(step + 1, 0x7f4a7c15)));
}

/** Uniform in (0, 1): never 0, so the logarithm of Box–Muller stays finite. */
function uniform(key: number, x: number, y: number, lane: number): number {
  const h = fmix32(key ^ fmix32(x ^ fmix32(Math.imul(y, 0x27d4eb2f) ^ lane)));
  return (h + 0.5) / 4294967296;
}

export function gaussianAt(key: number, x: number, y: number): number {
  const u1 = uniform(key, x, y, 0x68e31da4);
  const u2 = uniform(key, x, y, 0x1b56c4e9);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Fills `out` (planar [3, height, width]) with the noise of the region whose top-left HR pixel is
 * (left, top) in absolute image coordinates.
 */
export function fillNoise(
  out: Float32Array,
  offset: number,
  region: { left: number; top: number; width: number; height: number },
  seed: number,
  step: number,
): void {
  const { left, top, width, height } = region;
  let i = offset;
  for (let c = 0; c < 3; c++) {
    const key = planeKey(seed, c, step);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[i++] = gaussianAt(key, left + x, top + y);
    }
  }
}
