import { useRef, type PointerEvent, type WheelEvent } from 'react';
import type { ViewControls } from './use-view';

/** Dragging a pane pans the shared view; the wheel zooms about the pointer. */
export function usePanZoom({ pan, zoomAround }: Pick<ViewControls, 'pan' | 'zoomAround'>) {
  const drag = useRef<{ x: number; y: number } | null>(null);
  return {
    onPointerDown: (e: PointerEvent<HTMLDivElement>) => {
      drag.current = { x: e.clientX, y: e.clientY };
      e.currentTarget.setPointerCapture(e.pointerId);
    },
    onPointerMove: (e: PointerEvent<HTMLDivElement>) => {
      if (!drag.current) return;
      const dx = e.clientX - drag.current.x;
      const dy = e.clientY - drag.current.y;
      drag.current = { x: e.clientX, y: e.clientY };
      pan(dx, dy);
    },
    onPointerUp: () => (drag.current = null),
    onWheel: (e: WheelEvent<HTMLDivElement>) => {
      const box = e.currentTarget.getBoundingClientRect();
      zoomAround(e.deltaY < 0 ? 1.15 : 1 / 1.15, { x: e.clientX - box.left, y: e.clientY - box.top });
    },
  };
}

/**
 * The slider's split line dragged on the image itself (the range input below does the same from the keyboard); the
 * drag stays the line's, never a pan of the pane under it.
 */
export function splitDrag(setSplit: (share: number) => void) {
  return {
    onPointerDown: (e: PointerEvent<HTMLDivElement>) => {
      e.stopPropagation();
      e.currentTarget.setPointerCapture(e.pointerId);
    },
    onPointerMove: (e: PointerEvent<HTMLDivElement>) => {
      if (!e.currentTarget.hasPointerCapture(e.pointerId)) return;
      e.stopPropagation();
      const pane = e.currentTarget.closest('.pane')!.getBoundingClientRect();
      setSplit(Math.min(1, Math.max(0, (e.clientX - pane.left) / pane.width)));
    },
    onPointerUp: (e: PointerEvent<HTMLDivElement>) => e.stopPropagation(),
  };
}
