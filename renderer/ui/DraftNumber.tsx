import { useEffect, useState, type InputHTMLAttributes } from 'react';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> & {
  value: number | null;
  /** Called on Enter or leaving the field, with null for an empty field. */
  onCommit: (value: number | null) => void;
};

/**
 * A number input that saves when the user is done typing, not on every keystroke: "2" on the way
 * to "2048" must not be sent (and refused) as a memory budget.
 */
export function DraftNumber({ value, onCommit, ...rest }: Props) {
  const [draft, setDraft] = useState(value === null ? '' : String(value));
  useEffect(() => setDraft(value === null ? '' : String(value)), [value]);
  const commit = () => {
    const text = draft.trim();
    const next = text === '' ? null : Number(text);
    if (next !== value && (next === null || Number.isFinite(next))) onCommit(next === null ? null : Math.round(next));
  };
  return (
    <input
      {...rest}
      type="number"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}
