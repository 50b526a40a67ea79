import { describe, expect, it } from 'vitest';
import { de } from './locales/de';
import { en } from './locales/en';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else flatten(value, `${prefix}${key}.`).forEach((v, k) => out.set(k, v));
  }
  return out;
}

// a placeholder with its format, if any ({{width, number}}): a number written the language's way in each
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+(?:, *\w+)?)\}\}/g)].map((m) => m[1].replace(/ /g, '')).sort();
const english = flatten(en);
const german = flatten(de as Tree);

/** Keys the components ask for literally: t('a.b') and t(`a.b`) without interpolation. */
function keysUsedInSource(): string[] {
  const sources = import.meta.glob(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
  const keys = new Set<string>();
  for (const text of Object.values(sources)) {
    for (const m of text.matchAll(/\bt\(\s*['`]([a-zA-Z]+\.[a-zA-Z.]+)['`]/g)) keys.add(m[1]);
    for (const m of text.matchAll(/'(batch\.problem\.[a-z]+)'/g)) keys.add(m[1]);
  }
  return [...keys];
}

describe('translations', () => {
  it('German has exactly the English keys, none empty, with the same placeholders', () => {
    expect([...german.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of german) {
      expect(text.trim(), key).not.toBe('');
      expect(placeholders(text), key).toEqual(placeholders(english.get(key)!));
    }
  });

  it('has every key the components use (plural forms included)', () => {
    const used = keysUsedInSource();
    expect(used.length).toBeGreaterThan(100);
    const missing = used.filter((k) => !english.has(k) && !english.has(`${k}_one`));
    expect(missing).toEqual([]);
  });

  it('says what each shipped model is for in every language, as its manifest does in English', () => {
    const manifests = Object.values(import.meta.glob('../../models/*.json', { import: 'default', eager: true })) as { id: string; createdBy: string; description?: string }[];
    const bundled = manifests.filter((m) => m.createdBy === 'bundled');
    expect(bundled.length).toBeGreaterThan(0);
    for (const m of bundled) {
      expect(english.get(`models.about.${m.id}`), m.id).toBe(m.description);
      expect(german.get(`models.about.${m.id}`), m.id).toBeTruthy();
    }
  });
});

