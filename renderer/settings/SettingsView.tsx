import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { languages, themes, type SettingsPatch } from '../../shared/api/settings';
import { useLoad, useStudio, useStudioEvent } from '../state/studio-context';
import { useSystemInfo } from '../state/system-info';
import { Field } from '../ui/fields';
import { NumberField } from '../ui/NumberField';
import { useNotify } from '../ui/notices';
import { PathField } from '../ui/PathField';
import { LastRun } from './LastRun';
import { PythonSetting } from './PythonSetting';
import { useSettings } from '../state/settings-context';
import { errorText } from '../i18n/error-text';

const languageNames: Record<(typeof languages)[number], string> = { en: 'English', de: 'Deutsch' };

/** Engine (provider, device, tiles, memory, threads), training (Python), language and theme. */
export function SettingsView() {
  const { t } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const { settings, update } = useSettings();
  const info = useSystemInfo();
  const engine = useLoad(() => studio.engine.status(), []);
  useStudioEvent('engine.changed', engine.reload);
  const save = (patch: SettingsPatch) => void update(patch).catch(notify.error);
  const [outputDraft, setOutputDraft] = useDraft(settings.defaultOutputFolder);

  return (
    <div className="settings page">
      <h2>{t('settings.title')}</h2>

      <section aria-labelledby="settings-engine">
        <h3 id="settings-engine">{t('settings.engine')}</h3>
        <Field label={t('settings.provider')} hint={t('settings.providerHint')}>
          {(id, hint) => (
            <select id={id} aria-describedby={hint} value={settings.provider} onChange={(e) => save({ provider: e.target.value as SettingsPatch['provider'] })}>
              <option value="auto">{t('settings.auto')}</option>
              {engine.data?.providers.map((p) => (
                <option key={p.name} value={p.name} disabled={p.state === 'unavailable'}>
                  {p.label}
                  {p.state === 'failed' || p.state === 'unavailable' ? ` — ${t(`settings.providerState.${p.state}`)}` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ul className="provider-list" aria-label={t('settings.providers')}>
          {engine.data?.providers.map((p) => (
            <li key={p.name} data-available={p.available} data-state={p.state}>
              <strong>{p.label}</strong>: {t(`settings.providerState.${p.state}`)}
              {(p.problem || p.note) && <span className="hint"> — {p.problem ? t(`settings.problem.${p.problem.kind}`, { provider: p.label, detail: p.problem.detail ?? '' }) : p.note}</span>}
            </li>
          ))}
        </ul>
        {engine.data?.lastChoice && <LastRun status={engine.data} chosen={settings.provider} />}
        {engine.error && <p role="alert">{errorText(engine.error)}</p>}
        <div className="field-pair">
          {engine.data?.devices.length ? (
            <Field label={t('settings.device')}>
              {(id) => (
                <select id={id} value={settings.deviceId} onChange={(e) => save({ deviceId: Number(e.target.value) })}>
                  {engine.data?.devices.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.id}: {d.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : (
            <NumberField label={t('settings.device')} hint={t('settings.deviceHint')} min={0} max={64} value={settings.deviceId} onChange={(v) => save({ deviceId: v })} />
          )}
          <NumberField label={t('settings.threads')} hint={t('settings.threadsHint')} min={0} max={256} value={settings.threads} onChange={(v) => save({ threads: v })} />
        </div>
        <div className="field-pair">
          <NumberField label={t('settings.tileSize')} hint={t('settings.tileSizeHint')} optional min={32} max={4096} placeholder={t('settings.auto')} value={settings.tileSize} onChange={(v) => save({ tileSize: v })} />
          <NumberField label={t('settings.memoryBudget')} min={256} max={262_144} value={settings.memoryBudgetMB} onChange={(v) => save({ memoryBudgetMB: v })} />
        </div>
      </section>

      <section aria-labelledby="settings-output">
        <h3 id="settings-output">{t('settings.output')}</h3>
        <PathField
          kind="folder"
          label={t('settings.defaultOutput')}
          value={outputDraft}
          onChange={setOutputDraft}
          commitTyped
          onPicked={(v) => v !== settings.defaultOutputFolder && save({ defaultOutputFolder: v })}
        />
      </section>

      <section aria-labelledby="settings-training">
        <h3 id="settings-training">{t('settings.training')}</h3>
        <PythonSetting />
      </section>

      <p className="hint">{info && t('settings.about', { version: info.version, dataDir: info.dataDir })}</p>

      <section aria-labelledby="settings-appearance">
        <h3 id="settings-appearance">{t('settings.appearance')}</h3>
        <div className="field-pair">
          <Field label={t('settings.language')}>
            {(id) => (
              <select id={id} value={settings.language} onChange={(e) => save({ language: e.target.value as SettingsPatch['language'] })}>
                {languages.map((l) => (
                  <option key={l} value={l}>
                    {languageNames[l]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('settings.theme')}>
            {(id) => (
              <select id={id} value={settings.theme} onChange={(e) => save({ theme: e.target.value as SettingsPatch['theme'] })}>
                {themes.map((th) => (
                  <option key={th} value={th}>
                    {t(`settings.themes.${th}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </section>
    </div>
  );
}

/** Local text that follows the saved value whenever that changes. */
function useDraft(saved: string): [string, (v: string) => void] {
  const [draft, setDraft] = useState(saved);
  useEffect(() => setDraft(saved), [saved]);
  return [draft, setDraft];
}
