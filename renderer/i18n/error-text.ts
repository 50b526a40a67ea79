import { StudioError, type Said } from '../../shared/errors';
import { worded } from '../../shared/refusals';
import { i18n } from './i18n';

/** A refusal or reason main sent with its key (shared/refusals.ts) in the UI's language; else main's own English `text`. */
export function saidText(said: Said | undefined, text: string): string {
  if (!said || !i18n.exists(`errors.${said.key}`)) return text;
  const params: Record<string, string | number> = { ...said.params };
  for (const [name, list] of Object.entries(worded)) {
    const value = params[name];
    if (typeof value === 'string' && i18n.exists(`errors.${list}.${value}`)) params[name] = i18n.t(`errors.${list}.${value}`);
  }
  return i18n.t(`errors.${said.key}`, params);
}

/** What to show for an error: a refusal in the UI's language, anything else as main worded it. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return e instanceof StudioError ? saidText(e.said, text) : text;
}
