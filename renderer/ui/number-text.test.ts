import { describe, expect, it } from 'vitest';
import { readNumber } from './number-text';

describe('readNumber', () => {
  const quality = { min: 5, max: 95 };

  it('takes the number as typed, never a nearby one', () => {
    expect(readNumber('30', quality)).toEqual({ value: 30 });
    expect(readNumber(' 95 ', quality)).toEqual({ value: 95 });
    expect(readNumber('3', quality)).toEqual({ problem: 'range' });
    expect(readNumber('300', quality)).toEqual({ problem: 'range' });
  });

  it('refuses what is no whole number', () => {
    for (const text of ['2.5', '2,5', '1e3', 'abc', '0x10', '30 %']) expect(readNumber(text, quality)).toEqual({ problem: 'whole' });
  });

  it('reads an empty field as no value only where the field may be empty', () => {
    expect(readNumber('', quality)).toEqual({ problem: 'required' });
    expect(readNumber('  ', { ...quality, optional: true })).toEqual({ value: null });
  });
});
