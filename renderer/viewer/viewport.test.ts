import { describe, expect, it } from 'vitest';
import { canvasTransform, clampView, coverage, fitView, maxZoom, panBy, previewTiles, visibleRect, zoomAt } from './viewport';

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

  it('previews what is on screen as grid tiles in source pixels, the centre first', () => {
    const source = { width: 1000, height: 750 };
    // canvas 1600..2400 × 1200..1800 at ×4 is source 400..600 × 300..450: grid tiles 384, 512 × 256, 384
    const tiles = previewTiles({ x: 1600, y: 1200, width: 800, height: 600 }, 4, source);
    expect(tiles).toHaveLength(4);
    expect(tiles.map((t) => [t.x, t.y]).sort()).toEqual([[384, 256], [384, 384], [512, 256], [512, 384]]);
    expect(tiles.every((t) => t.width === 128 && t.height === 128)).toBe(true);
    // the whole image: 8 × 6 tiles, the last column and row cut to the image
    const all = previewTiles({ x: 0, y: 0, width: 4000, height: 3000 }, 4, source);
    expect(all).toHaveLength(48);
    expect(all.find((t) => t.x === 896 && t.y === 640)).toEqual({ x: 896, y: 640, width: 104, height: 110 });
    // a remainder under 8 px is covered by moving the last tile back
    expect(previewTiles({ x: 0, y: 0, width: 520, height: 40 }, 4, { width: 130, height: 10 })).toEqual([
      { x: 0, y: 0, width: 128, height: 10 },
      { x: 122, y: 0, width: 8, height: 10 },
    ]);
  });

  it('measures how much of the view the enhanced tiles cover', () => {
    const visible = { x: 0, y: 0, width: 1024, height: 512 };
    expect(coverage(visible, 4, [])).toBe(0);
    expect(coverage(visible, 4, [{ x: 0, y: 0, width: 128, height: 128 }])).toBe(0.5);
    expect(coverage(visible, 4, [{ x: 0, y: 0, width: 128, height: 128 }, { x: 128, y: 0, width: 128, height: 128 }])).toBe(1);
    // a view whose float edges make the sum of areas fall short of the whole by a rounding error
    const odd = { x: 453.12, y: 425.088, width: 1013.76, height: 589.824 };
    expect(coverage(odd, 4, previewTiles(odd, 4, { width: 480, height: 360 }))).toBe(1);
  });
});
