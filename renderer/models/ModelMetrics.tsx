import { useTranslation } from 'react-i18next';
import type { ModelManifest } from '../../shared/models/manifest';
import type { FineTuneLineage } from './fine-tune';

type Metric = ModelManifest['metrics'][string];

/**
 * A model's measured quality: on standard test sets with a plain enlargement under each value, or, for a
 * fine-tuned model, on the pictures kept aside from its run, beside its base model on the same pictures.
 */
export function ModelMetrics({ manifest, fineTune }: { manifest: ModelManifest; fineTune: FineTuneLineage | undefined }) {
  const { t, i18n } = useTranslation();
  const number = (v: number, digits: number) => (v < 0 ? '—' : v.toLocaleString(i18n.language, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const heldOut = fineTune && manifest.metrics['held-out'];
  const rows: [string, Metric][] = heldOut
    ? [[t('models.thisModel'), heldOut], ...(fineTune.base.heldOut ? [[t('models.baseModel'), fineTune.base.heldOut] as [string, Metric]] : [])]
    : Object.entries(manifest.metrics);
  if (rows.length === 0) return <p className="hint">{t('models.noMetrics')}</p>;
  const plain = rows.some(([, v]) => v.bicubic);

  const cell = (value: number, digits: number, unit: string, bicubic: number | undefined) => (
    <td>
      {number(value, digits)}
      {unit}
      {bicubic !== undefined && bicubic >= 0 && <span className="baseline">{t('models.bicubicValue', { value: number(bicubic, digits) })}</span>}
    </td>
  );
  return (
    <table className="metrics">
      <caption>
        {t('models.metrics')}
        <small className="hint">
          {heldOut ? t('models.heldOutHint', { count: fineTune.heldOutPairs }) : t('models.metricsHint')}
          {plain && ` ${t('models.bicubicHint')}`}
        </small>
      </caption>
      <thead>
        <tr>
          <th scope="col">{heldOut ? <span className="visually-hidden">{t('models.model')}</span> : t('models.set')}</th>
          <th scope="col">PSNR</th>
          <th scope="col">SSIM</th>
          <th scope="col">LPIPS</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, v]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            {cell(v.psnr, 2, ' dB', v.bicubic?.psnr)}
            {cell(v.ssim, 4, '', v.bicubic?.ssim)}
            {cell(v.lpips, 4, '', v.bicubic?.lpips)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
