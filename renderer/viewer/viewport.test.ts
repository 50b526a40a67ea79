import { describe, expect, it } from 'vitest';
import { canvasTransform, clampView, fitView, maxZoom, panBy, previewRegion, visibleRect, zoomAt } from './viewport';

const canvas = { width: 4000, height: 3000 };
const viewport = { width: 800, height: 600 };

describe('viewer zoom and pan', () => {
  it('fits the canvas and centres it', () => {
    expect(fitView(canvas, viewport)).toEqual({ zoom: 0.2, cx: 2000, cy: 1500 });
    expect(canvasTransform({ zoom: 0.2, cx: 2000, cy: 1500 }, viewport)).toBe('translate(0px, 0px) scale(0.2)');
  });

  it('zooms around the pointer, keeping the point under it still', () => {
    const start = { zoom: 1, cx: 2000, cy: 1500 };
    const anchor = { x: 600, y: 100 };
    const pointUnder = (v: typeof start) => ({ x: v.cx + (anchor.x - 400) / v.zoom, y: v.cy + (anchor.y - 300) / v.zoom });
    const zoomed = zoomAt(start, 2, anchor, canvas, viewport);
    expect(zoomed.zoom).toBe(2);
    expect(pointUnder(zoomed)).toEqual(pointUnder(start));
  });

  it('stops at 800 % and at fit', () => {
    expect(zoomAt({ zoom: 6, cx: 100, cy: 100 }, 4, { x: 400, y: 300 }, canvas, viewport).zoom).toBe(maxZoom);
    expect(clampView({ zoom: 0.01, cx: 0, cy: 0 }, canvas, viewport).zoom).toBe(0.2);
    expect(clampView({ zoom: 0.01, cx: 0, cy: 0 }, { width: 100, height: 100 }, viewport).zoom).toBe(1);
  });

  it('pans with the drag and keeps the centre on the canvas', () => {
    expect(panBy({ zoom: 2, cx: 1000, cy: 1000 }, 100, -50, canvas, viewport)).toEqual({ zoom: 2, cx: 950, cy: 1025 });
    expect(panBy({ zoom: 1, cx: 10, cy: 10 }, 500, 500, canvas, viewport)).toEqual({ zoom: 1, cx: 0, cy: 0 });
  });

  it('finds the visible part of the canvas', () => {
    expect(visibleRect({ zoom: 1, cx: 2000, cy: 1500 }, canvas, viewport)).toEqual({ x: 1600, y: 1200, width: 800, height: 600 });
    expect(visibleRect({ zoom: 1, cx: 100, cy: 100 }, canvas, viewport)).toEqual({ x: 0, y: 0, width: 500, height: 400 });
  });

  it('previews the visible region in source pixels, capped around its centre', () => {
    const source = { width: 1000, height: 750 };
    expect(previewRegion({ x: 1600, y: 1200, width: 800, height: 600 }, 4, source)).toEqual({ x: 400, y: 300, width: 200, height: 150 });
    expect(previewRegion({ x: 0, y: 0, width: 4000, height: 3000 }, 4, source)).toEqual({ x: 372, y: 247, width: 256, height: 256 });
    expect(previewRegion({ x: 3990, y: 0, width: 10, height: 10 }, 4, source)).toEqual({ x: 992, y: 0, width: 8, height: 8 });
    expect(previewRegion({ x: 0, y: 0, width: 400, height: 400 }, 4, { width: 50, height: 6 })).toEqual({ x: 0, y: 0, width: 50, height: 6 });
  });
});
