import { ownStepCount, type ModelManifest } from '../../shared/models/manifest.js';

/**
 * The σ of each sampling step. The manifest's list is used as far as it goes; beyond it the steps
 * are spaced evenly down from σ_max, as in consistency-model multistep sampling (σ_max, then
 * re-noise the estimate to smaller σ and denoise again). No count: the model's own, its whole list.
 * This is the one place an unchosen count is resolved, so every caller samples a model the same way.
 */
export function sigmaSchedule(manifest: Pick<ModelManifest, 'steps'>, count?: number): number[] {
  const steps = count ?? ownStepCount(manifest);
  if (steps <= manifest.steps.length) return manifest.steps.slice(0, steps);
  const sigmaMax = manifest.steps[0] ?? 1;
  return Array.from({ length: steps }, (_, i) => sigmaMax * (1 - i / steps));
}
