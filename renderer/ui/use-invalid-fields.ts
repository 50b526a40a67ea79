import { useCallback, useState } from 'react';

/** Which of a form's number fields hold a refused value: the form's submit waits until none does. */
export function useInvalidFields(): { anyInvalid: boolean; track: (name: string) => (valid: boolean) => void } {
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(new Set());
  const track = useCallback(
    (name: string) => (valid: boolean) =>
      setInvalid((current) => {
        if (valid !== current.has(name)) return current;
        const next = new Set(current);
        if (valid) next.delete(name);
        else next.add(name);
        return next;
      }),
    [],
  );
  return { anyInvalid: invalid.size > 0, track };
}
