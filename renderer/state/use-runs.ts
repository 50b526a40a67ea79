import { useMemo, useState } from 'react';
import type { TrainingRun } from '../../shared/training/types';
import { useLoad, useStudio, useStudioEvent, type Loaded } from './studio-context';

/** A run that holds the single trainer: while there is one, another cannot start. */
export const isActive = (run: TrainingRun) => run.state === 'queued' || run.state === 'running' || run.state === 'stopping';

/**
 * Every training run, newest first, kept current by the runs' events (an event newer than the list wins).
 * `forget` drops a removed run: no event says a run is gone.
 */
export function useRuns(): { list: TrainingRun[]; loaded: Loaded<TrainingRun[]>; forget: (id: number) => void } {
  const studio = useStudio();
  const loaded = useLoad(() => studio.training.runs(), []);
  const [live, setLive] = useState<Map<number, TrainingRun>>(new Map());
  useStudioEvent('training.run', (run) => setLive((m) => new Map(m).set(run.id, run)));
  const list = useMemo(() => {
    const byId = new Map((loaded.data ?? []).map((r) => [r.id, r]));
    for (const [id, run] of live) if (!byId.has(id) || byId.get(id)!.updatedAt <= run.updatedAt) byId.set(id, run);
    return [...byId.values()].sort((a, b) => b.id - a.id);
  }, [loaded.data, live]);
  const forget = (id: number) => {
    setLive((m) => {
      const rest = new Map(m);
      rest.delete(id);
      return rest;
    });
    loaded.reload();
  };
  return { list, loaded, forget };
}
