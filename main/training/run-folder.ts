/**
 * A run's folder (`<data>/training/run-N`) and what the app says when it is gone or the trainer ended without a
 * model. The folder holds finetune.json, so a run whose finetune.json is missing has lost its folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Said, StudioError } from '../../shared/errors.js';
import { explainError } from '../../shared/explain-error.js';
import { reason, refusal, type Reason } from '../../shared/refusals.js';
import type { TrainingRun } from '../../shared/training/types.js';
import type { TrainerExit } from './trainer-process.js';

export function configFile(runDir: string): string {
  return path.join(runDir, 'finetune.json');
}

export function checkpointFile(runDir: string): string {
  return path.join(runDir, 'checkpoint.pt');
}

export function previewPath(runDir: string, step: number): string {
  return path.join(runDir, 'previews', `step_${String(step).padStart(7, '0')}.png`);
}

export function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export function runFolderGone(run: TrainingRun): StudioError {
  return refusal('not-found', 'training.folderGone', { folder: run.runDir, run: run.name }, { file: run.runDir });
}

/** Why a new run could not be set up in its folder (finetune.json and the folder are written before any training). */
export function setupFailure(runDir: string, e: unknown): StudioError {
  const explained = explainError(e, { file: runDir, stage: 'output' });
  if (explained.code !== 'disk-full') return explained;
  return refusal('disk-full', 'training.setupDiskFull', { folder: runDir }, { file: runDir, stage: 'output', cause: e });
}

/** Refuses to start the trainer on a run whose folder is gone: it would fail the same way on every resume. */
export function requireRunFolder(run: TrainingRun): void {
  if (!existsSync(configFile(run.runDir))) throw runFolderGone(run);
}

/** What a failure that threw says: a vanished run folder is named as such, not by the first file found missing. */
export function failureOf(run: TrainingRun, e: unknown): { reason: string; said?: Said } {
  const error = run.runDir && !existsSync(configFile(run.runDir)) ? runFolderGone(run) : (e as Error);
  return { reason: error.message, said: (error as Partial<StudioError>).said };
}

/** Why the trainer ended without a model, for the person who will resume it; `told`: the trainer's `error` message. */
export function failureReason(run: TrainingRun, told: string | undefined, exit: TrainerExit): Reason {
  const log = path.join(run.runDir, 'train.log');
  const message = told ?? exit.spawnError;
  if (explainError(new Error(`${message ?? ''} ${exit.logError ?? ''} ${lastLine(exit.stderrTail) ?? ''}`), { file: run.runDir, stage: 'output' }).code === 'disk-full')
    return reason('training.diskFullStopped', { folder: run.runDir });
  // a signal says more than the last line the trainer logged before it was killed
  if (message === undefined && exit.signal) return reason('training.killed', { signal: exit.signal, log });
  const why = message ?? lastLine(exit.stderrTail);
  if (why === null) return reason('training.exited', { code: String(exit.code), log });
  return reason('training.failed', { reason: why.replace(/\.$/, ''), log });
}

function lastLine(text: string): string | null {
  const lines = text.trim().split('\n').filter((l) => l.trim());
  return lines.length ? lines[lines.length - 1].trim() : null;
}
