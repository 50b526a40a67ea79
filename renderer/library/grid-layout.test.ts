import { describe, expect, it } from 'vitest';
import { columnsFor, moveFocus, rowCount } from './grid-layout';

describe('grid layout', () => {
  it('fits as many cells as the width holds, at least one', () => {
    expect(columnsFor(1000, 160)).toBe(6);
    expect(columnsFor(999, 160)).toBe(5);
    expect(columnsFor(167, 160)).toBe(1);
    expect(columnsFor(10, 160)).toBe(1);
    expect(rowCount(10_001, 5)).toBe(2001);
  });

  it('moves keyboard focus like a grid of files', () => {
    const move = (i: number, key: string) => moveFocus(i, key, 5, 23, 3);
    expect(move(0, 'ArrowRight')).toBe(1);
    expect(move(0, 'ArrowLeft')).toBe(0);
    expect(move(7, 'ArrowDown')).toBe(12);
    expect(move(20, 'ArrowDown')).toBe(20);
    expect(move(7, 'ArrowUp')).toBe(2);
    expect(move(2, 'ArrowUp')).toBe(2);
    expect(move(1, 'PageDown')).toBe(16);
    expect(move(20, 'PageDown')).toBe(22);
    expect(move(3, 'PageUp')).toBe(0);
    expect(move(9, 'Home')).toBe(0);
    expect(move(9, 'End')).toBe(22);
    expect(move(9, 'a')).toBeNull();
    expect(moveFocus(0, 'End', 5, 0, 3)).toBeNull();
  });
});
