import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { StudioBridge } from '../../shared/api/client';
import type { EventName, StudioEvents } from '../../shared/api/events';

const StudioContext = createContext<StudioBridge | null>(null);

export function StudioProvider({ bridge, children }: { bridge: StudioBridge; children: ReactNode }) {
  return <StudioContext.Provider value={bridge}>{children}</StudioContext.Provider>;
}

export function useStudio(): StudioBridge {
  const bridge = useContext(StudioContext);
  if (!bridge) throw new Error('useStudio outside StudioProvider');
  return bridge;
}

/** Calls the latest `handler` for each event of `name` while the component is mounted. */
export function useStudioEvent<K extends EventName>(name: K, handler: (payload: StudioEvents[K]) => void): void {
  const studio = useStudio();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => studio.on(name, (payload) => latest.current(payload)), [studio, name]);
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads data with `load` when `deps` change and whenever `reload` is called; answers that arrive
 * after a newer request started are dropped, so a slow old answer never overwrites a new one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const latestLoad = useRef(load);
  latestLoad.current = load;

  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    latestLoad.current().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState((s) => ({ data: s.data, error: asError(error), loading: false })),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);

  return { data: state.data, error: state.error, loading: state.loading, reload: () => setGeneration((g) => g + 1) };
}

export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
