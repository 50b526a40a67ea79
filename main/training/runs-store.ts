/**
 * Fine-tuning runs as durable SQLite rows: what was asked, where it is, what it measured. The loss history is
 * kept downsampled (at most `maxLossPoints`), so a week-long run stays a small row.
 */
import type { StudioDatabase } from '../store/db.js';
import { stageChoiceOf, type HeldOutMetrics, type LengthPreset, type LossPoint, type ParsedTrainingSource, type RunPreview, type RunState, type StageChoice, type TrainingRun } from '../../shared/training/types.js';
import { StudioError, type Said } from '../../shared/errors.js';
import { reason } from '../../shared/refusals.js';
import { storedSaid } from '../store/said-column.js';

export const maxLossPoints = 400;

export interface RunPlan {
  stages: StageChoice;
  length: LengthPreset;
  totalIterations: number;
  trainPairs: number;
  heldOutPairs: number;
}

interface Row {
  id: number;
  name: string;
  state: RunState;
  source_json: string;
  base_model_id: string;
  plan_json: string;
  run_dir: string;
  step: number;
  stage: string | null;
  it_per_sec: number | null;
  eta_seconds: number | null;
  device: string | null;
  losses_json: string;
  preview_json: string | null;
  checkpoint: string | null;
  model_id: string | null;
  heldout_json: string | null;
  error: string | null;
  error_said: string | null;
  created_at: number;
  updated_at: number;
}

export interface RunPatch {
  state?: RunState;
  step?: number;
  stage?: string | null;
  itPerSec?: number | null;
  etaSeconds?: number | null;
  device?: string | null;
  preview?: RunPreview | null;
  checkpoint?: string | null;
  modelId?: string | null;
  heldOut?: HeldOutMetrics | null;
  error?: string | null;
  /** `error` in the UI's language (shared/refusals.ts); cleared with every change of `error` that does not give it. */
  errorSaid?: Said | null;
  runDir?: string;
}

const columns: Record<keyof RunPatch, string> = {
  state: 'state',
  step: 'step',
  stage: 'stage',
  itPerSec: 'it_per_sec',
  etaSeconds: 'eta_seconds',
  device: 'device',
  preview: 'preview_json',
  checkpoint: 'checkpoint',
  modelId: 'model_id',
  heldOut: 'heldout_json',
  error: 'error',
  errorSaid: 'error_said',
  runDir: 'run_dir',
};
const jsonColumns = new Set<keyof RunPatch>(['preview', 'heldOut', 'errorSaid']);

/** Keeps every point until the limit, then every other one of the older half: recent detail, whole shape. */
export function downsample(points: LossPoint[], limit = maxLossPoints): LossPoint[] {
  if (points.length <= limit) return points;
  const half = Math.floor(points.length / 2);
  return [...points.slice(0, half).filter((_, i) => i % 2 === 0), ...points.slice(half)];
}

/** A patch that changes `error` without words for the UI clears the old words: a screen never words a stale failure. */
export function clearingStaleWords(patch: RunPatch): RunPatch {
  return patch.error !== undefined && patch.errorSaid === undefined ? { ...patch, errorSaid: null } : patch;
}

/** A run's `error` and `errorSaid` from a reason (shared/refusals.ts). */
export function failure(why: { reason: string; said?: Said }): Pick<RunPatch, 'error' | 'errorSaid'> {
  return { error: why.reason, errorSaid: why.said ?? null };
}

export class RunsStore {
  constructor(private readonly db: StudioDatabase) {}

  create(run: { name: string; source: ParsedTrainingSource; baseModelId: string; plan: RunPlan; runDir: string }): number {
    const now = Date.now();
    const info = this.db
      .prepare(`INSERT INTO training_runs (name, state, source_json, base_model_id, plan_json, run_dir, created_at, updated_at) VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`)
      .run(run.name, JSON.stringify(run.source), run.baseModelId, JSON.stringify(run.plan), run.runDir, now, now);
    return Number(info.lastInsertRowid);
  }

  get(id: number): TrainingRun {
    const row = this.db.prepare('SELECT * FROM training_runs WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new StudioError('not-found', `Training run #${id} does not exist any more. Refresh the Training screen.`);
    return toRun(row);
  }

  list(): TrainingRun[] {
    return (this.db.prepare('SELECT * FROM training_runs ORDER BY id DESC').all() as Row[]).map(toRun);
  }

  nextQueued(): TrainingRun | undefined {
    const row = this.db.prepare(`SELECT * FROM training_runs WHERE state = 'queued' ORDER BY id LIMIT 1`).get() as Row | undefined;
    return row ? toRun(row) : undefined;
  }

  update(id: number, patch: RunPatch): TrainingRun {
    patch = clearingStaleWords(patch);
    const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter((k) => patch[k] !== undefined);
    const values = keys.map((k) => (jsonColumns.has(k) ? (patch[k] === null ? null : JSON.stringify(patch[k])) : patch[k]));
    this.db.prepare(`UPDATE training_runs SET ${[...keys.map((k) => `${columns[k]} = ?`), 'updated_at = ?'].join(', ')} WHERE id = ?`).run(...values, Date.now(), id);
    return this.get(id);
  }

  addLoss(id: number, point: LossPoint): void {
    const row = this.db.prepare('SELECT losses_json FROM training_runs WHERE id = ?').get(id) as { losses_json: string } | undefined;
    if (!row) return;
    const points = downsample([...(JSON.parse(row.losses_json) as LossPoint[]), point]);
    this.db.prepare('UPDATE training_runs SET losses_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(points), Date.now(), id);
  }

  remove(id: number): void {
    this.db.prepare('DELETE FROM training_runs WHERE id = ?').run(id);
  }

  /** Runs a previous session left running (the app was killed): failed, resumable from their checkpoint. */
  recoverInterrupted(): number[] {
    const rows = this.db.prepare(`SELECT id, state FROM training_runs WHERE state IN ('running', 'stopping')`).all() as { id: number; state: RunState }[];
    for (const row of rows) {
      this.update(row.id, row.state === 'stopping' ? { state: 'stopped', itPerSec: null, etaSeconds: null } : { state: 'failed', ...failure(reason('training.appClosed')), itPerSec: null, etaSeconds: null });
    }
    return rows.map((r) => r.id);
  }
}

function toRun(row: Row): TrainingRun {
  const plan = JSON.parse(row.plan_json) as RunPlan;
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    source: JSON.parse(row.source_json) as ParsedTrainingSource,
    baseModelId: row.base_model_id,
    stages: stageChoiceOf(plan.stages),
    length: plan.length,
    totalIterations: plan.totalIterations,
    trainPairs: plan.trainPairs,
    heldOutPairs: plan.heldOutPairs,
    step: row.step,
    stage: row.stage,
    itPerSec: row.it_per_sec,
    etaSeconds: row.eta_seconds,
    device: row.device,
    losses: JSON.parse(row.losses_json) as LossPoint[],
    preview: row.preview_json ? (JSON.parse(row.preview_json) as RunPreview) : null,
    error: row.error,
    errorSaid: storedSaid(row.error_said),
    resumable: row.state === 'stopped' || row.state === 'failed',
    modelId: row.model_id,
    heldOut: row.heldout_json ? (JSON.parse(row.heldout_json) as HeldOutMetrics) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    runDir: row.run_dir,
  };
}
