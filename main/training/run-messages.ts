/**
 * What the app does with each message of a fine-tuning run's trainer (docs/trainer-protocol.md). Lines arrive framed
 * but unchecked; each is parsed through shared/training/trainer-messages.ts, and one that does not match is an error
 * the trainer process writes to the run log (the run goes on).
 */
import { existsSync } from 'node:fs';
import { trainerMessageSchema, type ImageScores } from '../../shared/training/trainer-messages.js';
import type { LossPoint, PreviewMetrics } from '../../shared/training/types.js';
import type { RawMessage } from './json-lines.js';
import { configFile } from './run-folder.js';
import type { RunPatch } from './runs-store.js';
import type { Active } from './trainer-slot.js';

export interface MessageTarget {
  runDir(id: number): string;
  record(id: number, patch: RunPatch): void;
  addLoss(id: number, point: LossPoint): void;
}

export function handleTrainerMessage(active: Active, raw: RawMessage, target: MessageTarget): void {
  const parsed = trainerMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'type'}: ${i.message}`).join('; ');
    throw new Error(`a "${raw.type}" message does not match docs/trainer-protocol.md (${problems})`);
  }
  const m = parsed.data;
  const id = active.runId;
  switch (m.type) {
    case 'started':
      target.record(id, { device: m.device === 'cpu' ? 'CPU' : `${m.name} (${m.device})`, step: m.step });
      break;
    case 'progress': {
      // a run folder deleted under the trainer is noticed at its next step, not when the run ends
      if (!existsSync(configFile(target.runDir(id)))) {
        void active.process?.stop();
        break;
      }
      const stage = m.stage ?? '';
      target.addLoss(id, { step: m.step, stage, ...pick(m.losses, ['ct', 'dtm', 'total']) });
      target.record(id, { step: m.step, stage, itPerSec: finite(m.itPerSec), etaSeconds: finite(m.etaSec) });
      break;
    }
    case 'preview':
      // only a fine-tuning run's previews score a held-out pair; the general training loop's are not shown
      if (m.pair !== null && m.metrics)
        target.record(id, { preview: { step: m.step, pair: m.pair, base: shown(m.metrics.base), current: shown(m.metrics.current) } });
      break;
    case 'checkpoint':
      target.record(id, { checkpoint: m.path, step: m.step });
      break;
    case 'heldout':
      active.heldout = { lrDir: m.lrDir, hrDir: m.hrDir };
      break;
    case 'exported':
      active.exported = { onnx: m.onnx, manifest: m.manifest };
      break;
    case 'error':
      active.error = m.message;
      break;
  }
}

/** The scores the Training screen shows; an infinite PSNR (identical images, written as null) as 99 dB, as the
 * held-out scoring reads it. */
function shown(s: ImageScores): PreviewMetrics {
  return { psnr: s.psnr ?? 99, ...(s.ssim != null ? { ssim: s.ssim } : {}), ...(s.lpips != null ? { lpips: s.lpips } : {}) };
}

function finite(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

function pick(values: Record<string, number | null>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.flatMap((k) => (typeof values[k] === 'number' ? [[k, values[k]]] : [])));
}
