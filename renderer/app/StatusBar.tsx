import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BatchSummary } from '../../shared/api/types';
import { displayBatchName } from '../ui/batch-name';
import { formatDuration } from '../../shared/format/duration';
import { formatCount, formatPercent } from '../ui/format';
import { isActive, useRuns } from '../state/use-runs';
import { useLoad, useStudio, useStudioEvent } from '../state/studio-context';

/** A batch the status bar reports on: one that runs, waits or is paused with work left. */
const unfinished = (batch: BatchSummary) => batch.status === 'running' || batch.status === 'queued' || batch.status === 'paused';

/** The batch in hand at a glance (progress, ETA, or that it is paused), the run that trains, and what the engine runs on. */
export function StatusBar({ onOpenQueue, onOpenTraining }: { onOpenQueue: () => void; onOpenTraining: () => void }) {
  const { t, i18n } = useTranslation();
  const studio = useStudio();
  const initial = useLoad(() => studio.queue.batches(), []);
  const engine = useLoad(() => studio.engine.status(), []);
  const [batches, setBatches] = useState<BatchSummary[]>([]);
  useEffect(() => setBatches((initial.data ?? []).filter(unfinished)), [initial.data]);
  useStudioEvent('queue.batch', (batch) => setBatches((list) => [...list.filter((b) => b.id !== batch.id), ...(unfinished(batch) ? [batch] : [])]));
  useStudioEvent('queue.removed', ({ batchId }) => setBatches((list) => list.filter((b) => b.id !== batchId)));
  useStudioEvent('engine.changed', engine.reload);
  const choice = engine.data?.lastChoice;
  const active = batches.find((b) => b.status === 'running') ?? batches.find((b) => b.status === 'paused') ?? batches[0];
  const percent = active && formatPercent(active.progress, i18n.language);
  const name = active && displayBatchName(active.name, t);
  const run = useRuns().list.find(isActive);

  return (
    <footer className="status-bar">
      {active ? (
        <button type="button" className="status-item" onClick={onOpenQueue} data-testid="status-batch">
          {active.stopping
            ? t('status.stopping', { name, state: t(`queue.stopping.${active.stopping}`) })
            : active.status === 'paused'
              ? t('status.paused', { name, percent })
              : t('status.running', { name, percent, eta: active.etaSeconds === null ? '…' : formatDuration(active.etaSeconds) })}
        </button>
      ) : (
        !run && <span className="status-item">{t('status.idle')}</span>
      )}
      {run && (
        <button type="button" className="status-item" onClick={onOpenTraining} data-testid="status-training">
          {t('status.training', { name: run.name, step: formatCount(run.step, i18n.language), total: formatCount(run.totalIterations, i18n.language) })}
          {run.etaSeconds !== null && `, ${t('training.eta', { eta: formatDuration(run.etaSeconds) })}`}
        </button>
      )}
      <span className="spacer" />
      {choice && <span className="status-item">{t('status.provider', { provider: choice.provider.toUpperCase() })}</span>}
    </footer>
  );
}
