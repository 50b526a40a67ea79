import { describe, expect, it } from 'vitest';
import { printable, printableLines } from '../printable.js';

describe('printable', () => {
  it('escapes control characters and bidirectional overrides, and leaves other text alone', () => {
    expect(printable('a\u001b[2Jb\u0007c\nd\te\u009bf')).toBe('a\\x1b[2Jb\\x07c\\nd\\te\\x9bf');
    expect(printable('gpj.\u202eevil')).toBe('gpj.\\u202eevil');
    expect(printable('Übersicht 写真 ×4 — ok.png')).toBe('Übersicht 写真 ×4 — ok.png');
    expect(printableLines('one\u001b\ntwo')).toBe('one\\x1b\ntwo');
  });
});
