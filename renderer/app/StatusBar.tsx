import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BatchSummary } from '../../shared/api/types';
import { formatDuration, formatPercent } from '../ui/format';
import { useLoad, useStudio, useStudioEvent } from './studio-context';

/** The running batch at a glance (progress, ETA) and what the engine runs on. */
export function StatusBar({ onOpenQueue }: { onOpenQueue: () => void }) {
  const { t, i18n } = useTranslation();
  const studio = useStudio();
  const initial = useLoad(() => studio.queue.batches(), []);
  const engine = useLoad(() => studio.engine.status(), []);
  const [active, setActive] = useState<BatchSummary | null>(null);
  useEffect(() => setActive(initial.data?.find((b) => b.status === 'running') ?? null), [initial.data]);
  useStudioEvent('queue.batch', (batch) => setActive((current) => (batch.status === 'running' ? batch : current?.id === batch.id ? null : current)));
  useStudioEvent('engine.changed', engine.reload);
  const choice = engine.data?.lastChoice;

  return (
    <footer className="status-bar">
      {active ? (
        <button type="button" className="status-item" onClick={onOpenQueue}>
          {t('status.running', {
            name: active.name,
            percent: formatPercent(active.progress, i18n.language),
            eta: active.etaSeconds === null ? '…' : formatDuration(active.etaSeconds),
          })}
        </button>
      ) : (
        <span className="status-item">{t('status.idle')}</span>
      )}
      <span className="spacer" />
      {choice && <span className="status-item">{t('status.provider', { provider: choice.provider.toUpperCase() })}</span>}
    </footer>
  );
}
