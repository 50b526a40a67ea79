import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../shared/format/duration';
import { formatBytes, formatCount, formatDimensions, formatPercent } from './format';

describe('formatting', () => {
  it('sizes, durations, percentages, dimensions', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 ** 3, 'de')).toBe('5,0 GB');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatPercent(0.426, 'en')).toBe('43%');
    expect(formatPercent(1.2, 'en')).toBe('100%');
    expect(formatDimensions(4000, 3000)).toBe('4000 × 3000');
    expect(formatDimensions(null, 3000)).toBe('—');
    expect(formatCount(4000, 'en')).toBe('4,000');
    expect(formatCount(4000, 'de')).toBe('4.000');
  });
});
