import { describe, expect, it } from 'vitest';
import { emptySelection, rangeFrom, selectAll, selectOnly, selectRange, toggleOne } from './selection';

describe('grid selection', () => {
  it('click selects one, Ctrl+click toggles, keeping the anchor on the last click', () => {
    let s = selectOnly(2, 102);
    s = toggleOne(s, 5, 105);
    expect([...s.ids].sort()).toEqual([102, 105]);
    expect(s.anchor).toBe(5);
    s = toggleOne(s, 2, 102);
    expect([...s.ids]).toEqual([105]);
  });

  it('Shift+click selects from the anchor, replacing or adding to the selection', () => {
    const start = selectOnly(4, 104);
    expect(rangeFrom(start.anchor, 1)).toEqual([1, 4]);
    expect(rangeFrom(start.anchor, 6)).toEqual([4, 6]);
    const replaced = selectRange(toggleOne(start, 9, 109), [101, 102, 103, 104], false);
    expect([...replaced.ids]).toEqual([101, 102, 103, 104]);
    const added = selectRange(toggleOne(start, 9, 109), [101, 102], true);
    expect([...added.ids].sort()).toEqual([101, 102, 104, 109]);
    expect(rangeFrom(null, 3)).toEqual([3, 3]);
  });

  it('select all and none', () => {
    expect(selectAll([1, 2, 3]).ids.size).toBe(3);
    expect(selectAll([]).anchor).toBeNull();
    expect(emptySelection.ids.size).toBe(0);
  });
});
