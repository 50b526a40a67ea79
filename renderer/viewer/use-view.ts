import { useEffect, useRef, useState } from 'react';
import { clampView, fitView, panBy, zoomAt, type Size, type View } from './viewport';

/**
 * The one zoom and pan every pane shares. Until the user zooms or pans, the image follows the pane's size (the
 * toolbar may wrap, the mode may change); after that, their view is left alone. Every move is clamped to the canvas.
 */
export function useView(canvas: Size | null, pane: Size) {
  const [view, setView] = useState<View | null>(null);
  const userMoved = useRef(false);
  const canvasKey = canvas ? `${canvas.width}x${canvas.height}` : '';
  useEffect(() => {
    if (canvas && pane.width > 1 && !userMoved.current) setView(fitView(canvas, pane));
  }, [canvasKey, pane.width, pane.height]);

  const update = (next: (v: View, canvas: Size) => View) => {
    if (!canvas) return;
    userMoved.current = true;
    setView((v) => (v ? clampView(next(v, canvas), canvas, pane) : v));
  };
  const zoomAround = (factor: number, point: { x: number; y: number }) => update((v, c) => zoomAt(v, factor, point, c, pane));
  return {
    view,
    fit: () => {
      if (!canvas) return;
      userMoved.current = false;
      setView(fitView(canvas, pane));
    },
    actualSize: () => update((v) => ({ ...v, zoom: 1 })),
    zoomAround,
    /** Zooms about the middle of the pane (buttons and keys). */
    zoomBy: (factor: number) => zoomAround(factor, { x: pane.width / 2, y: pane.height / 2 }),
    pan: (dx: number, dy: number) => update((v, c) => panBy(v, dx, dy, c, pane)),
  };
}

export type ViewControls = ReturnType<typeof useView>;
