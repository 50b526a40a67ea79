import { useEffect, useLayoutEffect, useState, type RefObject } from 'react';
import type { Size } from './viewport';

/** The size of an element's content box, kept current as it resizes (at least 1×1). */
export function useSize(ref: RefObject<HTMLElement | null>): Size {
  const [size, setSize] = useState<Size>({ width: 1, height: 1 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setSize({ width: Math.max(1, element.clientWidth), height: Math.max(1, element.clientHeight) });
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    measure();
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/** Natural size of an image URL, or `known` when the library already has it. */
export function useImageSize(url: string | null, known: Size | null): Size | null {
  const [size, setSize] = useState<Size | null>(known);
  useEffect(() => {
    if (known || !url) return;
    const image = new Image();
    image.onload = () => setSize({ width: image.naturalWidth, height: image.naturalHeight });
    image.src = url;
    return () => {
      image.onload = null;
    };
  }, [url, known?.width, known?.height]);
  return known ?? size;
}
