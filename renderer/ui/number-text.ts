export interface NumberRule {
  min: number;
  max: number;
  /** Empty text is a valid "no value" (null), e.g. "Automatic". */
  optional?: boolean;
}

export type NumberReading = { value: number | null } | { problem: 'required' | 'whole' | 'range' };

/**
 * What a number field's text means: the number as typed, or why it is not one. Never corrected to
 * something nearby: a JPEG quality of 3 is refused, not trained on as 5.
 */
export function readNumber(text: string, rule: NumberRule): NumberReading {
  const trimmed = text.trim();
  if (trimmed === '') return rule.optional ? { value: null } : { problem: 'required' };
  // a comma is a decimal separator to half the app's users; either way it is no whole number
  const n = Number(trimmed);
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(n)) return { problem: 'whole' };
  if (n < rule.min || n > rule.max) return { problem: 'range' };
  return { value: n };
}
