import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { itemStatuses, type BatchItem, type BatchSummary, type ItemStatus, type ModelInfo } from '../../shared/api/types';
import { useLoad, useStudio, useStudioEvent } from '../state/studio-context';
import { Field, ProgressBar } from '../ui/fields';
import { formatDuration } from '../../shared/format/duration';
import { formatPercent } from '../ui/format';
import { useNotify } from '../ui/notices';
import { batchActions, type BatchAction } from './batch-actions';
import { displayBatchName } from '../ui/batch-name';
import { errorText, saidText } from '../i18n/error-text';

const pageSize = 200;

const newestFirst = (a: BatchSummary, b: BatchSummary) => b.id - a.id;

/** Every batch with its progress and ETA, and the items of the one that is open (at first: `openFirst`, else the newest). */
export function QueueView({ onCompare, openFirst }: { onCompare: (item: BatchItem) => void; openFirst?: number }) {
  const { t } = useTranslation();
  const studio = useStudio();
  const batches = useLoad(() => studio.queue.batches(), []);
  const models = useLoad(() => studio.models.list(), []);
  useStudioEvent('models.changed', models.reload);
  const [list, setList] = useState<BatchSummary[]>([]);
  const [openId, setOpenId] = useState<number | null>(openFirst ?? null);
  // Events that arrive while the list is loading are newer than what it may return (a small batch can
  // finish in between): they are laid over the loaded list instead of being overwritten by it.
  const seen = useRef(new Map<number, BatchSummary | null>());
  useEffect(() => {
    if (!batches.data) return;
    const merged = new Map(batches.data.map((b) => [b.id, b]));
    for (const [id, batch] of seen.current) {
      if (batch) merged.set(id, batch);
      else merged.delete(id);
    }
    setList([...merged.values()].sort(newestFirst));
  }, [batches.data]);
  useStudioEvent('queue.batch', (batch) => {
    seen.current.set(batch.id, batch);
    setList((l) => upsert(l, batch, newestFirst));
  });
  useStudioEvent('queue.removed', ({ batchId }) => {
    seen.current.set(batchId, null);
    setList((l) => l.filter((b) => b.id !== batchId));
  });

  const open = list.find((b) => b.id === openId) ?? list[0];

  return (
    <div className="queue">
      <section className="batch-list" aria-labelledby="queue-heading">
        <h2 id="queue-heading">{t('queue.title')}</h2>
        {batches.error && <p role="alert">{errorText(batches.error)}</p>}
        {list.length === 0 && <p className="empty">{t('queue.empty')}</p>}
        <ul>
          {list.map((batch) => (
            <li key={batch.id}>
              <BatchCard batch={batch} models={models.data} open={batch.id === open?.id} onOpen={() => setOpenId(batch.id)} />
            </li>
          ))}
        </ul>
      </section>
      {open && <BatchItems key={open.id} batch={open} onCompare={onCompare} />}
    </div>
  );
}

function BatchCard({ batch, models, open, onOpen }: { batch: BatchSummary; models: ModelInfo[] | undefined; open: boolean; onOpen: () => void }) {
  const { t, i18n } = useTranslation();
  const name = displayBatchName(batch.name, t);
  const studio = useStudio();
  const notify = useNotify();

  async function run(action: BatchAction) {
    try {
      if (action === 'reveal') {
        const result = await studio.system.revealOutput({ batchId: batch.id });
        if (!result.revealed) notify.info(t('queue.outputAt', { path: result.path }));
        return;
      }
      if (action === 'pause' || action === 'stopNow') await studio.queue.pause({ batchId: batch.id, afterCurrent: action === 'pause' });
      else if (action === 'retryAll') await studio.queue.retry({ batchId: batch.id, cancelled: true });
      else await studio.queue[action]({ batchId: batch.id });
    } catch (e) {
      notify.error(e);
    }
  }

  return (
    <article className={`batch-card${open ? ' open' : ''}`} aria-label={name} data-status={batch.status}>
      <button type="button" className="batch-open" onClick={onOpen} aria-expanded={open}>
        <span className="batch-name">{name}</span>
        <span className={`status status-${batch.stopping ? 'paused' : batch.status}`} data-testid="batch-status">
          {batch.stopping ? t(`queue.stopping.${batch.stopping}`) : t(`queue.batchStatus.${batch.status}`)}
        </span>
      </button>
      <BatchWhere batch={batch} models={models} />
      <ProgressBar value={batch.progress} label={t('queue.progressOf', { name })} />
      <p className="batch-line">
        <span data-testid="batch-progress">{formatPercent(batch.progress, i18n.language)}</span>
        {' · '}
        <span data-testid="batch-counts">
          {t('queue.doneOf', { done: batch.counts.done, total: batch.total })}
          {batch.counts.failed > 0 && <span className="error-text"> · {t('queue.failedCount', { count: batch.counts.failed })}</span>}
          {batch.counts.skipped > 0 && ` · ${t('queue.skippedCount', { count: batch.counts.skipped })}`}
          {batch.counts.cancelled > 0 && ` · ${t('queue.cancelledCount', { count: batch.counts.cancelled })}`}
        </span>
        {(batch.status === 'running' || batch.status === 'queued') && !batch.stopping && (
          <>
            {' · '}
            <span data-testid="batch-eta">{batch.etaSeconds !== null ? t('queue.eta', { time: formatDuration(batch.etaSeconds) }) : t('queue.noEta')}</span>
          </>
        )}
      </p>
      {batch.pausedReason && (
        <p className="error-text" role="note">
          {saidText(batch.pausedSaid, batch.pausedReason)}
        </p>
      )}
      <div className="actions">
        {batchActions(batch).map((action) => (
          <button key={action} type="button" onClick={() => void run(action)} disabled={batch.stopping === 'cancel'}>
            {t(`queue.action.${action}`)}
          </button>
        ))}
      </div>
    </article>
  );
}

/** What tells two batches of the same photos apart: the model, the size, and where the files go. */
function BatchWhere({ batch, models }: { batch: BatchSummary; models: ModelInfo[] | undefined }) {
  const { t } = useTranslation();
  const { modelId, scale, width, height } = batch.settings;
  const chosen = models?.find((m) => (modelId ? m.manifest.id === modelId : m.isDefault))?.manifest.name;
  const model = modelId ? (chosen ?? modelId) : t('batch.defaultModel', { name: chosen ?? '—' });
  const size = width !== undefined || height !== undefined ? `${width ?? '…'}×${height ?? '…'} px` : scale !== undefined ? `×${scale}` : null;
  return (
    <p className="batch-where" data-testid="batch-where">
      {model}
      {size && ` · ${size}`}
      {' → '}
      <span className="path" title={batch.output.folder}>
        {batch.output.folder}
      </span>
    </p>
  );
}

function BatchItems({ batch, onCompare }: { batch: BatchSummary; onCompare: (item: BatchItem) => void }) {
  const { t, i18n } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const [status, setStatus] = useState<ItemStatus | ''>('');
  const [limit, setLimit] = useState(pageSize);
  // A batch-wide cancel or retry changes many items with one batch event: their rows are read again.
  const countsKey = itemStatuses.map((s) => batch.counts[s]).join(',');
  const items = useLoad(() => studio.queue.items({ batchId: batch.id, ...(status ? { status } : {}), limit }), [batch.id, status, limit, countsKey]);
  const [list, setList] = useState<BatchItem[]>([]);
  useEffect(() => setList(items.data?.items ?? []), [items.data]);
  useStudioEvent('queue.item', (item) => {
    if (item.batchId === batch.id) setList((l) => (l.some((i) => i.id === item.id) ? l.map((i) => (i.id === item.id ? item : i)) : l));
  });

  async function act(action: 'cancel' | 'retry', item: BatchItem) {
    try {
      await studio.queue[action]({ batchId: batch.id, itemId: item.id });
    } catch (e) {
      notify.error(e);
    }
  }

  return (
    <section className="batch-items" aria-labelledby="items-heading">
      <header className="panel-header">
        <h2 id="items-heading">{t('queue.itemsOf', { name: displayBatchName(batch.name, t) })}</h2>
        <Field label={t('queue.show')}>
          {(id) => (
            <select id={id} value={status} onChange={(e) => setStatus(e.target.value as ItemStatus | '')}>
              <option value="">{t('queue.allItems')}</option>
              {itemStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`queue.itemStatus.${s}`)} ({batch.counts[s]})
                </option>
              ))}
            </select>
          )}
        </Field>
      </header>
      {items.error && <p role="alert">{errorText(items.error)}</p>}
      <table className="items-table">
        <thead>
          <tr>
            <th scope="col">{t('queue.file')}</th>
            <th scope="col">{t('queue.status')}</th>
            <th scope="col">{t('queue.progress')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('queue.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((item) => {
            const name = item.input.split(/[\\/]/).pop() ?? item.input;
            return (
              <tr key={item.id} data-status={item.status}>
                <td title={item.input}>
                  <div className="item-name">{name}</div>
                  {item.error && <div className="error-text item-error">{saidText(item.errorSaid, item.error)}</div>}
                  {item.note && <div className="item-note">{saidText(item.noteSaid, item.note)}</div>}
                </td>
                <td>
                  <span className={`status status-${item.status}`}>{t(`queue.itemStatus.${item.status}`)}</span>
                </td>
                <td>{item.status === 'running' ? formatPercent(item.progress, i18n.language) : item.status === 'done' ? formatPercent(1, i18n.language) : ''}</td>
                <td className="actions">
                  {item.status === 'done' && item.output && (
                    <button type="button" onClick={() => onCompare(item)} aria-label={t('queue.compareItem', { name })}>
                      {t('queue.compare')}
                    </button>
                  )}
                  {(item.status === 'queued' || item.status === 'running') && (
                    <button type="button" onClick={() => void act('cancel', item)} aria-label={t('queue.cancelItem', { name })}>
                      {t('queue.action.cancel')}
                    </button>
                  )}
                  {(item.status === 'failed' || item.status === 'cancelled') && (
                    <button type="button" onClick={() => void act('retry', item)} aria-label={t('queue.retryItemNamed', { name })}>
                      {t('queue.retryItem')}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {items.data && items.data.total > list.length && (
        <button type="button" onClick={() => setLimit((l) => Math.min(1000, l + pageSize))} disabled={limit >= 1000}>
          {t('queue.showMore', { count: items.data.total - list.length })}
        </button>
      )}
    </section>
  );
}

function upsert<T extends { id: number }>(list: T[], item: T, order: (a: T, b: T) => number): T[] {
  const next = list.some((x) => x.id === item.id) ? list.map((x) => (x.id === item.id ? item : x)) : [...list, item];
  return next.sort(order);
}
