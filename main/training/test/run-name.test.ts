import { describe, expect, it } from 'vitest';
import { defaultRunName } from '../run-config.js';

describe('a run without a name', () => {
  it('is named after its folder and base model, with no brackets inside brackets', () => {
    const name = defaultRunName('LR', 'CTMSR-S ×4 (real-world photos)');
    expect(name).toBe('LR · CTMSR-S ×4 (real-world photos)');
    expect(name).not.toMatch(/\([^)]*\(/);
  });
});
