import type { Rgb16Image } from './image.js';

/**
 * Accumulates weighted tile outputs in a band of HR rows that spans only the tile rows still open.
 * Rows above the next tile row are final: they are normalised into the output and dropped, so the
 * working memory grows with the image width, not its area.
 */
export class RowBlender {
  private top = 0;
  private height = 0;
  private num = new Float32Array(0);
  private den = new Float32Array(0);

  constructor(private readonly out: Rgb16Image) {}

  /** Makes the band reach down to HR row `bottom` (exclusive), keeping what it holds. */
  extendTo(bottom: number): void {
    const bottomClamped = Math.min(bottom, this.out.height);
    const height = bottomClamped - this.top;
    if (height <= this.height) return;
    const w = this.out.width;
    const num = new Float32Array(3 * height * w);
    const den = new Float32Array(height * w);
    for (let c = 0; c < 3; c++) num.set(this.num.subarray(c * this.height * w, (c + 1) * this.height * w), c * height * w);
    den.set(this.den);
    this.num = num;
    this.den = den;
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
    const xEnd = Math.min(tile.width, W - tile.left);
    const yEnd = Math.min(tile.height, this.top + this.height - tile.top);
    const plane = tile.width * tile.height;
    for (let y = Math.max(0, this.top - tile.top); y < yEnd; y++) {
      const band = (tile.top + y - this.top) * W + tile.left;
      const wyv = wy[y];
      for (let x = 0; x < xEnd; x++) {
        const w = wx[x] * wyv;
        if (w === 0) continue;
        const s = offset + y * tile.width + x;
        const d = band + x;
        this.den[d] += w;
        this.num[d] += w * src[s];
        this.num[d + this.height * W] += w * src[s + plane];
        this.num[d + 2 * this.height * W] += w * src[s + 2 * plane];
      }
    }
  }

  /**
   * Writes HR rows [top, until) to the output as 16-bit, mapping the model range to [0, 1] with
   * clamping, and drops them from the band.
   */
  flush(until: number, range: readonly [number, number]): void {
    const end = Math.min(until, this.out.height, this.top + this.height);
    const rows = end - this.top;
    if (rows <= 0) return;
    const W = this.out.width;
    const [lo, hi] = range;
    const toUnit = 65535 / (hi - lo);
    const dst = this.out.data;
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < W; x++) {
        const b = y * W + x;
        const den = this.den[b];
        const o = ((this.top + y) * W + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = den > 0 ? ((this.num[b + c * this.height * W] / den) - lo) * toUnit : 0;
          dst[o + c] = v <= 0 ? 0 : v >= 65535 ? 65535 : Math.round(v);
        }
      }
    }
    const keep = this.height - rows;
    const num = new Float32Array(3 * keep * W);
    for (let c = 0; c < 3; c++) {
      num.set(this.num.subarray(c * this.height * W + rows * W, (c + 1) * this.height * W), c * keep * W);
    }
    this.den = this.den.slice(rows * W);
    this.num = num;
    this.top = end;
    this.height = keep;
  }
}
