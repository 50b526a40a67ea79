import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelInfo } from '../../shared/api/types';
import type { ModelManifest } from '../../shared/models/manifest';
import { useLoad, useStudio, useStudioEvent } from '../app/studio-context';
import { useSettings } from '../settings/settings-context';
import { Field } from '../ui/fields';
import { useNotify } from '../ui/notices';
import { PathField } from '../ui/PathField';
import { stageKey } from '../training/RunCard';

/** Bundled, imported and fine-tuned models with their measured quality; import and remove. */
export function ModelsView() {
  const { t } = useTranslation();
  const studio = useStudio();
  const models = useLoad(() => studio.models.list(), []);
  useStudioEvent('models.changed', models.reload);

  return (
    <div className="models page">
      <h2>{t('models.title')}</h2>
      {models.error && <p role="alert">{models.error.message}</p>}
      <div className="model-list">
        {models.data?.map((m) => <ModelCard key={m.manifest.id} model={m} />)}
        {models.data?.length === 0 && <p className="empty">{t('models.none')}</p>}
      </div>
      <ImportModel />
    </div>
  );
}

function ModelCard({ model }: { model: ModelInfo }) {
  const { t, i18n } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const { update } = useSettings();
  const m = model.manifest;
  const fineTune = fineTuneOf(m.training);
  // a fine-tuned model's held-out numbers sit next to its base model's on the same pictures
  const metrics: [string, ModelManifest['metrics'][string]][] = [
    ...Object.entries(m.metrics),
    ...(fineTune?.base.heldOut ? [[`${t('training.baseHeldOut')}: ${fineTune.base.name}`, fineTune.base.heldOut] as [string, ModelManifest['metrics'][string]]] : []),
  ];
  const [confirming, setConfirming] = useState(false);
  // the lineage's first clause says what it learned from; the rest (iterations, GPU notes) is for the curious
  const trainedShort = m.trainedOn?.split(/;|\(see /)[0].trim();

  async function remove() {
    try {
      await studio.models.remove({ id: m.id });
      notify.info(t('models.removed', { name: m.name }));
    } catch (e) {
      notify.error(e);
      setConfirming(false);
    }
  }
  const number = (v: number, digits: number) => v.toLocaleString(i18n.language, { minimumFractionDigits: digits, maximumFractionDigits: digits });

  return (
    <article className="model-card" aria-labelledby={`model-${m.id}`} data-model-id={m.id}>
      <header>
        <h3 id={`model-${m.id}`}>{m.name}</h3>
        <span className="badge">{t(`models.origin.${m.createdBy}`)}</span>
        {model.isDefault && <span className="badge accent">{t('models.default')}</span>}
      </header>
      {model.defaultNotice && (
        <p className="hint" role="status" data-testid="default-notice">
          {model.defaultNotice}
        </p>
      )}
      {m.description && <p>{m.createdBy === 'bundled' ? t(`models.about.${m.id}`, { defaultValue: m.description }) : m.description}</p>}
      {fineTune && (
        <p className="lineage" data-testid="lineage">
          {t('training.lineage', { base: fineTune.base.name, pairs: fineTune.trainPairs, iterations: fineTune.iterations, stages: t(`training.stages.${stageKey(fineTune.stages)}`) })}
        </p>
      )}
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
        {m.trainedOn && (
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
      {metrics.length > 0 ? (
        <table className="metrics">
          <caption>
            {t('models.metrics')}
            <small className="hint">{t('models.metricsHint')}</small>
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('models.set')}</th>
              <th scope="col">PSNR</th>
              <th scope="col">SSIM</th>
              <th scope="col">LPIPS</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map(([set, v]) => (
              <tr key={set}>
                <th scope="row">{set}</th>
                <td>
                  {number(v.psnr, 2)} dB{v.bicubic && <span className="baseline"> ({t('models.bicubicValue', { value: `${number(v.bicubic.psnr, 2)} dB` })})</span>}
                </td>
                <td>
                  {number(v.ssim, 4)}
                  {v.bicubic && <span className="baseline"> ({t('models.bicubicValue', { value: number(v.bicubic.ssim, 4) })})</span>}
                </td>
                <td>
                  {v.lpips < 0 ? '—' : number(v.lpips, 4)}
                  {v.bicubic && v.bicubic.lpips >= 0 && <span className="baseline"> ({t('models.bicubicValue', { value: number(v.bicubic.lpips, 4) })})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="hint">{t('models.noMetrics')}</p>
      )}
      <div className="actions">
        {!model.isDefault && (
          <button type="button" onClick={() => void update({ defaultModelId: m.id }).catch(notify.error)}>
            {t('models.makeDefault')}
          </button>
        )}
        {model.removable && !confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            {t('models.remove')}
          </button>
        )}
      </div>
      {confirming && (
        <div className="confirm" role="group" aria-label={t('models.confirmRemove', { name: m.name })}>
          <p>{t('models.confirmRemove', { name: m.name })}</p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void remove()}>
              {t('models.removeConfirmed')}
            </button>
            <button type="button" onClick={() => setConfirming(false)} autoFocus>
              {t('models.keep')}
            </button>
          </div>
        </div>
      )}
    </article>
  );
}

function ImportModel() {
  const { t } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [scale, setScale] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const model = await studio.models.import({ path: path.trim(), ...(name.trim() ? { name: name.trim() } : {}), ...(scale ? { scale: Number(scale) } : {}) });
      notify.info(t('models.imported', { name: model.manifest.name, scale: model.manifest.scale }));
      setPath('');
      setName('');
      setScale('');
    } catch (err) {
      notify.error(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="import-model" aria-labelledby="import-heading" onSubmit={(e) => void submit(e)}>
      <h3 id="import-heading">{t('models.import')}</h3>
      <p className="hint">{t('models.importHint')}</p>
      <PathField kind="file" extensions={['onnx']} label={t('models.onnxFile')} value={path} onChange={setPath} placeholder="/path/to/model.onnx" />
      <div className="field-pair">
        <Field label={t('models.displayName')}>{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label={t('models.scaleIfUnknown')}>
          {(id) => (
            <select id={id} value={scale} onChange={(e) => setScale(e.target.value)}>
              <option value="">{t('models.detect')}</option>
              {[1, 2, 3, 4, 8].map((s) => (
                <option key={s} value={s}>
                  ×{s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <button type="submit" className="primary" disabled={busy || !path.trim()}>
        {busy ? t('models.importing') : t('models.importButton')}
      </button>
    </form>
  );
}

interface FineTuneLineage {
  base: { id: string; name: string; heldOut?: { psnr: number; ssim: number; lpips: number } };
  trainPairs: number;
  iterations: number;
  stages: string;
}

/** The lineage the app writes into a fine-tuned model's manifest (`training.fineTune`), when present. */
function fineTuneOf(training: Record<string, unknown> | undefined): FineTuneLineage | undefined {
  const f = training?.fineTune as FineTuneLineage | undefined;
  return f && typeof f === 'object' && f.base && typeof f.base.name === 'string' ? f : undefined;
}
