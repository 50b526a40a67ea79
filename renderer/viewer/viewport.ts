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

/**
 * The source region to preview for what is on screen: the visible canvas rect mapped back to
 * source pixels, cut to at most `maxSide` around its centre (a preview must stay quick), and at
 * least `minSide` where the image allows.
 */
export function previewRegion(visible: Rect, scale: number, source: Size, maxSide = 256, minSide = 8): Rect {
  const fit = (start: number, length: number, limit: number): [number, number] => {
    const wanted = Math.min(maxSide, Math.max(minSide, Math.round(length / scale)), limit);
    const centre = (start + length / 2) / scale;
    const from = Math.min(Math.max(0, Math.round(centre - wanted / 2)), limit - wanted);
    return [Math.max(0, from), wanted];
  };
  const [x, width] = fit(visible.x, visible.width, source.width);
  const [y, height] = fit(visible.y, visible.height, source.height);
  return { x, y, width, height };
}
