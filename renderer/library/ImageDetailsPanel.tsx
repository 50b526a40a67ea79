import { useTranslation } from 'react-i18next';
import { mediaPath } from '../../shared/api/media';
import { useLoad, useStudio } from '../state/studio-context';
import { formatBytes, formatDate, formatDimensions } from '../ui/format';
import { errorText } from '../i18n/error-text';

/** Everything the library knows about one image. */
export function ImageDetailsPanel({ imageId, onOpen }: { imageId: number; onOpen: () => void }) {
  const { t, i18n } = useTranslation();
  const studio = useStudio();
  const { data: image, error } = useLoad(() => studio.library.image({ id: imageId }), [imageId]);
  if (error) return <p role="alert">{errorText(error)}</p>;
  if (!image) return <p>{t('common.loading')}</p>;
  const rows: [string, string][] = [
    [t('details.dimensions'), formatDimensions(image.width, image.height)],
    [t('details.size'), formatBytes(image.bytes, i18n.language)],
    [t('details.format'), image.format?.toUpperCase() ?? '—'],
    [t('details.date'), formatDate(image.dateMs, i18n.language)],
    [t('details.camera'), image.camera ?? '—'],
    [t('details.orientation'), image.orientation ? String(image.orientation) : '—'],
    [t('details.path'), image.path],
  ];
  return (
    <section className="details" aria-label={t('details.title')}>
      {!image.error && <img className="details-thumb" src={studio.mediaUrl(mediaPath({ kind: 'thumb', id: image.id, version: image.version }))} alt={image.name} />}
      <h3 className="details-name">{image.name}</h3>
      {image.error && (
        <p className="error-text" role="note">
          {image.error}
        </p>
      )}
      <dl>
        {rows.map(([label, value]) => (
          <div key={label} className="details-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={onOpen} disabled={Boolean(image.error)}>
        {t('details.openViewer')}
      </button>
    </section>
  );
}
