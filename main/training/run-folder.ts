/**
 * A run's folder (`<data>/training/run-N`) and what the app says when it is gone or the trainer ended without a
 * model. The folder holds finetune.json, so a run whose finetune.json is missing has lost its folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/errors.js';
import { explainError } from '../../shared/explain-error.js';
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
  return new StudioError(
    'not-found',
    `The run folder ${run.runDir} was deleted or moved: its settings, checkpoint and held-out pictures are gone, so ${run.name} cannot go on. Remove the run from the list and start a new one.`,
    { file: run.runDir },
  );
}

/** Why a new run could not be set up in its folder (finetune.json and the folder are written before any training). */
export function setupFailure(runDir: string, e: unknown): StudioError {
  const explained = explainError(e, { file: runDir, stage: 'output' });
  if (explained.code !== 'disk-full') return explained;
  return new StudioError('disk-full', `Cannot set up the run in ${runDir}: the disk is full. Free some space on it, then start the run again.`, { file: runDir, stage: 'output', cause: e });
}

/** Refuses to start the trainer on a run whose folder is gone: it would fail the same way on every resume. */
export function requireRunFolder(run: TrainingRun): void {
  if (!existsSync(configFile(run.runDir))) throw runFolderGone(run);
}

/** What a failure that threw says: a vanished run folder is named as such, not by the first file found missing. */
export function failureOf(run: TrainingRun, e: unknown): string {
  return run.runDir && !existsSync(configFile(run.runDir)) ? runFolderGone(run).message : (e as Error).message;
}

/** Why the trainer ended without a model, for the person who will resume it; `said`: its `error` message. */
export function failureReason(run: TrainingRun, said: string | undefined, exit: TrainerExit): string {
  const log = path.join(run.runDir, 'train.log');
  const told = said ?? exit.spawnError;
  if (explainError(new Error(`${told ?? ''} ${exit.logError ?? ''} ${lastLine(exit.stderrTail) ?? ''}`), { file: run.runDir, stage: 'output' }).code === 'disk-full')
    return `Training stopped: the disk holding ${run.runDir} is full. Free some space on it, then resume: the run continues from its last checkpoint.`;
  // a signal says more than the last line the trainer logged before it was killed
  const reason = told ?? (exit.signal ? `the trainer was killed by ${exit.signal} (by another program, or by the system when memory ran out)` : (lastLine(exit.stderrTail) ?? `the trainer exited with code ${exit.code}`));
  return `Training failed: ${reason.replace(/\.$/, '')}. Resume continues from the last checkpoint; the log is ${log}.`;
}

function lastLine(text: string): string | null {
  const lines = text.trim().split('\n').filter((l) => l.trim());
  return lines.length ? lines[lines.length - 1].trim() : null;
}
