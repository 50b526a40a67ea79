import { useTranslation } from 'react-i18next';
import type { LossPoint } from '../../shared/training/types';

const series = ['ct', 'dtm', 'total'] as const;
const width = 320;
const height = 120;
/** Below the plot: the iteration axis's numbers. */
const axisHeight = 14;
const anchors = ['start', 'middle', 'end'] as const;

/** The loss per stage over iterations, on a log scale (losses fall by orders of magnitude). */
export function LossChart({ points, total }: { points: LossPoint[]; total: number }) {
  const { t, i18n } = useTranslation();
  const format = (v: number, digits?: number) => v.toLocaleString(i18n.language, digits ? { maximumSignificantDigits: digits } : {});
  const values = points.flatMap((p) => series.map((s) => p[s]).filter((v): v is number => typeof v === 'number' && v > 0));
  if (values.length === 0) return <p className="hint">{t('training.noLoss')}</p>;
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  const span = hi - lo || 1;
  const x = (step: number) => (step / Math.max(1, total)) * width;
  const y = (v: number) => height - ((Math.log10(v) - lo) / span) * (height - 8) - 4;
  const dtmFrom = points.find((p) => p.stage === 'dtm')?.step;
  return (
    <figure className="loss-chart">
      <svg viewBox={`0 0 ${width} ${height + axisHeight}`} role="img" aria-label={t('training.lossChart', { count: points.length })} data-points={points.length}>
        {dtmFrom !== undefined && <rect className="dtm-span" x={x(dtmFrom)} y={0} width={width - x(dtmFrom)} height={height} />}
        {series.map((s) => {
          const line = smooth(points.filter((p) => typeof p[s] === 'number' && p[s]! > 0).map((p) => [p.step, p[s]!] as const));
          if (line.length === 0) return null;
          return <polyline key={s} className={`loss-${s}`} fill="none" points={line.map(([step, v]) => `${x(step).toFixed(1)},${y(v).toFixed(1)}`).join(' ')} />;
        })}
        <text className="axis" x={4} y={12}>
          {format(10 ** hi, 2)}
        </text>
        <text className="axis" x={4} y={height - 4}>
          {format(10 ** lo, 2)}
        </text>
        {[0, Math.round(total / 2), total].map((step, i) => (
          <text key={i} className="axis axis-x" x={x(step)} y={height + axisHeight - 3} textAnchor={anchors[i]}>
            {format(step)}
          </text>
        ))}
      </svg>
      <figcaption>
        <span className="axis-title">{t('training.iterationAxis')}</span>
        {series.filter((s) => points.some((p) => typeof p[s] === 'number')).map((s) => (
          <span key={s} className={`legend loss-${s}`}>
            {t(`training.loss.${s}`)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** An exponential moving average: single batches' losses jump by a factor of several; the trend is what matters. */
function smooth(line: (readonly [number, number])[], keep = 0.7): (readonly [number, number])[] {
  let avg: number | undefined;
  return line.map(([step, v]) => {
    avg = avg === undefined ? v : keep * avg + (1 - keep) * v;
    return [step, avg] as const;
  });
}
