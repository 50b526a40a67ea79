import { useEffect, useMemo, useState } from 'react';
import type { StudioApi } from '../../shared/api/contract';
import type { ImageQuery } from '../../shared/api/requests';
import { ImagePages } from './image-pages';

export type ImageFilter = Omit<ImageQuery, 'offset' | 'limit'>;

/** A page cache for the filter, renewed when the filter or `generation` changes; re-renders as pages arrive. */
export function useImagePages(api: StudioApi, filter: ImageFilter, generation: number): { pages: ImagePages; total: number } {
  const key = JSON.stringify(filter);
  const pages = useMemo(() => new ImagePages((offset, limit) => api.library.query({ ...filter, offset, limit })), [api, key, generation]);
  const [, setVersion] = useState(0);
  useEffect(() => {
    const unsubscribe = pages.subscribe(() => setVersion((v) => v + 1));
    void pages.ensure(0, 0);
    return unsubscribe;
  }, [pages]);
  return { pages, total: pages.total ?? 0 };
}
