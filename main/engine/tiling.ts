import type { PlanarImage } from '../../shared/engine/image.js';

/**
 * Tiles in LR pixels over the image padded (by reflection) to the model's multiple. All tiles of a
 * grid have one shape, so a row of them can go to the model as one batch.
 */
export interface TileGrid {
  tileWidth: number;
  tileHeight: number;
  /** Left edges of the tile columns and top edges of the tile rows, in LR pixels. */
  xs: number[];
  ys: number[];
  paddedWidth: number;
  paddedHeight: number;
  overlap: number;
}

export const minOverlap = 16;

export function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

function positions(padded: number, tile: number, overlap: number): number[] {
  if (tile >= padded) return [0];
  const stride = tile - overlap;
  const out: number[] = [];
  for (let p = 0; p + tile < padded; p += stride) out.push(p);
  out.push(padded - tile);
  return out;
}

export function planTiles(
  width: number,
  height: number,
  options: { tileSize: number; multiple: number; overlap?: number; tileHeight?: number },
): TileGrid {
  const { multiple } = options;
  const overlap = Math.max(minOverlap, options.overlap ?? minOverlap);
  const paddedWidth = roundUp(width, multiple);
  const paddedHeight = roundUp(height, multiple);
  // A tile must hold its overlap on both sides plus some core, and stay on the model's multiple.
  const side = (n: number) => Math.max(roundUp(2 * overlap + multiple, multiple), Math.floor(n / multiple) * multiple);
  const tileWidth = Math.min(side(options.tileSize), paddedWidth);
  const tileHeight = Math.min(side(options.tileHeight ?? options.tileSize), paddedHeight);
  return {
    tileWidth,
    tileHeight,
    xs: positions(paddedWidth, tileWidth, overlap),
    ys: positions(paddedHeight, tileHeight, overlap),
    paddedWidth,
    paddedHeight,
    overlap,
  };
}

/** Mirror index without repeating the edge pixel (numpy 'reflect'), valid for any distance. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/**
 * Copies the LR region (left, top, w, h) of `src` into `out` at `offset` as planar [3, h, w],
 * mapping [0, 1] to the model's input range and reflecting beyond the image.
 */
export function extractTile(
  src: PlanarImage,
  region: { left: number; top: number; width: number; height: number },
  out: Float32Array,
  offset: number,
  range: readonly [number, number],
): void {
  const [lo, hi] = range;
  const span = hi - lo;
  const plane = src.width * src.height;
  const cols = new Int32Array(region.width);
  for (let x = 0; x < region.width; x++) cols[x] = reflectIndex(region.left + x, src.width);
  let i = offset;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < region.height; y++) {
      const row = c * plane + reflectIndex(region.top + y, src.height) * src.width;
      for (let x = 0; x < region.width; x++) out[i++] = lo + span * src.data[row + cols[x]];
    }
  }
}

/**
 * Blend weight along one axis of a tile, per HR pixel. Zero over the outer quarter of the overlap
 * (where the tile's border effects live), a sin² ramp over the middle half, one inside. Sides on the
 * image border have no neighbour and keep full weight.
 */
export function axisWeights(
  tileLr: number,
  scale: number,
  overlap: number,
  rampStart: boolean,
  rampEnd: boolean,
): Float32Array {
  const n = tileLr * scale;
  const w = new Float32Array(n);
  const ramp = (d: number): number => {
    const t = (d - overlap / 4) / (overlap / 2);
    if (t <= 0) return 0;
    if (t >= 1) return 1;
    const s = Math.sin((Math.PI / 2) * t);
    return s * s;
  };
  for (let i = 0; i < n; i++) {
    const fromStart = (i + 0.5) / scale;
    const fromEnd = tileLr - fromStart;
    w[i] = (rampStart ? ramp(fromStart) : 1) * (rampEnd ? ramp(fromEnd) : 1);
  }
  return w;
}
