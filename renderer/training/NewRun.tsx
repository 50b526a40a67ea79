import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { degradations, maxCustomIterations, type Degradation, type LengthChoice, type SourceScan, type StageChoice, type TrainingRun, type TrainingSource } from '../../shared/training/types';
import { useLoad, useStudio, useStudioEvent } from '../state/studio-context';
import { useSettings } from '../state/settings-context';
import { Check, Field } from '../ui/fields';
import { ModelOptions } from '../ui/ModelOptions';
import { NumberField } from '../ui/NumberField';
import { useInvalidFields } from '../ui/use-invalid-fields';
import { useNotify } from '../ui/notices';
import { PathField } from '../ui/PathField';
import { errorText, saidText } from '../i18n/error-text';

const lengths: LengthChoice[] = ['quick', 'standard', 'long', 'custom'];

/** The form of a new run: its pictures (checked as soon as a folder is confirmed), base model, length and stages; Start, or why it waits. */
export function NewRun({ onStarted, activeRun }: { onStarted: () => void; activeRun: TrainingRun | undefined }) {
  const { t } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const { settings, update } = useSettings();
  const models = useLoad(() => studio.models.list(), []);
  useStudioEvent('models.changed', models.reload);

  const [kind, setKind] = useState<'pairs' | 'hr'>('pairs');
  const [twoFolders, setTwoFolders] = useState(false);
  const [folder, setFolder] = useState('');
  const [lrFolder, setLrFolder] = useState('');
  const [hrFolder, setHrFolder] = useState('');
  const [degradation, setDegradation] = useState<Degradation>('realesrgan');
  const [jpegQuality, setJpegQuality] = useState(40);
  const [scale, setScale] = useState(4);
  const [baseModelId, setBaseModelId] = useState('');
  const [length, setLength] = useState<LengthChoice>('quick');
  const [iterations, setIterations] = useState(1000);
  const [stages, setStages] = useState<StageChoice>('warmup');
  const [heldOutPercent, setHeldOutPercent] = useState(10);
  const [name, setName] = useState('');
  const [scan, setScan] = useState<SourceScan | null>(null);
  // a refused folder is this folder's answer, shown in place of a scan and gone with the next check
  const [scanRefusal, setScanRefusal] = useState<string | null>(null);
  const { anyInvalid, track } = useInvalidFields();
  const [scanning, setScanning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [scanKey, setScanKey] = useState(0);

  const source: TrainingSource | null = useMemo(() => {
    if (kind === 'hr') return folder.trim() ? { kind, folder: folder.trim(), degradation, jpegQuality, scale } : null;
    if (twoFolders) return lrFolder.trim() && hrFolder.trim() ? { kind, lrFolder: lrFolder.trim(), hrFolder: hrFolder.trim() } : null;
    return folder.trim() ? { kind, folder: folder.trim() } : null;
  }, [kind, twoFolders, folder, lrFolder, hrFolder, degradation, jpegQuality, scale]);

  // the scan runs when a folder is confirmed (picked, Enter, leaving the field) or the source's kind changes
  useEffect(() => {
    setScanRefusal(null);
    if (!source) {
      setScan(null);
      return;
    }
    let current = true;
    setScanning(true);
    studio.training.scan({ source }).then(
      (result) => current && setScan(result),
      (e: unknown) => current && (setScan(null), setScanRefusal(errorText(e))),
    ).finally(() => current && setScanning(false));
    return () => {
      current = false;
    };
  }, [scanKey, kind, twoFolders, scale]);

  const rescan = () => setScanKey((k) => k + 1);
  const base = baseModelId || models.data?.find((m) => m.isDefault)?.manifest.id || models.data?.[0]?.manifest.id || '';
  const blocked = startBlocker({ activeRun, source, scan, scanning, anyInvalid, base });
  const canStart = !blocked && !busy;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!source) return;
    setBusy(true);
    try {
      const run = await studio.training.start({ source, baseModelId: base, length, ...(length === 'custom' ? { iterations } : {}), stages, heldOutShare: heldOutPercent / 100, ...(name.trim() ? { name: name.trim() } : {}) });
      notify.info(t('training.started', { name: run.name }));
      onStarted();
    } catch (err) {
      notify.error(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="new-run" aria-label={t('training.newRun')} onSubmit={(e) => void submit(e)}>
      <h3>{t('training.newRun')}</h3>
      <fieldset>
        <legend>{t('training.source')}</legend>
        <label className="check">
          <input type="radio" name="source-kind" checked={kind === 'pairs'} onChange={() => setKind('pairs')} />
          {t('training.pairs')}
        </label>
        <label className="check">
          <input type="radio" name="source-kind" checked={kind === 'hr'} onChange={() => setKind('hr')} />
          {t('training.hrOnly')}
        </label>
        {kind === 'pairs' && <Check label={t('training.twoFolders')} checked={twoFolders} onChange={setTwoFolders} />}
        {kind === 'pairs' && twoFolders ? (
          <div className="field-pair">
            <PathField kind="folder" label={t('training.lrFolder')} value={lrFolder} onChange={setLrFolder} commitTyped onPicked={rescan} />
            <PathField kind="folder" label={t('training.hrFolder')} value={hrFolder} onChange={setHrFolder} commitTyped onPicked={rescan} />
          </div>
        ) : (
          <PathField kind="folder" label={kind === 'pairs' ? t('training.pairsFolder') : t('training.photosFolder')} value={folder} onChange={setFolder} commitTyped onPicked={rescan} placeholder={kind === 'pairs' ? '/path/with/LR-and-HR' : '/path/to/photos'} />
        )}
        {kind === 'hr' && (
          <div className="field-pair">
            <Field label={t('training.degradation')}>
              {(id) => (
                <select id={id} value={degradation} onChange={(e) => (setDegradation(e.target.value as Degradation), rescan())}>
                  {degradations.map((d) => (
                    <option key={d} value={d}>
                      {t(`training.degradations.${d}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {degradation === 'jpeg' && (
              <NumberField label={t('training.jpegQuality')} min={5} max={95} value={jpegQuality} onChange={setJpegQuality} onValidity={track('jpegQuality')} />
            )}
            <Field label={t('training.scale')}>
              {(id) => (
                <select id={id} value={scale} onChange={(e) => setScale(Number(e.target.value))}>
                  {[2, 3, 4].map((s) => (
                    <option key={s} value={s}>
                      ×{s}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        )}
        <ScanResult scan={scan} scanning={scanning} refusal={scanRefusal} />
      </fieldset>
      <div className="field-pair">
        <Field label={t('training.baseModel')}>
          {(id) => (
            <select id={id} value={base} onChange={(e) => setBaseModelId(e.target.value)}>
              <ModelOptions models={models.data} />
            </select>
          )}
        </Field>
        <Field label={t('training.length')}>
          {(id) => (
            <select id={id} value={length} onChange={(e) => setLength(e.target.value as LengthChoice)}>
              {lengths.map((l) => (
                <option key={l} value={l}>
                  {t(`training.lengths.${l}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {length === 'custom' && (
          <NumberField label={t('training.iterations')} min={1} max={maxCustomIterations} value={iterations} onChange={setIterations} onValidity={track('iterations')} />
        )}
      </div>
      <div className="field-pair">
        <Field label={t('training.stagesLabel')} hint={t('training.stagesHint')}>
          {(id, hint) => (
            <select id={id} aria-describedby={hint} value={stages} onChange={(e) => setStages(e.target.value as StageChoice)}>
              <option value="warmup">{t('training.stages.supervised')}</option>
              <option value="ct">{t('training.stages.ct')}</option>
              <option value="ct+dtm">{t('training.stages.ctDtm')}</option>
            </select>
          )}
        </Field>
        <NumberField label={t('training.heldOut')} hint={t('training.heldOutHint')} min={5} max={50} value={heldOutPercent} onChange={setHeldOutPercent} onValidity={track('heldOut')} />
      </div>
      <Field label={t('training.runName')}>{(id) => <input id={id} value={name} maxLength={120} onChange={(e) => setName(e.target.value)} />}</Field>
      <Check label={t('training.pauseBatches')} checked={settings.pauseBatchesWhileTraining} onChange={(v) => void update({ pauseBatchesWhileTraining: v }).catch(notify.error)} />
      <div className="start-row">
        <button type="submit" className="primary" disabled={!canStart} aria-describedby={blocked ? 'training-start-why' : undefined}>
          {busy ? t('training.starting') : t('training.start')}
        </button>
        {blocked && (
          <p id="training-start-why" className="hint" data-testid="start-blocked">
            {t(`training.blocked.${blocked}`, { name: activeRun?.name })}
          </p>
        )}
      </div>
    </form>
  );
}

/** Why Start cannot be pressed now, first reason first; null when it can. */
function startBlocker(state: { activeRun: TrainingRun | undefined; source: TrainingSource | null; scan: SourceScan | null; scanning: boolean; anyInvalid: boolean; base: string }) {
  if (state.activeRun) return 'running';
  if (!state.source) return 'source';
  if (state.scanning) return 'scanning';
  if (!state.scan || state.scan.problem) return 'scan';
  if (state.anyInvalid) return 'fields';
  if (!state.base) return 'model';
  return null;
}

function ScanResult({ scan, scanning, refusal }: { scan: SourceScan | null; scanning: boolean; refusal: string | null }) {
  const { t } = useTranslation();
  if (scanning && !scan) return <p className="hint">{t('training.scanning')}</p>;
  if (refusal)
    return (
      <p className="scan-problem" role="alert">
        {refusal}
      </p>
    );
  if (!scan) return null;
  return (
    <div className="scan-result" aria-label={t('training.scanResult')} aria-busy={scanning}>
      {scan.pairs.length > 0 && (
        <p data-testid="scan-summary">
          {t(scan.kind === 'pairs' ? 'training.usablePairs' : 'training.usablePhotos', { count: scan.pairs.length })}
          {scan.scale !== null && ` · ${t('training.detectedScale', { scale: scan.scale })}`}
        </p>
      )}
      {scan.problem && (
        <p className="scan-problem" role="alert">
          {saidText(scan.problemSaid, scan.problem)}
        </p>
      )}
      {scan.bad.length > 0 && (
        <>
          <p>{t('training.badFiles', { count: scan.bad.length })}</p>
          <ul className="bad-files" aria-label={t('training.badFilesList')}>
            {scan.bad.map((b) => (
              <li key={`${b.file}:${b.reason}`}>
                <code>{b.file}</code> — {saidText(b.reasonSaid, b.reason)}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
