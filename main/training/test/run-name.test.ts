import { describe, expect, it } from 'vitest';
import { defaultRunName, distinctRunName } from '../run-config.js';

describe('a run without a name', () => {
  it('is named after its folder and base model, with no brackets inside brackets', () => {
    const name = defaultRunName('LR', 'CTMSR-S ×4 (real-world photos)');
    expect(name).toBe('LR · CTMSR-S ×4 (real-world photos)');
    expect(name).not.toMatch(/\([^)]*\(/);
  });
});

describe('a run named as one already listed', () => {
  it('is numbered from 2, after the numbers taken', () => {
    expect(distinctRunName('Buildings', ['Trees'])).toBe('Buildings');
    expect(distinctRunName('Buildings', ['Buildings'])).toBe('Buildings (2)');
    expect(distinctRunName('Buildings', ['Buildings', 'Buildings (2)', 'Buildings (3)'])).toBe('Buildings (4)');
  });
});
