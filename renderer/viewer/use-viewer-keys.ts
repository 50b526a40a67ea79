import { useEffect, useRef, type RefObject } from 'react';

/**
 * The viewer is modal. It takes focus when it opens; Escape closes it; Tab and Shift+Tab cycle through its own
 * controls; its shortcuts work wherever focus is (a button that just got disabled drops focus to the page), except
 * that typing in a field stays typing. `shortcuts` is null while there is no image to act on.
 */
export function useViewerKeys(root: RefObject<HTMLElement | null>, onClose: () => void, shortcuts: Record<string, () => void> | null): void {
  useEffect(() => root.current?.focus(), []);

  const onKey = useRef<(e: KeyboardEvent) => void>(() => undefined);
  onKey.current = (e) => {
    if (e.key === 'Escape') return onClose();
    if (e.key === 'Tab') return keepFocusInside(root.current, e);
    const inField = e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement;
    const action = inField ? undefined : shortcuts?.[e.key];
    if (action && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      action();
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}

/** Tab from the last control goes to the first, Shift+Tab from the first to the last, and focus outside comes back in. */
function keepFocusInside(root: HTMLElement | null, e: KeyboardEvent) {
  if (!root) return;
  const focusable = [...root.querySelectorAll<HTMLElement>('button, select, input, [tabindex]:not([tabindex="-1"])')].filter((el) => !el.hasAttribute('disabled'));
  if (focusable.length === 0) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  const inside = root.contains(document.activeElement);
  if (e.shiftKey && (!inside || document.activeElement === first || document.activeElement === root)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (!inside || document.activeElement === last)) {
    e.preventDefault();
    first.focus();
  }
}
