import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { readNumber, type NumberRule } from './number-text';

type NumberFieldProps = Omit<NumberRule, 'optional'> & {
  label: string;
  hint?: string;
  placeholder?: string;
  /** Told whether the field holds something it refused, so a form can hold back its submit meanwhile. */
  onValidity?: (valid: boolean) => void;
} & (
    | {
        optional?: false;
        value: number;
        /** Called when the field is left (or Enter is pressed) holding a valid value that differs from `value`. */
        onChange: (value: number) => void;
      }
    | { optional: true; value: number | null; onChange: (value: number | null) => void }
  );

/**
 * The one number input of the app. It keeps exactly what is typed (correcting each keystroke turned
 * "30" into 50 on the way), checks it when the field is left, and says what is wrong beside it.
 */
export function NumberField({ label, hint, placeholder, value, onChange, onValidity, ...rule }: NumberFieldProps) {
  // an empty field is read as null only where `optional` allows it
  const change = onChange as (value: number | null) => void;
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(format(value));
  const [problem, setProblem] = useState<'required' | 'whole' | 'range' | null>(null);
  const validity = useRef(onValidity);
  validity.current = onValidity;
  // a value given from outside (another model's own step count, a preset) replaces what was refused, so the form
  // must not stay blocked by it
  useEffect(() => {
    setText(format(value));
    setProblem(null);
    validity.current?.(true);
  }, [value]);

  // a field that goes away (another choice hides it) must not keep its form blocked
  useEffect(() => () => validity.current?.(true), []);

  const check = () => {
    const reading = readNumber(text, rule);
    const next = 'problem' in reading ? reading.problem : null;
    setProblem(next);
    onValidity?.(next === null);
    if ('problem' in reading) return;
    if (reading.value !== value) change(reading.value);
    else setText(format(value));
  };

  const describedBy = [problem && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        className="number-input"
        value={text}
        placeholder={placeholder}
        aria-invalid={problem !== null}
        aria-describedby={describedBy}
        onChange={(e) => setText(e.target.value)}
        onBlur={check}
        onKeyDown={(e) => {
          if (e.key === 'Enter') check();
        }}
      />
      {problem && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {t(`common.number.${problem}`, { min: rule.min, max: rule.max })}
        </small>
      )}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

function format(value: number | null): string {
  return value === null ? '' : String(value);
}
