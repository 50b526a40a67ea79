import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PreviewMetrics, TrainingRun } from '../../shared/training/types';
import { useStudio } from '../state/studio-context';
import { ProgressBar } from '../ui/fields';
import { formatDuration } from '../../shared/format/duration';
import { formatCount } from '../ui/format';
import { useNotify } from '../ui/notices';
import { LossChart } from './LossChart';
import { saidText } from '../i18n/error-text';
import { ImageDialog } from '../ui/ImageDialog';
import { RemovableActions } from '../ui/RemovableActions';
import { stageName } from '../ui/stage-name';
import { isActive } from '../state/use-runs';

/**
 * One run: state, live progress, the loss chart, the latest preview and, at the end, the held-out result. A run
 * that does not hold the trainer can be removed with its folder.
 */
export function RunCard({ run, onRemoved }: { run: TrainingRun; onRemoved: () => void }) {
  const { t, i18n } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const [preview, setPreview] = useState<string | null>(null);
  const [enlarged, setEnlarged] = useState(false);
  const previewStep = run.preview?.step;
  useEffect(() => {
    if (previewStep === undefined) return;
    let current = true;
    studio.training.preview({ id: run.id }).then((url) => current && setPreview(url), notify.error);
    return () => {
      current = false;
    };
  }, [studio, run.id, previewStep]);

  const number = (v: number | undefined, digits: number) => (v === undefined ? '—' : v.toLocaleString(i18n.language, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const act = (p: Promise<unknown>) => void p.catch(notify.error);
  const live = run.state === 'running' || run.state === 'stopping';

  return (
    <article className="run-card" aria-label={run.name} data-state={run.state} data-run-id={run.id}>
      <header>
        <h3>{run.name}</h3>
        <span className={`badge state-${run.state}`}>{t(`training.state.${run.state}`)}</span>
      </header>
      <p className="run-facts">
        {t('training.facts', { base: run.baseModelId, train: run.trainPairs, heldOut: run.heldOutPairs, stages: stageName(run.stages, t) })}
        {run.device && <> · <span data-testid="run-device">{t('training.device', { device: run.device })}</span></>}
      </p>
      <ProgressBar value={run.step / Math.max(1, run.totalIterations)} label={t('training.progress')} />
      <p className="run-progress" data-testid="run-progress">
        {t('training.steps', { step: formatCount(run.step, i18n.language), total: formatCount(run.totalIterations, i18n.language) })}
        {run.stage && <> · {t(`training.stage.${run.stage}`, { defaultValue: run.stage })}</>}
        {live && run.itPerSec !== null && <> · {t('training.speed', { speed: number(run.itPerSec, 2) })}</>}
        {live && run.etaSeconds !== null && <> · {t('training.eta', { eta: formatDuration(run.etaSeconds) })}</>}
      </p>
      {run.error && (
        <p className="run-error" role="alert">
          {saidText(run.errorSaid, run.error)}
        </p>
      )}
      <div className="run-body">
        <LossChart points={run.losses} total={run.totalIterations} />
        {run.preview && (
          <figure className="run-preview" data-step={run.preview.step}>
            {preview && (
              <button type="button" className="preview-button" onClick={() => setEnlarged(true)} aria-label={t('training.enlargePreview', { pair: run.preview.pair, step: run.preview.step })}>
                <img src={preview} alt={t('training.previewAlt', { pair: run.preview.pair, step: run.preview.step })} />
              </button>
            )}
            {preview && enlarged && <ImageDialog src={preview} label={t('training.previewAlt', { pair: run.preview.pair, step: run.preview.step })} onClose={() => setEnlarged(false)} />}
            <figcaption>
              {t('training.previewCaption', { pair: run.preview.pair, step: run.preview.step })}
              <MetricsTable base={run.preview.base} other={run.preview.current} otherLabel={t('training.current')} number={number} />
            </figcaption>
          </figure>
        )}
      </div>
      {run.heldOut && (
        <section className="run-result" aria-label={t('training.result')}>
          <h4>{t('training.resultTitle', { count: run.heldOut.pairs })}</h4>
          <MetricsTable base={run.heldOut.base} other={run.heldOut.tuned} otherLabel={t('training.tuned')} number={number} />
          {run.modelId && <p>{t('training.registered', { id: run.modelId })}</p>}
        </section>
      )}
      <RemovableActions
        removable={!isActive(run)}
        question={t('training.confirmRemove', { name: run.name })}
        onRemove={async () => {
          await studio.training.remove({ id: run.id });
          notify.info(t('training.removed', { name: run.name }));
          onRemoved();
        }}
      >
        {(run.state === 'running' || run.state === 'queued') && (
          <button type="button" onClick={() => act(studio.training.stop({ id: run.id }))}>
            {t('training.stop')}
          </button>
        )}
        {run.resumable && (
          <button type="button" className="primary" onClick={() => act(studio.training.resume({ id: run.id }))}>
            {t('training.resume')}
          </button>
        )}
        {run.resumable && run.step > 0 && (
          <button type="button" onClick={() => act(studio.training.exportNow({ id: run.id }))}>
            {t('training.exportNow')}
          </button>
        )}
      </RemovableActions>
    </article>
  );
}

function MetricsTable({ base, other, otherLabel, number }: { base: PreviewMetrics; other: PreviewMetrics; otherLabel: string; number: (v: number | undefined, digits: number) => string }) {
  const { t } = useTranslation();
  return (
    <table className="metrics">
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">PSNR</th>
          <th scope="col">LPIPS</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{t('training.base')}</th>
          <td>{number(base.psnr, 2)} dB</td>
          <td>{number(base.lpips, 4)}</td>
        </tr>
        <tr>
          <th scope="row">{otherLabel}</th>
          <td>{number(other.psnr, 2)} dB</td>
          <td>{number(other.lpips, 4)}</td>
        </tr>
      </tbody>
    </table>
  );
}
