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

/** Hash of a row within a plane: computed once per row, so each sample costs one more mix. */
function rowKey(key: number, y: number): number {
  return fmix32(key ^ Math.imul(y + 0x632be5ab, 0x27d4eb2f));
}

// Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9): one hash
// per sample and no transcendental functions in the central 95 %, unlike Box–Muller.
const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const pLow = 0.02425;

export function inverseNormal(p: number): number {
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// The inverse CDF at 2^16 + 1 points: linear interpolation between them is accurate to ~1e-6 in the
// body; the outermost cells (probability 2^-15) use the exact formula.
const cells = 65536;
const table = new Float64Array(cells + 1);
for (let i = 1; i < cells; i++) table[i] = inverseNormal(i / cells);

function sample(row: number, x: number): number {
  const h = fmix32(row ^ Math.imul(x + 0x165667b1, 0x9e3779b1));
  const i = h >>> 16;
  // (h + 0.5) / 2^32 lies strictly inside (0, 1), so the tails stay finite.
  if (i === 0 || i === cells - 1) return inverseNormal((h + 0.5) / 4294967296);
  const f = ((h & 0xffff) + 0.5) / 65536;
  return table[i] + f * (table[i + 1] - table[i]);
}

export function gaussianAt(key: number, x: number, y: number): number {
  return sample(rowKey(key, y), x);
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
  for (let ch = 0; ch < 3; ch++) {
    const key = planeKey(seed, ch, step);
    for (let y = 0; y < height; y++) {
      const row = rowKey(key, top + y);
      for (let x = 0; x < width; x++) out[i++] = sample(row, left + x);
    }
  }
}
