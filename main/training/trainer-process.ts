/**
 * One trainer process: spawned with an argument array (never a shell), its stdout read as JSON lines, its stderr
 * and any stray stdout kept in the run log, stopped with SIGTERM (the trainer checkpoints and exits) and killed
 * if it has not exited after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { JsonLinesReader, type RawMessage } from './json-lines.js';

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process could not be started at all (e.g. the interpreter is gone). */
  spawnError?: string;
  /** The last lines of stderr, for the reason a run failed. */
  stderrTail: string;
  /** stop() had to kill it. */
  killed: boolean;
  /** The run log could not be written (a full disk): nothing more was logged after it. */
  logError?: string;
}

export interface TrainerProcessOptions {
  python: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  onMessage(message: RawMessage): void;
  /** Grace after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export class TrainerProcess {
  readonly exited: Promise<TrainerExit>;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private stderrTail = '';
  private killed = false;
  private done = false;
  private logError?: string;

  constructor(private readonly options: TrainerProcessOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    // unhandled, a write error (ENOSPC) would take the whole app down; the run's end reports it instead
    this.log.on('error', (e: NodeJS.ErrnoException) => {
      this.logError ??= `${e.code ?? ''} ${e.message}`.trim();
    });
    this.writeLog(`\n--- ${new Date().toISOString()} ${options.python} ${options.args.join(' ')}\n`);
    const reader = new JsonLinesReader({
      onMessage: (m) => this.safely(() => options.onMessage(m)),
      onOther: (line) => this.writeLog(`stdout: ${line}\n`),
    });
    this.child = spawn(options.python, options.args, {
      cwd: options.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.writeLog(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      const finish = (exit: Omit<TrainerExit, 'stderrTail' | 'killed'>) => {
        if (this.done) return;
        this.done = true;
        reader.end();
        this.writeLog(`--- exit ${exit.spawnError ?? exit.code ?? exit.signal}\n`);
        this.log.end();
        resolve({ ...exit, stderrTail: this.stderrTail, killed: this.killed, ...(this.logError ? { logError: this.logError } : {}) });
      };
      this.child.once('error', (e) => finish({ code: null, signal: null, spawnError: `${options.python} could not be started: ${e.message}` }));
      // 'close' (not 'exit'): stdout is fully read by then, so the last lines are not lost
      this.child.once('close', (code, signal) => finish({ code, signal }));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(): Promise<TrainerExit> {
    if (!this.done) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!this.done) {
          this.killed = true;
          this.child.kill('SIGKILL');
        }
      }, this.options.stopTimeoutMs ?? 60_000);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }

  private writeLog(text: string | Buffer): void {
    if (!this.logError && !this.log.destroyed) this.log.write(text);
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.writeLog(`app: could not handle a trainer message: ${(e as Error).message}\n`);
    }
  }
}
