import { useTranslation } from 'react-i18next';
import type { ModelInfo } from '../../shared/api/types';

/**
 * The models as a picker's options, each by name and scale (batch panel, training); names often end in brackets of
 * their own. A model with a style says it first in plain words ("Detail · …"), so the two shipped kinds read apart.
 */
export function ModelOptions({ models }: { models: readonly ModelInfo[] | undefined }) {
  const { t } = useTranslation();
  return (
    <>
      {models?.map((m) => (
        <option key={m.manifest.id} value={m.manifest.id}>
          {m.manifest.style ? `${t(`models.styleShort.${m.manifest.style}`)} · ` : ''}
          {m.manifest.name} · ×{m.manifest.scale}
        </option>
      ))}
    </>
  );
}
