import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { manifestName } from '../../pipeline/output-manifest.js';

const cli = join(import.meta.dirname, '../enhance.ts');
export const repoRoot = join(import.meta.dirname, '../../..');
/** tsx's loader by its full address, so the CLI can run in any working folder. */
const tsx = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run enhance`'s entry point as its own process. `onStderr` sees everything printed so
 * far and may stop the process (SIGINT, like Ctrl+C, or any other signal). `timeoutMs` kills a
 * hung run so the test fails instead of hanging. `runAs` runs it as another user (a root test
 * checking what permissions deny).
 */
export function runCli(
  args: string[],
  onStderr?: (text: string, kill: (signal?: NodeJS.Signals) => void) => void,
  options: { timeoutMs?: number; cwd?: string; runAs?: { uid?: number; gid?: number }; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((done) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', tsx, cli, ...args], { cwd: options.cwd ?? repoRoot, ...options.runAs, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, (signal = 'SIGINT') => child.kill(signal));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** The files under `dir`, relative, sorted; the output manifests the app keeps beside outputs are left out. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name !== manifestName).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}
