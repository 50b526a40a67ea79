import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/errors.js';

/**
 * One process at a time may own a data folder: its queue worker puts items a crashed run left
 * "running" back in the queue, which would be wrong while another process is running them.
 * A lock file holds the owner's pid; a lock whose process is gone is taken over.
 */
export function acquireInstanceLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'studio.lock');
  fs.mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new StudioError('permission-denied', `CTMSR Studio is already running with the data folder ${dataDir} (process ${owner}). Close it first, or use another data folder.`, { file });
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new StudioError('internal', `Could not take the lock ${file}. Delete it if no CTMSR Studio is running.`, { file });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process killed with SIGKILL stays a zombie until its parent reaps it (a second or two, or for as long as the
 * parent lives): signals still reach it, but it holds nothing. Linux says so in /proc; elsewhere it counts as alive.
 */
function isZombie(pid: number): boolean {
  try {
    // the state follows the command name, which may itself hold spaces and parentheses
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
