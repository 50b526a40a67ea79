/**
 * Zoom and pan of the viewer, in "canvas" pixels: the output's pixel grid (source size × scale),
 * so 100 % shows one output pixel per screen pixel. Every pane of the viewer draws with the same
 * View, which is what keeps before/after and side-by-side in step.
 */
export interface Size {
  width: number;
  height: number;
}

export interface Rect extends Size {
  x: number;
  y: number;
}

export interface View {
  zoom: number;
  /** Canvas point shown at the centre of the viewport. */
  cx: number;
  cy: number;
}

export const maxZoom = 8;

export function fitView(canvas: Size, viewport: Size): View {
  const zoom = Math.min(viewport.width / canvas.width, viewport.height / canvas.height, maxZoom);
  return { zoom, cx: canvas.width / 2, cy: canvas.height / 2 };
}

export function minZoom(canvas: Size, viewport: Size): number {
  return Math.min(1, fitView(canvas, viewport).zoom);
}

/** The centre stays over the canvas, so the image cannot be pushed out of sight. */
export function clampView(view: View, canvas: Size, viewport: Size): View {
  const zoom = Math.min(maxZoom, Math.max(minZoom(canvas, viewport), view.zoom));
  return { zoom, cx: Math.min(canvas.width, Math.max(0, view.cx)), cy: Math.min(canvas.height, Math.max(0, view.cy)) };
}

/** Zooms by `factor`, keeping the canvas point under `anchor` (viewport pixels) where it is. */
export function zoomAt(view: View, factor: number, anchor: { x: number; y: number }, canvas: Size, viewport: Size): View {
  const zoom = Math.min(maxZoom, Math.max(minZoom(canvas, viewport), view.zoom * factor));
  const px = view.cx + (anchor.x - viewport.width / 2) / view.zoom;
  const py = view.cy + (anchor.y - viewport.height / 2) / view.zoom;
  return clampView({ zoom, cx: px - (anchor.x - viewport.width / 2) / zoom, cy: py - (anchor.y - viewport.height / 2) / zoom }, canvas, viewport);
}

/** Moves the content by (dx, dy) screen pixels, as a drag does. */
export function panBy(view: View, dx: number, dy: number, canvas: Size, viewport: Size): View {
  return clampView({ ...view, cx: view.cx - dx / view.zoom, cy: view.cy - dy / view.zoom }, canvas, viewport);
}

export function canvasTransform(view: View, viewport: Size): string {
  const tx = viewport.width / 2 - view.cx * view.zoom;
  const ty = viewport.height / 2 - view.cy * view.zoom;
  return `translate(${tx}px, ${ty}px) scale(${view.zoom})`;
}

/** The part of the canvas on screen. */
export function visibleRect(view: View, canvas: Size, viewport: Size): Rect {
  const halfW = viewport.width / 2 / view.zoom;
  const halfH = viewport.height / 2 / view.zoom;
  const x0 = Math.max(0, view.cx - halfW);
  const y0 = Math.max(0, view.cy - halfH);
  const x1 = Math.min(canvas.width, view.cx + halfW);
  const y1 = Math.min(canvas.height, view.cy + halfH);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/** Side of a preview tile in source pixels: small enough that each shows progress within seconds. */
export const previewTileSide = 128;
const minTileSide = 8;

/**
 * The source tiles (a fixed grid, so tiles from different views line up) that cover what is on
 * screen, nearest the centre first. A remainder narrower than the engine's minimum is taken by
 * moving the last tile back over its neighbour.
 */
export function previewTiles(visible: Rect, scale: number, source: Size, side = previewTileSide): Rect[] {
  const span = (start: number, length: number, limit: number): [number, number][] => {
    const from = Math.floor(start / scale / side);
    const to = Math.ceil(Math.min(limit, (start + length) / scale) / side);
    const spans: [number, number][] = [];
    for (let i = from; i < Math.max(to, from + 1); i++) {
      let origin = i * side;
      if (origin >= limit) break;
      let extent = Math.min(side, limit - origin);
      if (extent < minTileSide && limit >= minTileSide) {
        origin = limit - minTileSide;
        extent = minTileSide;
      }
      spans.push([origin, extent]);
    }
    return spans;
  };
  const centre = { x: (visible.x + visible.width / 2) / scale, y: (visible.y + visible.height / 2) / scale };
  const tiles = span(visible.x, visible.width, source.width).flatMap(([x, width]) => span(visible.y, visible.height, source.height).map(([y, height]) => ({ x, y, width, height })));
  const distance = (r: Rect) => Math.hypot(r.x + r.width / 2 - centre.x, r.y + r.height / 2 - centre.y);
  return tiles.sort((a, b) => distance(a) - distance(b));
}

export const tileKey = (tile: Rect) => `${tile.x},${tile.y}`;

/** The share (0..1) of the visible source area that the given tiles cover. */
export function coverage(visible: Rect, scale: number, covered: readonly Rect[]): number {
  const view = { x0: visible.x / scale, y0: visible.y / scale, x1: (visible.x + visible.width) / scale, y1: (visible.y + visible.height) / scale };
  const area = (view.x1 - view.x0) * (view.y1 - view.y0);
  if (area <= 0) return 0;
  // tiles of one grid never overlap, except a moved-back last tile by a few pixels: capped at 1
  let inside = 0;
  for (const r of covered) {
    const w = Math.min(view.x1, r.x + r.width) - Math.max(view.x0, r.x);
    const h = Math.min(view.y1, r.y + r.height) - Math.max(view.y0, r.y);
    if (w > 0 && h > 0) inside += w * h;
  }
  const share = inside / area;
  // sums of float areas miss 1 by a rounding error when the tiles do cover the view
  return share > 1 - 1e-9 ? 1 : share;
}
