import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLoad, useStudio, useStudioEvent } from '../state/studio-context';
import { Field } from '../ui/fields';
import { useNotify } from '../ui/notices';
import { PathField } from '../ui/PathField';
import { ModelCard } from './ModelCard';
import { errorText } from '../i18n/error-text';

/** Bundled, imported and fine-tuned models with their measured quality; import and remove. */
export function ModelsView() {
  const { t } = useTranslation();
  const studio = useStudio();
  const models = useLoad(() => studio.models.list(), []);
  useStudioEvent('models.changed', models.reload);

  return (
    <div className="models page">
      <h2>{t('models.title')}</h2>
      {models.error && <p role="alert">{errorText(models.error)}</p>}
      <div className="model-list">
        {models.data?.map((m) => <ModelCard key={m.manifest.id} model={m} />)}
        {models.data?.length === 0 && <p className="empty">{t('models.none')}</p>}
      </div>
      <ImportModel />
    </div>
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
