import { useTranslation } from 'react-i18next';
import type { ModelManifest } from '../../shared/models/manifest';
import { useLoad, useStudio } from '../state/studio-context';
import { errorText } from '../i18n/error-text';

/** What people would rather look at than read: the sample picture enlarged by plain bicubic, and by this model. */
export function ModelSample({ manifest }: { manifest: ModelManifest }) {
  const { t } = useTranslation();
  const studio = useStudio();
  const sample = useLoad(() => studio.models.sample({ id: manifest.id }), [manifest.id]);
  return (
    <div className="model-sample" role="group" aria-label={t('models.sample.label', { scale: manifest.scale })} aria-busy={sample.loading}>
      {sample.data ? (
        <>
          <figure>
            <img src={sample.data.before} alt={t('models.sample.bicubic')} />
            <figcaption>{t('models.sample.bicubic')}</figcaption>
          </figure>
          <figure>
            <img src={sample.data.after} alt={t('models.sample.thisModel')} />
            <figcaption>{t('models.sample.thisModel')}</figcaption>
          </figure>
        </>
      ) : (
        <p className="hint">{sample.error ? errorText(sample.error) : t('models.sample.making')}</p>
      )}
    </div>
  );
}
