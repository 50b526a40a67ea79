import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A real full or read-only disk needs a file system of our own: a small tmpfs, which only root
 * (or a CAP_SYS_ADMIN container) may mount. Tests that need one skip elsewhere, and say so.
 */
export function canMountTmpfs(): boolean {
  if (process.platform !== 'linux') return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `size` (e.g. "512k") on `dir`, which must exist. */
export function mountTmpfs(dir: string, size: string, options: { readOnly?: boolean } = {}): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options.readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir]);
}

/** Writes a file until the disk holding `dir` is full; returns its path. */
export function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler.bin');
  const fd = fs.openSync(filler, 'w');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(16 * 1024));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}
