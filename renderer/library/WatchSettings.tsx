import { useTranslation } from 'react-i18next';
import type { FolderNode } from '../../shared/api/types';
import { useLoad, useStudio } from '../state/studio-context';
import { Check, Field, PresetOptions } from '../ui/fields';
import { useNotify } from '../ui/notices';

/** Watching a library folder, and the preset its new images are enhanced with automatically. */
export function WatchSettings({ root }: { root: FolderNode }) {
  const { t } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const presets = useLoad(() => studio.queue.presets(), []);
  const watch = root.watch ?? false;
  const change = (next: { watch: boolean; autoPreset: string | null }) => void studio.library.watch({ rootId: root.rootId, ...next }).catch(notify.error);

  return (
    <div className="watch-settings">
      <Check label={t('library.watch')} checked={watch} onChange={(v) => change({ watch: v, autoPreset: root.autoPreset ?? null })} />
      <Field label={t('library.autoPreset')}>
        {(id) => (
          <select id={id} value={root.autoPreset ?? ''} disabled={!watch} onChange={(e) => change({ watch, autoPreset: e.target.value || null })}>
            <PresetOptions presets={presets.data} none={t('library.noAutoPreset')} />
          </select>
        )}
      </Field>
    </div>
  );
}
