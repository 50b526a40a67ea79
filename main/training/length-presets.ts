/**
 * What "Quick", "Standard" and "Long" mean, in iterations of the shipped S network (batch 4, 128-px crops). Measured
 * on the shared 2-core CPU (models/README.md, "Fine-tuning: what each stage gives"): Quick took 10.1 min with CT and
 * 4.2 min with the supervised stage (one forward pass a step instead of two); Standard is six times Quick. A GPU runs
 * them many times faster. `test` is for the app's own tests.
 */
import type { FinetuneConfig } from '../../shared/training/finetune-config.js';
import type { LengthPreset } from '../../shared/training/types.js';

export interface LengthPlan {
  iterations: number;
  cropSide: number;
  batch: number;
  previewEvery: number;
  checkpointEvery: number;
  logEvery: number;
  /** Held-out pictures are evaluated on centred crops of at most this many LR pixels a side. */
  heldOutLrSide: number;
  /** Trainer overrides (config keys). */
  trainer?: FinetuneConfig['trainer'];
  device?: FinetuneConfig['device'];
  threads?: number;
}

// Declared here only: run-config.ts writes them into finetune.json, and the trainer's FinetuneConfig (trainer/config.py)
// has no defaults of its own for them, so it refuses a file that leaves one out instead of quietly training on another.
const base = { cropSide: 128, batch: 4, logEvery: 10, heldOutLrSide: 128 };

export function lengthPlan(length: LengthPreset, iterations?: number): LengthPlan {
  switch (length) {
    case 'quick':
      return { ...base, iterations: 300, previewEvery: 50, checkpointEvery: 50 };
    case 'standard':
      return { ...base, iterations: 1800, previewEvery: 200, checkpointEvery: 100 };
    case 'long':
      return { ...base, iterations: 6000, previewEvery: 500, checkpointEvery: 250 };
    case 'custom': {
      const n = iterations ?? 1000;
      return { ...base, iterations: n, previewEvery: Math.max(10, Math.round(n / 10)), checkpointEvery: Math.max(10, Math.min(250, Math.round(n / 10))) };
    }
    case 'test': {
      const n = iterations ?? 8;
      return { iterations: n, cropSide: 32, batch: 2, previewEvery: 2, checkpointEvery: 2, logEvery: 1, heldOutLrSide: 16, device: 'cpu', threads: 1 };
    }
  }
}
