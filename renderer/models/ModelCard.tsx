import { useTranslation } from 'react-i18next';
import type { ModelInfo } from '../../shared/api/types';
import { ownStepCount, type ModelManifest } from '../../shared/models/manifest';
import { useStudio } from '../state/studio-context';
import { useSettings } from '../state/settings-context';
import { useNotify } from '../ui/notices';
import { RemovableActions } from '../ui/RemovableActions';
import { stageName } from '../ui/stage-name';
import { fineTuneOf, type FineTuneLineage } from './fine-tune';
import { ModelMetrics } from './ModelMetrics';
import { ModelSample } from './ModelSample';

/** One model: what it is for (or what it was fine-tuned from), its before/after, its scores; default and removal. */
export function ModelCard({ model }: { model: ModelInfo }) {
  const { t, i18n } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const { update } = useSettings();
  const m = model.manifest;
  const fineTune = fineTuneOf(m.training);
  // the lineage's first clause says what it learned from; the rest (iterations, GPU notes) is for the curious
  const trainedShort = m.trainedOn?.split(/;|\(see /)[0].trim();

  return (
    <article className="model-card" aria-labelledby={`model-${m.id}`} data-model-id={m.id}>
      <header>
        <h3 id={`model-${m.id}`}>{m.name}</h3>
        <span className="badge">{t(`models.origin.${m.createdBy}`)}</span>
        {model.isDefault && <span className="badge accent">{t('models.default')}</span>}
      </header>
      {m.style && (
        <p className="model-style" data-testid="model-style">
          {t(`models.style.${m.style}`)}
        </p>
      )}
      <Sampling manifest={m} />
      {model.defaultNotice && (
        <p className="hint" role="status" data-testid="default-notice">
          {model.defaultNotice}
        </p>
      )}
      {fineTune ? (
        <p className="lineage" data-testid="lineage">
          <Lineage fineTune={fineTune} />
        </p>
      ) : (
        m.description && <p>{m.createdBy === 'bundled' ? t(`models.about.${m.id}`, { defaultValue: m.description }) : m.description}</p>
      )}
      <ModelSample manifest={m} />
      <dl className="model-facts">
        <div>
          <dt>{t('models.id')}</dt>
          <dd>{m.id}</dd>
        </div>
        <div>
          <dt>{t('models.kind')}</dt>
          <dd>{m.kind}</dd>
        </div>
        <div>
          <dt>{t('models.scale')}</dt>
          <dd>×{m.scale}</dd>
        </div>
        {m.params !== undefined && (
          <div>
            <dt>{t('models.params')}</dt>
            <dd>{(m.params / 1e6).toLocaleString(i18n.language, { maximumFractionDigits: 2 })} M</dd>
          </div>
        )}
        <div>
          <dt>{t('models.license')}</dt>
          <dd>{m.license}</dd>
        </div>
        {m.trainedOn && !fineTune && (
          <div>
            <dt>{t('models.trainedOn')}</dt>
            <dd className="trained-on">
              {trainedShort}
              {trainedShort !== m.trainedOn && (
                <details>
                  <summary>{t('models.moreLineage')}</summary>
                  {m.trainedOn}
                </details>
              )}
            </dd>
          </div>
        )}
      </dl>
      <ModelMetrics manifest={m} fineTune={fineTune} />
      <RemovableActions
        removable={model.removable}
        question={t('models.confirmRemove', { name: m.name })}
        onRemove={async () => {
          await studio.models.remove({ id: m.id });
          notify.info(t('models.removed', { name: m.name }));
        }}
      >
        {!model.isDefault && (
          <button type="button" onClick={() => void update({ defaultModelId: m.id }).catch(notify.error)}>
            {t('models.makeDefault')}
          </button>
        )}
      </RemovableActions>
    </article>
  );
}

/** How a model that samples in several steps spends its time: each step is one more run of the graph. */
function Sampling({ manifest }: { manifest: ModelManifest }) {
  const { t } = useTranslation();
  const count = ownStepCount(manifest);
  if (manifest.kind !== 'ctmsr' || count < 2) return null;
  return (
    <p className="model-sampling" data-testid="model-sampling">
      {count === 2 ? t('models.samplingTwo') : t('models.samplingMany', { count })}
    </p>
  );
}

/** Where a fine-tuned model comes from, in one sentence of the UI's language. */
function Lineage({ fineTune: f }: { fineTune: FineTuneLineage }) {
  const { t } = useTranslation();
  const common = { base: f.base.name, count: f.trainPairs, heldOut: f.heldOutPairs, iterations: f.iterations, stages: stageName(f.stages, t) };
  if (f.source?.kind === 'hr') {
    const damage = t(`models.damage.${f.source.degradation}`, { quality: f.source.jpegQuality });
    return <>{t('models.lineagePhotos', { ...common, damage })}</>;
  }
  return <>{t('models.lineagePairs', common)}</>;
}
