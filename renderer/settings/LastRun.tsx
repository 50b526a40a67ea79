import { useTranslation } from 'react-i18next';
import type { EngineStatus } from '../../shared/api/types';
import type { AppSettings } from '../../shared/api/settings';

/**
 * What the last run used. A fallback is a problem only where the user asked for that provider, or has an
 * NVIDIA GPU the automatic choice could not use; without one, the CPU is simply what "Automatic" means.
 */
export function LastRun({ status, chosen }: { status: EngineStatus; chosen: AppSettings['provider'] }) {
  const { t } = useTranslation();
  const choice = status.lastChoice!;
  const label = (name: string) => status.providers.find((p) => p.name === name)?.label ?? name;
  const problem = choice.fallbackReason !== undefined && (chosen !== 'auto' || status.devices.length > 0);
  return (
    <p role="status" className={problem ? 'error-text' : ''} data-testid="last-run">
      {t('settings.runningOn', { provider: label(choice.provider) })}
      {problem && ` ${t('settings.fellBack', { provider: label(choice.requested) })}`}
    </p>
  );
}
