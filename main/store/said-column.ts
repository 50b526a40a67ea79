import { saidOf } from '../../shared/api/client.js';
import type { Said } from '../../shared/errors.js';

/** A Said (shared/refusals.ts) as stored beside the English text it words (migration 007): JSON, or null. */
export function saidJson(said: Said | undefined | null): string | null {
  return said ? JSON.stringify(said) : null;
}

/** A stored Said, or undefined for rows stored before migration 007 and any that does not parse. */
export function storedSaid(json: string | null): Said | undefined {
  if (json === null) return undefined;
  try {
    return saidOf(JSON.parse(json));
  } catch {
    return undefined;
  }
}
