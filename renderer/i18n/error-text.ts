import { StudioError, type Said } from '../../shared/errors';
import { worded } from '../../shared/refusals';
import { i18n } from './i18n';

/** A refusal or reason main sent with its key (shared/refusals.ts) in the UI's language; else main's own English `text`. */
export function saidText(said: Said | undefined, text: string): string {
  return (said && inLanguage(said)) ?? text;
}

/** `said` in the UI's language, parts said in their own words included; undefined where a key is not known here. */
function inLanguage(said: Said): string | undefined {
  if (!i18n.exists(`errors.${said.key}`)) return undefined;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(said.params)) {
    if (typeof value === 'object') {
      const part = inLanguage(value);
      if (part === undefined) return undefined;
      params[name] = part;
    } else {
      const list = worded[name as keyof typeof worded];
      params[name] = typeof value === 'string' && list && i18n.exists(`errors.${list}.${value}`) ? i18n.t(`errors.${list}.${value}`) : value;
    }
  }
  return i18n.t(`errors.${said.key}`, params);
}

/** What to show for an error: a refusal in the UI's language, anything else as main worded it. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return e instanceof StudioError ? saidText(e.said, text) : text;
}
