import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { mediaPath } from '../../shared/api/media';
import { useStudio } from '../state/studio-context';
import { cellGap, columnsFor, moveFocus, rowCount } from './grid-layout';
import type { ImagePages } from './image-pages';
import { rangeFrom, selectOnly, selectRange, toggleOne, type Selection } from './selection';

interface ThumbnailGridProps {
  pages: ImagePages;
  total: number;
  selection: Selection;
  onSelection: (selection: Selection) => void;
  focusIndex: number;
  onFocusIndex: (index: number) => void;
  onOpen: (index: number) => void;
  onSelectAll: () => void;
  cellSide: number;
}

const labelHeight = 22;

/**
 * The library's images as a virtualized grid: only the rows on screen (plus a few) exist in the
 * DOM, and their pages load as they come into view, so 10,000 or 100,000 images scroll alike.
 * One focusable element with aria-activedescendant carries the keyboard.
 */
export function ThumbnailGrid(props: ThumbnailGridProps) {
  const { pages, total, selection, onSelection, focusIndex, onFocusIndex, onOpen, cellSide } = props;
  const { t } = useTranslation();
  const studio = useStudio();
  const scrollRef = useRef<HTMLDivElement>(null);
  const width = useWidth(scrollRef);
  const columns = columnsFor(width, cellSide);
  const rowHeight = cellSide + labelHeight + cellGap;
  const virtualizer = useVirtualizer({
    count: rowCount(total, columns),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 4,
  });
  useEffect(() => virtualizer.measure(), [rowHeight, columns, virtualizer]);

  const rows = virtualizer.getVirtualItems();
  const firstRow = rows[0]?.index ?? 0;
  const lastRow = rows[rows.length - 1]?.index ?? 0;
  useEffect(() => {
    void pages.ensure(firstRow * columns, (lastRow + 1) * columns - 1);
  }, [pages, firstRow, lastRow, columns]);

  async function click(e: MouseEvent, index: number) {
    const image = pages.get(index);
    if (!image) return;
    onFocusIndex(index);
    const toggle = e.ctrlKey || e.metaKey;
    if (e.shiftKey) {
      const [a, b] = rangeFrom(selection.anchor, index);
      onSelection(selectRange(selection, await pages.idsBetween(a, b), toggle));
    } else if (toggle) onSelection(toggleOne(selection, index, image.id));
    else onSelection(selectOnly(index, image.id));
  }

  async function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      return props.onSelectAll();
    }
    const image = pages.get(focusIndex);
    if (e.key === 'Enter' && image) {
      e.preventDefault();
      return onOpen(focusIndex);
    }
    if (e.key === ' ' && image) {
      e.preventDefault();
      return onSelection(toggleOne(selection, focusIndex, image.id));
    }
    const visibleRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? rowHeight) / rowHeight));
    const next = moveFocus(focusIndex, e.key, columns, total, visibleRows);
    if (next === null) return;
    e.preventDefault();
    onFocusIndex(next);
    virtualizer.scrollToIndex(Math.floor(next / columns));
    if (e.shiftKey) {
      const [a, b] = rangeFrom(selection.anchor ?? focusIndex, next);
      onSelection(selectRange({ ...selection, anchor: selection.anchor ?? focusIndex }, await pages.idsBetween(a, b), false));
    } else {
      const target = pages.get(next) ?? (await pages.idsBetween(next, next).then(() => pages.get(next)));
      if (target && !e.ctrlKey && !e.metaKey) onSelection(selectOnly(next, target.id));
    }
  }

  return (
    <div
      ref={scrollRef}
      className="thumbnail-grid"
      role="listbox"
      aria-multiselectable="true"
      aria-label={t('library.images')}
      aria-activedescendant={total > 0 ? `image-cell-${focusIndex}` : undefined}
      tabIndex={0}
      onKeyDown={(e) => void onKeyDown(e)}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {rows.map((row) => (
          <div key={row.key} className="grid-row" style={{ transform: `translateY(${row.start}px)`, height: rowHeight, gap: cellGap }}>
            {Array.from({ length: columns }, (_, column) => {
              const index = row.index * columns + column;
              if (index >= total) return null;
              const image = pages.get(index);
              const selected = image ? selection.ids.has(image.id) : false;
              return (
                <div
                  key={index}
                  id={`image-cell-${index}`}
                  role="option"
                  aria-selected={selected}
                  aria-label={image?.name ?? t('common.loading')}
                  className={`grid-cell${selected ? ' selected' : ''}${index === focusIndex ? ' focused' : ''}`}
                  style={{ width: cellSide }}
                  onClick={(e) => void click(e, index)}
                  onDoubleClick={() => onOpen(index)}
                  data-name={image?.name}
                >
                  <div className="thumb" style={{ width: cellSide, height: cellSide }}>
                    {image &&
                      (image.error ? (
                        <span className="thumb-broken" title={image.error}>
                          {t('library.unreadable')}
                        </span>
                      ) : (
                        <img src={studio.mediaUrl(mediaPath({ kind: 'thumb', id: image.id, version: image.version }))} alt="" loading="lazy" decoding="async" draggable={false} />
                      ))}
                  </div>
                  <div className="cell-label" title={image?.path}>
                    {image?.name ?? ''}
                  </div>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

/** Width of the element's content box (padding excluded), followed as it resizes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry.contentRect.width));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
