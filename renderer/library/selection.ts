/**
 * Multi-selection in a grid of ordered items, the way file managers do it: click selects one,
 * Ctrl/Cmd+click toggles one, Shift+click selects from the anchor to the clicked item (adding to
 * the selection with Ctrl/Cmd held). Selection is kept by image id, so it survives re-sorting.
 */
export interface Selection {
  ids: ReadonlySet<number>;
  /** Index the next Shift+click extends from. */
  anchor: number | null;
}

export const emptySelection: Selection = { ids: new Set(), anchor: null };

export function selectOnly(index: number, id: number): Selection {
  return { ids: new Set([id]), anchor: index };
}

export function toggleOne(selection: Selection, index: number, id: number): Selection {
  const ids = new Set(selection.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, anchor: index };
}

/** `rangeIds`: the ids from the anchor to the clicked index, both included. */
export function selectRange(selection: Selection, rangeIds: readonly number[], additive: boolean): Selection {
  const ids = new Set(additive ? selection.ids : []);
  for (const id of rangeIds) ids.add(id);
  return { ids, anchor: selection.anchor };
}

export function selectAll(ids: readonly number[]): Selection {
  return { ids: new Set(ids), anchor: ids.length > 0 ? 0 : null };
}

/** The range a Shift+click at `index` covers, ordered low to high. */
export function rangeFrom(anchor: number | null, index: number): [number, number] {
  const start = anchor ?? index;
  return start <= index ? [start, index] : [index, start];
}
