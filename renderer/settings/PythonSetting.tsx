import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLoad, useStudio } from '../state/studio-context';
import { PathField } from '../ui/PathField';
import { useSettings } from '../state/settings-context';
import { errorText } from '../i18n/error-text';

/**
 * The interpreter that trains. A refused one stays beside the field with why, until it is changed, and the
 * line below always says which Python training uses meanwhile.
 */
export function PythonSetting() {
  const { t } = useTranslation();
  const studio = useStudio();
  const { settings, update } = useSettings();
  const [draft, setDraft] = useState(settings.pythonPath);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [checked, setChecked] = useState(0);
  useEffect(() => setDraft(settings.pythonPath), [settings.pythonPath]);
  const python = useLoad(() => studio.training.python({ refresh: checked > 0 }), [checked]);
  const inUse = python.data?.ok ? python.data.python : null;

  async function save(value: string) {
    if (value === settings.pythonPath) return setRefusal(null);
    try {
      await update({ pythonPath: value });
      setRefusal(null);
      setChecked((n) => n + 1);
    } catch (e) {
      setRefusal(errorText(e));
    }
  }

  return (
    <>
      <PathField
        kind="file"
        label={t('settings.python')}
        value={draft}
        onChange={(v) => (setDraft(v), setRefusal(null))}
        commitTyped
        onPicked={(v) => void save(v)}
        placeholder={inUse ? t('settings.pythonAutomaticFound', { python: inUse }) : t('settings.pythonAutomatic')}
      />
      {refusal && (
        <p className="field-error" role="alert">
          {refusal}
        </p>
      )}
      <p className="hint" role="status" data-testid="python-in-use">
        {python.loading ? t('training.lookingForPython') : inUse ? t('settings.pythonInUse', { python: inUse }) : t('training.noPython')}
      </p>
    </>
  );
}
