import { useEffect, useMemo, useRef, useState } from 'react';
import type { StudioApi } from '../../shared/api/contract';
import type { ImageQuery } from '../../shared/api/requests';
import { ImagePages } from './image-pages';

export type ImageFilter = Omit<ImageQuery, 'offset' | 'limit'>;

/** A page cache for the filter, renewed when the filter or `generation` changes; re-renders as pages arrive. */
export function useImagePages(api: StudioApi, filter: ImageFilter, generation: number): { pages: ImagePages; total: number } {
  const key = JSON.stringify(filter);
  const previous = useRef<{ key: string; pages: ImagePages } | null>(null);
  const pages = useMemo(() => {
    // A refresh of the same query shows the old images until the new ones arrive; a new query starts empty.
    const stale = previous.current?.key === key ? previous.current.pages : null;
    return new ImagePages((offset, limit) => api.library.query({ ...filter, offset, limit }), undefined, stale);
  }, [api, key, generation]);
  previous.current = { key, pages };
  const [, setVersion] = useState(0);
  useEffect(() => {
    const unsubscribe = pages.subscribe(() => setVersion((v) => v + 1));
    void pages.ensure(0, 0);
    return unsubscribe;
  }, [pages]);
  return { pages, total: pages.total ?? 0 };
}
