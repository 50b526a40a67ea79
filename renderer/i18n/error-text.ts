import { StudioError } from '../../shared/errors';
import { i18n } from './i18n';

/**
 * What to show for an error: a refusal main sent with its key (shared/refusals.ts) in the UI's language, anything
 * else as main worded it.
 */
export function errorText(e: unknown): string {
  const said = e instanceof StudioError ? e.said : undefined;
  if (said && i18n.exists(`errors.${said.key}`)) {
    const params: Record<string, string | number> = { ...said.params };
    if (typeof params.state === 'string' && i18n.exists(`errors.states.${params.state}`)) params.state = i18n.t(`errors.states.${params.state}`);
    return i18n.t(`errors.${said.key}`, params);
  }
  return e instanceof Error ? e.message : String(e);
}
