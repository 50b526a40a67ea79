import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLoad, useStudio } from '../state/studio-context';
import { isActive, useRuns } from '../state/use-runs';
import { NewRun } from './NewRun';
import { RunCard } from './RunCard';
import './training.css';
import { errorText } from '../i18n/error-text';

/** Fine-tuning on the user's own pictures: the Python that trains, a new run, and every run so far. */
export function TrainingView() {
  const { t } = useTranslation();
  const { list, loaded: runs, forget } = useRuns();

  return (
    <div className="training page">
      <h2>{t('training.title')}</h2>
      <PythonStatus />
      <div className="training-columns">
        <NewRun onStarted={runs.reload} activeRun={list.find(isActive)} />
        <section aria-labelledby="runs-heading">
          <h3 id="runs-heading">{t('training.runs')}</h3>
          {runs.error && <p role="alert">{errorText(runs.error)}</p>}
          {list.length === 0 && !runs.loading && <p className="empty">{t('training.noRuns')}</p>}
          <div className="run-list">
            {list.map((run) => (
              <RunCard key={run.id} run={run} onRemoved={() => forget(run.id)} />
            ))}
          </div>
        </section>
      </div>
    </div>
  );
}

function PythonStatus() {
  const { t } = useTranslation();
  const studio = useStudio();
  const [refresh, setRefresh] = useState(0);
  const python = useLoad(() => studio.training.python({ refresh: refresh > 0 }), [refresh]);
  const info = python.data;
  return (
    <section className="python-status" aria-label={t('training.python')}>
      {python.loading && !info && <p>{t('training.lookingForPython')}</p>}
      {info?.ok && (
        <p data-testid="python-ok">
          {t('training.pythonOk', { python: info.python, version: info.version, torch: info.torch })} {t('training.devices', { devices: info.devices.map((d) => d.name).join(', ') })}
        </p>
      )}
      {info && !info.ok && (
        <div role="alert">
          <p>{t('training.noPython')}</p>
          <ul>
            {info.tried.map((c) => (
              <li key={c.candidate}>
                {c.candidate}: {c.problem}
              </li>
            ))}
          </ul>
          <p>{info.advice}</p>
        </div>
      )}
      <button type="button" onClick={() => setRefresh((n) => n + 1)}>
        {t('training.checkAgain')}
      </button>
    </section>
  );
}
