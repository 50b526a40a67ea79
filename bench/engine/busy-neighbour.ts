import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';

/**
 * One low-priority busy loop per core, as a user's other work (a browser, a build) would be:
 * the situation in which spinning intra-op threads make a many-thread session slower than one.
 */
export function startBusyNeighbour(cores: number): () => void {
  const children: ChildProcess[] = [];
  for (let i = 0; i < cores; i++) {
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    if (child.pid) setPriority(child.pid, 10);
    children.push(child);
  }
  return () => children.forEach((c) => c.kill());
}
