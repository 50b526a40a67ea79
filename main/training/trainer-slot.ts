/**
 * The one trainer slot: runs are trained one at a time, in the order they were queued. The slot is taken before
 * anything awaits, so two requests can never start two trainers.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TrainingRun } from '../../shared/training/types.js';
import type { RawMessage } from './json-lines.js';
import { checkpointFile, configFile, failureOf, requireRunFolder } from './run-folder.js';
import { failure, type RunPatch } from './runs-store.js';
import { TrainerProcess, type TrainerExit } from './trainer-process.js';

/** The run holding the slot, and what its trainer has said so far. */
export interface Active {
  runId: number;
  /** Absent while the Python is still being found. */
  process?: TrainerProcess;
  stopRequested: boolean;
  /** Export the last checkpoint only; afterwards the run returns to this state (it can still resume). */
  exportOnly?: 'stopped' | 'failed';
  exported?: { onnx: string; manifest: string };
  heldout?: { lrDir: string; hrDir: string };
  error?: string;
}

export interface SlotDeps {
  nextQueued(): TrainingRun | undefined;
  record(id: number, patch: RunPatch): TrainingRun;
  /** The interpreter to train with (throws when there is none). */
  requirePython(): Promise<string>;
  trainerRoot: string;
  stopTimeoutMs?: number;
  onActive?(active: boolean): void;
  onMessage(active: Active, message: RawMessage): void;
  /** After the trainer exited: records the outcome, and scores and registers a finished run. */
  finish(active: Active, exit: TrainerExit, python: string): Promise<void>;
}

export class TrainerSlot {
  private current: Active | null = null;
  private closing = false;
  private finishing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SlotDeps) {}

  get active(): Active | null {
    return this.current;
  }

  /** Starts the next queued run when the slot is free. */
  pump(): void {
    if (this.current || this.closing) return;
    const next = this.deps.nextQueued();
    if (next) void this.claim(next);
  }

  /** Takes the slot for `run` before anything awaits, runs it, and lets the next queued run follow. */
  claim(run: TrainingRun, exportOnly?: 'stopped' | 'failed'): Promise<void> {
    const active: Active = { runId: run.id, stopRequested: false, exportOnly };
    this.current = active;
    this.deps.onActive?.(true);
    this.finishing = this.train(active, run)
      .catch((e: unknown) => void this.deps.record(run.id, { state: 'failed', itPerSec: null, etaSeconds: null, ...failure(failureOf(run, e)) }))
      .finally(() => {
        this.current = null;
        this.deps.onActive?.(false);
        this.pump();
      });
    return this.finishing;
  }

  /** Stops the running trainer (it checkpoints) and starts no other. */
  async close(): Promise<void> {
    this.closing = true;
    const active = this.current;
    if (active) {
      active.stopRequested = true;
      this.deps.record(active.runId, { state: 'stopping' });
      await active.process?.stop();
    }
    await this.finishing;
  }

  private async train(active: Active, run: TrainingRun): Promise<void> {
    this.deps.record(run.id, { state: 'running', error: null, ...(active.exportOnly ? { stage: 'exporting' } : {}) });
    requireRunFolder(run);
    const python = await this.deps.requirePython();
    if (active.stopRequested) {
      this.deps.record(run.id, { state: active.exportOnly ?? 'stopped' });
      return;
    }
    const args = ['-m', 'trainer', 'finetune', '--config', configFile(run.runDir)];
    if (active.exportOnly) args.push('--export');
    else if (existsSync(checkpointFile(run.runDir))) args.push('--resume');
    active.process = new TrainerProcess({
      python,
      args,
      cwd: this.deps.trainerRoot,
      logFile: path.join(run.runDir, 'train.log'),
      stopTimeoutMs: this.deps.stopTimeoutMs,
      onMessage: (m) => this.deps.onMessage(active, m),
    });
    await this.deps.finish(active, await active.process.exited, python);
  }
}
