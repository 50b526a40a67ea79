import { describe, expect, it } from 'vitest';
import type { ImagePage, ImageSummary } from '../../shared/api/types';
import { ImagePages } from './image-pages';

function library(total: number, prefix = 'img') {
  const requests: [number, number][] = [];
  const fetchPage = async (offset: number, limit: number): Promise<ImagePage> => {
    requests.push([offset, limit]);
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ id: 1000 + offset + i, name: `${prefix}-${offset + i}` }) as ImageSummary);
    return { total, offset, items };
  };
  return { requests, fetchPage };
}

describe('image pages', () => {
  it('loads only the pages a range touches, each once', async () => {
    const { requests, fetchPage } = library(10_000);
    const pages = new ImagePages(fetchPage, 100);
    await pages.ensure(150, 320);
    await Promise.all([pages.ensure(250, 260), pages.ensure(199, 200)]);
    expect(requests).toEqual([
      [100, 100],
      [200, 100],
      [300, 100],
    ]);
    expect(pages.total).toBe(10_000);
    expect(pages.get(321)?.name).toBe('img-321');
    expect(pages.get(99)).toBeUndefined();
  });

  it('gives the ids of a range, loading what is missing, and stops at the end', async () => {
    const { requests, fetchPage } = library(250);
    const pages = new ImagePages(fetchPage, 100);
    await pages.ensure(0, 0);
    expect(await pages.idsBetween(98, 102)).toEqual([1098, 1099, 1100, 1101, 1102]);
    await pages.ensure(0, 5000);
    expect(requests.map(([offset]) => offset)).toEqual([0, 100, 200]);
  });

  it('tells listeners when pages arrive and keeps the last error', async () => {
    let fail = true;
    const pages = new ImagePages(async (offset) => {
      if (fail) throw new Error('The library database is busy.');
      return { total: 1, offset, items: [{ id: 1 } as ImageSummary] };
    });
    let calls = 0;
    pages.subscribe(() => calls++);
    await pages.ensure(0, 0);
    expect(pages.error?.message).toBe('The library database is busy.');
    fail = false;
    await pages.ensure(0, 0);
    expect(pages.error).toBeNull();
    expect(pages.get(0)?.id).toBe(1);
    expect(calls).toBe(2);
  });

  it('shows each page of the cache it refreshes until the fresh page arrives', async () => {
    const old = new ImagePages(library(300, 'old').fetchPage, 100);
    await old.ensure(0, 250);
    const fresh = new ImagePages(library(400, 'new').fetchPage, 100, old);
    expect([fresh.total, fresh.get(250)?.name]).toEqual([300, 'old-250']);
    await fresh.ensure(0, 0);
    expect([fresh.total, fresh.get(5)?.name, fresh.get(250)?.name]).toEqual([400, 'new-5', 'old-250']);
    expect(fresh.get(350)).toBeUndefined();
    await fresh.ensure(250, 350);
    expect([fresh.get(250)?.name, fresh.get(350)?.name]).toEqual(['new-250', 'new-350']);
  });
});
