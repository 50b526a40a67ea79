import { useEffect, useMemo, useRef } from 'react';

/** Runs `fn` at once, then at most once per `ms` while calls keep coming; the last call always runs. */
export function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const state = useRef<{ timer: ReturnType<typeof setTimeout> | null; last: number }>({ timer: null, last: 0 });
  useEffect(() => () => void (state.current.timer && clearTimeout(state.current.timer)), []);
  return useMemo(
    () => () => {
      const s = state.current;
      if (s.timer) return;
      const wait = s.last + ms - Date.now();
      const run = () => {
        s.timer = null;
        s.last = Date.now();
        latest.current();
      };
      if (wait <= 0) run();
      else s.timer = setTimeout(run, wait);
    },
    [ms],
  );
}
