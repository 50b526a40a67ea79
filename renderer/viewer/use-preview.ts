import { useRef, useState } from 'react';
import type { ModelInfo } from '../../shared/api/types';
import { useStudio } from '../state/studio-context';
import { useNotify } from '../ui/notices';
import type { Patch } from './LayerView';
import { previewTiles, tileKey, type Rect, type Size } from './viewport';

/** Enhanced tiles kept per model (oldest dropped first); each is a few hundred kB of decoded image. */
const maxTilesPerModel = 64;

export interface PreviewProgress {
  done: number;
  total: number;
  cancelling: boolean;
}

/** The quick preview of a library image: enhanced tiles by model id, then by tile key, and the run that makes them. */
export function usePreview() {
  const studio = useStudio();
  const notify = useNotify();
  const [patches, setPatches] = useState<Record<string, Record<string, Patch>>>({});
  const [progress, setProgress] = useState<PreviewProgress | null>(null);
  const cancelled = useRef(false);
  const busy = progress !== null;

  /** Enhances the visible tiles each model still lacks, one tile per request, so progress shows and cancel is quick. */
  async function run(imageId: number, models: ModelInfo[], visible: Rect, scale: number, inputSize: Size) {
    if (busy) return;
    const tiles = previewTiles(visible, scale, inputSize);
    const jobs = models.flatMap((model) => tiles.filter((tile) => !patches[model.manifest.id]?.[tileKey(tile)]).map((tile) => ({ model, tile })));
    if (jobs.length === 0) return;
    cancelled.current = false;
    setProgress({ done: 0, total: jobs.length, cancelling: false });
    try {
      for (const [i, { model, tile }] of jobs.entries()) {
        if (cancelled.current) break;
        const result = await studio.preview.region({ imageId, modelId: model.manifest.id, rect: tile });
        const patch: Patch = { url: studio.mediaUrl(result.media), rect: result.rect };
        setPatches((p) => {
          const kept = Object.entries(p[model.manifest.id] ?? {}).filter(([key]) => key !== tileKey(tile)).slice(-(maxTilesPerModel - 1));
          return { ...p, [model.manifest.id]: { ...Object.fromEntries(kept), [tileKey(tile)]: patch } };
        });
        setProgress((s) => s && { ...s, done: i + 1 });
      }
    } catch (e) {
      notify.error(e);
    } finally {
      setProgress(null);
    }
  }

  function cancel() {
    cancelled.current = true;
    setProgress((s) => s && { ...s, cancelling: true });
  }

  return { patches, progress, busy, run, cancel };
}
