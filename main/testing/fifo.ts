import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** A named pipe at `file`: opening it for reading blocks until a writer comes. */
export function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** Opening a FIFO's write end (and closing it) wakes a reader blocked on it. */
export function release(fifo: string): void {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  } catch {
    // no reader left
  }
}
