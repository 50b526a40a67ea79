import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { collisionPolicies, outputFormats } from '../../shared/enhance/settings';
import type { BatchPlan, BatchSummary } from '../../shared/api/types';
import { useLoad, useStudio, useStudioEvent } from '../state/studio-context';
import { displayBatchName } from '../ui/batch-name';
import { useSettings } from '../state/settings-context';
import { useNotify } from '../ui/notices';
import { Check, Field, PresetOptions } from '../ui/fields';
import { NumberField } from '../ui/NumberField';
import { useInvalidFields } from '../ui/use-invalid-fields';
import { PathField } from '../ui/PathField';
import { defaultBatchForm, formFromPreset, formProblems, fromFormerSave, requestFromForm, settingsFromForm, shownSteps, sizeModes, withModel, type BatchForm, type BatchInputs } from './batch-form';
import { ModelOptions } from '../ui/ModelOptions';

const storageKey = 'ctmsr-studio-batch-form-2';
/** Where the form was kept while its steps were always a number (read once, through fromFormerSave). */
const formerStorageKey = 'ctmsr-studio-batch-form';

interface BatchPanelProps {
  inputs: BatchInputs;
  /** What the inputs are, for the heading ("3 images", "Holiday 2024 and subfolders"). */
  description: string;
  /** The batch's name; left out, main names it after the folder and the count. */
  name?: string;
  /** Whether the inputs include folders (recursion and mirroring apply). */
  hasFolders: boolean;
  onEnqueued: (batch: BatchSummary) => void;
  onClose: () => void;
}

/** Everything about a batch before it starts: model, size, sampling, output file and folder, presets. */
export function BatchPanel({ inputs, description, name, hasFolders, onEnqueued, onClose }: BatchPanelProps) {
  const { t } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const { settings } = useSettings();
  const [form, setForm] = useState<BatchForm>(() => initialForm(settings.defaultOutputFolder, settings.defaultModelId));
  const [busy, setBusy] = useState(false);
  const [presetName, setPresetName] = useState('');
  const models = useLoad(() => studio.models.list(), []);
  const presets = useLoad(() => studio.queue.presets(), []);
  useStudioEvent('models.changed', models.reload);
  const { anyInvalid, track } = useInvalidFields();
  const problems = [...formProblems(form), ...(anyInvalid ? ['batch.problem.fields'] : [])];
  const set = <K extends keyof BatchForm>(key: K, value: BatchForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => localStorage.setItem(storageKey, JSON.stringify(form)), [form]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (problems.length > 0) return;
    setBusy(true);
    try {
      const batch = await studio.queue.enqueue(requestFromForm(form, inputs, name));
      notify.info(t('batch.started', { name: displayBatchName(batch.name, t), count: batch.total }));
      onEnqueued(batch);
    } catch (err) {
      notify.error(err);
    } finally {
      setBusy(false);
    }
  }

  async function savePreset() {
    try {
      await studio.queue.savePreset({
        name: presetName,
        settings: settingsFromForm(form),
        output: { folder: form.outputFolder || undefined, naming: form.naming, collision: form.collision, skipExisting: form.skipExisting, mirrorTree: true },
      });
      presets.reload();
      notify.info(t('batch.presetSaved', { name: presetName }));
    } catch (err) {
      notify.error(err);
    }
  }

  async function deletePreset() {
    try {
      await studio.queue.deletePreset({ name: presetName });
      presets.reload();
      notify.info(t('batch.presetDeleted', { name: presetName }));
      setPresetName('');
    } catch (err) {
      notify.error(err);
    }
  }

  const plan = useOutputPlan(form, inputs, problems.length === 0);
  const selectedModel = models.data?.find((m) => m.manifest.id === form.modelId) ?? models.data?.find((m) => m.isDefault);

  return (
    <form className="batch-panel" aria-labelledby="batch-heading" onSubmit={(e) => void submit(e)}>
      <header className="panel-header">
        <h2 id="batch-heading">{t('batch.title')}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      <div className="batch-panel-body">
        <p className="batch-inputs">{description}</p>

        <Field label={t('batch.preset')}>
          {(id) => (
            <select
              id={id}
              value=""
              onChange={(e) => {
                const preset = presets.data?.find((p) => p.name === e.target.value);
                if (preset) {
                  setForm((f) => formFromPreset(preset, f));
                  setPresetName(preset.name);
                }
              }}
            >
              <PresetOptions presets={presets.data} none={t('batch.choosePreset')} />
            </select>
          )}
        </Field>

        <fieldset>
          <legend>{t('batch.model')}</legend>
          <Field label={t('batch.model')} hint={form.modelId ? undefined : t('batch.defaultModel', { name: models.data?.find((m) => m.isDefault)?.manifest.name ?? '—' })}>
            {(id, hint) => (
              <select id={id} aria-describedby={hint} value={form.modelId} onChange={(e) => setForm((f) => withModel(f, e.target.value))}>
                {/* the default's name, often long, is in the hint below: the narrow panel keeps the choice readable */}
                <option value="">{t('batch.defaultOption')}</option>
                <ModelOptions models={models.data} />
              </select>
            )}
          </Field>
          <Field label={t('batch.size')}>
            {(id) => (
              <select id={id} value={form.sizeMode} onChange={(e) => set('sizeMode', e.target.value as BatchForm['sizeMode'])}>
                {sizeModes.map((m) => (
                  <option key={m} value={m}>
                    {m === 'exact' ? t('batch.exactSize') : `${m}×`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.sizeMode === 'exact' && (
            <div className="field-pair">
              <NumberField label={t('batch.width')} optional min={1} max={65_535} value={textNumber(form.width)} onChange={(v) => set('width', v === null ? '' : String(v))} onValidity={track('width')} />
              <NumberField label={t('batch.height')} optional min={1} max={65_535} value={textNumber(form.height)} onChange={(v) => set('height', v === null ? '' : String(v))} onValidity={track('height')} />
            </div>
          )}
          {/* shown once the model is known: its own step count is what the field says until the user types another */}
          {selectedModel && selectedModel.manifest.kind !== 'feedforward' && (
            <div className="field-pair">
              <NumberField label={t('batch.steps')} min={1} max={8} value={shownSteps(form, selectedModel.manifest)} onChange={(v) => set('steps', v)} onValidity={track('steps')} />
              <NumberField label={t('batch.seed')} min={0} max={2 ** 32 - 1} value={form.seed} onChange={(v) => set('seed', v)} onValidity={track('seed')} />
            </div>
          )}
        </fieldset>

        <fieldset>
          <legend>{t('batch.output')}</legend>
          <PathField kind="folder" label={t('batch.outputFolder')} value={form.outputFolder} onChange={(v) => set('outputFolder', v)} />
          <Field label={t('batch.naming')} hint={t('batch.namingHint')}>
            {(id) => <input id={id} value={form.naming} spellCheck={false} onChange={(e) => set('naming', e.target.value)} />}
          </Field>
          <div className="field-pair">
            <Field label={t('batch.format')}>
              {(id) => (
                <select id={id} value={form.format} onChange={(e) => set('format', e.target.value as BatchForm['format'])}>
                  {outputFormats.map((f) => (
                    <option key={f} value={f}>
                      {f === 'same' ? t('batch.sameFormat') : f.toUpperCase()}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <NumberField label={t('batch.quality')} min={1} max={100} value={form.quality} onChange={(v) => set('quality', v)} onValidity={track('quality')} />
          </div>
          <Field label={t('batch.collision')}>
            {(id) => (
              <select id={id} value={form.collision} onChange={(e) => set('collision', e.target.value as BatchForm['collision'])}>
                {collisionPolicies.map((c) => (
                  <option key={c} value={c}>
                    {t(`batch.collisions.${c}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Check label={t('batch.keepMetadata')} checked={form.keepMetadata} onChange={(v) => set('keepMetadata', v)} />
          <Check label={t('batch.skipExisting')} checked={form.skipExisting} onChange={(v) => set('skipExisting', v)} />
          {hasFolders && <Check label={t('batch.recursive')} checked={form.recursive} onChange={(v) => set('recursive', v)} />}
          {plan && (
            <div className="output-plan" role="status" aria-label={t('batch.whereTitle')}>
              <p>{t('batch.whereTitle')}</p>
              <ul>
                {plan.folders.map((f) => (
                  <li key={f.folder} title={f.folder}>
                    {f.folder} <span className="hint">({t('batch.fileCount', { count: f.count })})</span>
                  </li>
                ))}
                {plan.moreFolders > 0 && <li className="hint">{t('batch.moreFolders', { count: plan.moreFolders })}</li>}
              </ul>
              {plan.toWrite < plan.total && <p className="hint">{t('batch.notWritten', { count: plan.total - plan.toWrite })}</p>}
            </div>
          )}
        </fieldset>

        <div className="preset-save">
          <Field label={t('batch.presetName')}>{(id) => <input id={id} value={presetName} onChange={(e) => setPresetName(e.target.value)} />}</Field>
          <div className="actions">
            <button type="button" disabled={!presetName.trim()} onClick={() => void savePreset()}>
              {t('batch.savePreset')}
            </button>
            {presets.data?.some((p) => p.name === presetName.trim()) && (
              <button type="button" onClick={() => void deletePreset()}>
                {t('batch.deletePreset')}
              </button>
            )}
          </div>
        </div>
      </div>
      <div className="batch-panel-footer">
        {problems.length > 0 && (
          <ul className="problems" aria-live="polite">
            {problems.map((p) => (
              <li key={p}>{t(p)}</li>
            ))}
          </ul>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || problems.length > 0}>
            {t('batch.start')}
          </button>
        </div>
      </div>
    </form>
  );
}

/** Where the batch would write as the form stands, asked of main a moment after the last change. */
function useOutputPlan(form: BatchForm, inputs: BatchInputs, valid: boolean): BatchPlan | null {
  const studio = useStudio();
  const [plan, setPlan] = useState<BatchPlan | null>(null);
  const request = valid ? JSON.stringify(requestFromForm(form, inputs)) : '';
  useEffect(() => {
    if (!request) return setPlan(null);
    let current = true;
    const timer = setTimeout(() => {
      studio.queue.plan(JSON.parse(request) as ReturnType<typeof requestFromForm>).then(
        (p) => current && setPlan(p),
        () => current && setPlan(null),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [request, studio]);
  return plan;
}

function textNumber(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

function initialForm(defaultOutputFolder: string, defaultModelId: string | null): BatchForm {
  try {
    const saved = savedForm(storageKey) ?? formerForm();
    if (saved) return { ...defaultBatchForm, ...saved };
  } catch {
    // a damaged saved form is simply forgotten
  }
  return { ...defaultBatchForm, outputFolder: defaultOutputFolder, modelId: defaultModelId ?? '' };
}

function savedForm(key: string): Partial<BatchForm> | null {
  return JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<BatchForm> | null;
}

function formerForm(): Partial<BatchForm> | null {
  const former = savedForm(formerStorageKey);
  return former && fromFormerSave(former);
}
