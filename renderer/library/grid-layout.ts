/** Layout arithmetic of the thumbnail grid, kept apart from React so it can be tested. */
export const cellGap = 8;

export function columnsFor(width: number, cellSide: number): number {
  return Math.max(1, Math.floor((width + cellGap) / (cellSide + cellGap)));
}

export function rowCount(total: number, columns: number): number {
  return Math.ceil(total / columns);
}

/**
 * Where the keyboard focus moves in a grid of `total` items laid out in `columns`: arrows step,
 * PageUp/PageDown jump a screenful of rows, Home/End go to the ends. Null for other keys.
 */
export function moveFocus(index: number, key: string, columns: number, total: number, rowsPerPage: number): number | null {
  if (total === 0) return null;
  const clamp = (i: number) => Math.min(total - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowRight':
      return clamp(index + 1);
    case 'ArrowLeft':
      return clamp(index - 1);
    case 'ArrowDown':
      return index + columns < total ? index + columns : index;
    case 'ArrowUp':
      return index - columns >= 0 ? index - columns : index;
    case 'PageDown':
      return clamp(index + columns * Math.max(1, rowsPerPage));
    case 'PageUp':
      return clamp(index - columns * Math.max(1, rowsPerPage));
    case 'Home':
      return 0;
    case 'End':
      return total - 1;
    default:
      return null;
  }
}
