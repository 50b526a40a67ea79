import type { Degradation, StageChoice } from '../../shared/training/types';

/** The lineage the app writes into a fine-tuned model's manifest (`training.fineTune`, training-service.ts). */
export interface FineTuneLineage {
  base: { id: string; name: string; heldOut?: { psnr: number; ssim: number; lpips: number } };
  source?: { kind: 'pairs' } | { kind: 'hr'; degradation: Degradation; jpegQuality: number };
  trainPairs: number;
  heldOutPairs: number;
  iterations: number;
  stages: StageChoice;
}

/** That lineage, when the manifest has one. */
export function fineTuneOf(training: Record<string, unknown> | undefined): FineTuneLineage | undefined {
  const f = training?.fineTune as FineTuneLineage | undefined;
  return f && typeof f === 'object' && f.base && typeof f.base.name === 'string' ? f : undefined;
}
