import { useId, type ReactNode } from 'react';

/** A labelled control: the label is tied to the control by id, the hint by aria-describedby. */
export function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hint ? hintId : undefined)}
      {hint && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Check({ label, checked, onChange, disabled }: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

/** The `<option>`s of a preset picker: a first "none" entry, then each saved preset by name. */
export function PresetOptions({ presets, none }: { presets: readonly { name: string }[] | undefined; none: string }) {
  return (
    <>
      <option value="">{none}</option>
      {presets?.map((p) => (
        <option key={p.name} value={p.name}>
          {p.name}
        </option>
      ))}
    </>
  );
}
