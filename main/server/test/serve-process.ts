import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ServeProcess {
  /** The address the server printed, token included. */
  launchUrl: string;
  base: string;
  token: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Runs `npm run serve` exactly as a user would, in its own process group so that stopping it
 * also stops the tsx and node processes npm starts.
 */
export function startServe(args: string[], timeoutMs = 90_000): Promise<ServeProcess> {
  const child: ChildProcess = spawn('npm', ['run', '--silent', 'serve', '--', ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`npm run serve did not print its address within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /ready at (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        const url = new URL(match[1]);
        resolve({ launchUrl: match[1], base: `${url.origin}/`, token: url.searchParams.get('token') ?? '', output: () => log, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run serve exited with ${code}:\n${log}`));
    });
  });
}

/**
 * Debian's Chromium, headless, with one page; the background-networking flags keep it from calling
 * out of a machine whose network is closed (never a downloaded browser).
 */
export async function launchPage(viewport: { width: number; height: number }): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return { browser, page };
}
