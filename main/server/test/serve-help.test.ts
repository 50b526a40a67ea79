/** `npm run serve -- --help`, run as a user would (npm, then tsx), and an option it does not know. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

const run = (args: string[]) =>
  promisify(execFile)('npm', ['run', '--silent', 'serve', '--', ...args], { cwd: repoRoot, env: { ...process.env, CTMSR_DATA_DIR: '/nonexistent/ctmsr-help' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('npm run serve', () => {
  it('prints its usage for --help, and with the complaint about an unknown option', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run serve -- \[options\]/);
    for (const option of ['--data-dir <dir>', '--port <n>', '--models-dir <dir>', '--renderer-dir <dir>', '-h, --help']) expect(help.stdout).toContain(option);
    const wrong = await run(['--prot', '8080']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("Unknown option '--prot'");
    expect(wrong.stderr).toContain('Usage: npm run serve -- [options]');
  }, 60_000);
});
