import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printable } from '../../shared/printable.js';

/**
 * Runs `main` when the module is the process's entry point (an npm script, a bin link), not when a
 * test imports it, and turns its result into the exit code.
 */
export function runIfEntry(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  const entry = process.argv[1];
  if (entry === undefined || realpathSync(entry) !== fileURLToPath(moduleUrl)) return;
  main(process.argv).then(
    (code) => process.exit(code),
    (e) => {
      console.error(printable(`error: ${(e as Error).stack ?? e}`));
      process.exit(1);
    },
  );
}
