import type { Rgb16Image } from '../../shared/engine/image.js';

/** Where finished rows go: `rows` interleaved 16-bit RGB rows starting at HR row `top`. */
export type RowSink = (data: Uint16Array, top: number, rows: number) => void;

/** A sink that fills a whole output image. */
export function intoImage(out: Rgb16Image): RowSink {
  return (data, top) => out.data.set(data, top * out.width * 3);
}

/**
 * Accumulates weighted tile outputs in a band of HR rows that spans only the tile rows still open.
 * Rows above the next tile row are final: they are normalised into the output and dropped, so the
 * working memory grows with the image width, not its area. The band holds, per pixel, the weighted
 * sums of R, G, B and the weight, side by side, so dropping rows is one contiguous move.
 */
export class RowBlender {
  private top = 0;
  private height = 0;
  private acc = new Float32Array(0);

  /** `out` is the output's size; finished rows go to `sink` (into an image, or to a writer). */
  constructor(
    private readonly out: { width: number; height: number },
    private readonly sink: RowSink,
  ) {}

  /** Makes the band reach down to HR row `bottom` (exclusive), keeping what it holds. */
  extendTo(bottom: number): void {
    const height = Math.min(bottom, this.out.height) - this.top;
    if (height <= this.height) return;
    const size = 4 * height * this.out.width;
    if (size > this.acc.length) {
      const grown = new Float32Array(size);
      grown.set(this.acc.subarray(0, 4 * this.height * this.out.width));
      this.acc = grown;
    } else {
      this.acc.fill(0, 4 * this.height * this.out.width, size);
    }
    this.height = height;
  }

  /**
   * Adds one tile's planar output ([3, th, tw] at `offset` of `src`) whose top-left HR pixel is
   * (left, top), weighted by wx[x] * wy[y]. Pixels beyond the image (reflection padding) are dropped.
   */
  add(
    src: Float32Array,
    offset: number,
    tile: { left: number; top: number; width: number; height: number },
    wx: Float32Array,
    wy: Float32Array,
  ): void {
    const W = this.out.width;
    const acc = this.acc;
    const xEnd = Math.min(tile.width, W - tile.left);
    const yEnd = Math.min(tile.height, this.top + this.height - tile.top);
    const plane = tile.width * tile.height;
    for (let y = Math.max(0, this.top - tile.top); y < yEnd; y++) {
      const wyv = wy[y];
      let d = ((tile.top + y - this.top) * W + tile.left) * 4;
      let s = offset + y * tile.width;
      for (let x = 0; x < xEnd; x++, s++, d += 4) {
        const w = wx[x] * wyv;
        if (w === 0) continue;
        acc[d] += w * src[s];
        acc[d + 1] += w * src[s + plane];
        acc[d + 2] += w * src[s + 2 * plane];
        acc[d + 3] += w;
      }
    }
  }

  /**
   * Hands HR rows [top, until) to the sink as 16-bit, mapping the model range to [0, 1] with
   * clamping, and drops them from the band.
   */
  flush(until: number, range: readonly [number, number]): void {
    const end = Math.min(until, this.out.height, this.top + this.height);
    const rows = end - this.top;
    if (rows <= 0) return;
    const W = this.out.width;
    const [lo, hi] = range;
    const toUnit = 65535 / (hi - lo);
    const acc = this.acc;
    const n = rows * W;
    const dst = new Uint16Array(n * 3);
    let o = 0;
    for (let p = 0, a = 0; p < n; p++, a += 4, o += 3) {
      const den = acc[a + 3];
      if (den > 0) {
        const k = toUnit / den;
        const off = lo * toUnit;
        const r = acc[a] * k - off;
        const g = acc[a + 1] * k - off;
        const b = acc[a + 2] * k - off;
        dst[o] = r <= 0 ? 0 : r >= 65535 ? 65535 : r + 0.5;
        dst[o + 1] = g <= 0 ? 0 : g >= 65535 ? 65535 : g + 0.5;
        dst[o + 2] = b <= 0 ? 0 : b >= 65535 ? 65535 : b + 0.5;
      } else {
        dst[o] = dst[o + 1] = dst[o + 2] = 0;
      }
    }
    this.sink(dst, this.top, rows);
    acc.copyWithin(0, 4 * n, 4 * this.height * W);
    this.top = end;
    this.height -= rows;
  }
}
