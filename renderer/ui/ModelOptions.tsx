import type { ModelInfo } from '../../shared/api/types';

/** The models as a picker's options, each by name and scale (batch panel, training); names often end in brackets of their own. */
export function ModelOptions({ models }: { models: readonly ModelInfo[] | undefined }) {
  return (
    <>
      {models?.map((m) => (
        <option key={m.manifest.id} value={m.manifest.id}>
          {m.manifest.name} · ×{m.manifest.scale}
        </option>
      ))}
    </>
  );
}
