import type { ImagePage, ImageSummary } from '../../shared/api/types';

export type FetchPage = (offset: number, limit: number) => Promise<ImagePage>;

/**
 * The images of one query, loaded a page at a time as the grid scrolls to them. A grid of
 * 100,000 images never holds more than the pages someone looked at, and each page is fetched once.
 */
export class ImagePages {
  total: number | null = null;
  private readonly pages = new Map<number, ImageSummary[]>();
  private readonly pending = new Map<number, Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private failure: Error | null = null;

  /**
   * `stale`: the cache this one refreshes (same query, newer data). Each of its pages is shown
   * until the fresh one arrives, so a refresh during a scan does not blank the grid.
   */
  constructor(
    private readonly fetchPage: FetchPage,
    readonly pageSize = 200,
    private readonly stale: ImagePages | null = null,
  ) {
    this.total = stale?.total ?? null;
  }

  get error(): Error | null {
    return this.failure;
  }

  get(index: number): ImageSummary | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page ? page[index % this.pageSize] : this.stale?.get(index);
  }

  /** Loads every page touching indices start..end (inclusive) that is not loaded yet. */
  async ensure(start: number, end: number): Promise<void> {
    const first = Math.floor(Math.max(0, start) / this.pageSize);
    const last = Math.floor(Math.max(0, end) / this.pageSize);
    const loads: Promise<void>[] = [];
    for (let page = first; page <= last; page++) {
      if (this.total !== null && page * this.pageSize >= this.total && page > 0) break;
      loads.push(this.load(page));
    }
    await Promise.all(loads);
  }

  /** Ids of the images at indices start..end (inclusive), loading what is missing. */
  async idsBetween(start: number, end: number): Promise<number[]> {
    await this.ensure(start, end);
    const ids: number[] = [];
    for (let i = start; i <= end; i++) {
      const image = this.get(i);
      if (image) ids.push(image.id);
    }
    return ids;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private load(page: number): Promise<void> {
    if (this.pages.has(page)) return Promise.resolve();
    let pending = this.pending.get(page);
    if (!pending) {
      pending = this.fetchPage(page * this.pageSize, this.pageSize)
        .then((result) => {
          this.pages.set(page, result.items);
          this.total = result.total;
          this.failure = null;
        })
        .catch((e: unknown) => {
          this.failure = e instanceof Error ? e : new Error(String(e));
        })
        .finally(() => {
          this.pending.delete(page);
          this.listeners.forEach((l) => l());
        });
      this.pending.set(page, pending);
    }
    return pending;
  }
}
