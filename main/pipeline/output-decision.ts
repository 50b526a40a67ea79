import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { reason, type Reason } from '../../shared/refusals.js';
import { collisionReason, planOutputs, type OutputPlanOptions, type PlannedOutput } from './output-path.js';

/** Where an image goes, decided as it starts. */
export type OutputDecision =
  | { action: 'write'; output: string }
  | ({ action: 'skip'; output: string } & Reason)
  | ({ action: 'fail'; output: string } & Reason);

/** What else claims paths: the rest of the batch, other batches, the library. */
export interface OutputClaims {
  /** Another image (of this batch or another) is to be written there. */
  takenByOther(path: string): boolean;
  /** An input or a library photo: never overwritten, whatever the policy. */
  isProtected(path: string): boolean;
}

/**
 * An output planned earlier (planOutputs), checked again as its image starts: a file may have
 * appeared there since. The collision policy applies as it did at planning; a rename takes the
 * next free "name (n)" beside the planned one.
 */
export function decideOutput(input: string, planned: string, plan: OutputPlanOptions, claims: OutputClaims): OutputDecision {
  const taken = existsSync(planned) || claims.takenByOther(planned);
  if (!taken) return { action: 'write', output: planned };
  if (plan.skipExisting) return { action: 'skip', output: planned, ...collisionReason.skipExisting(planned) };
  if (plan.collision === 'skip') return { action: 'skip', output: planned, ...collisionReason.skip(planned) };
  if (plan.collision === 'fail') return { action: 'fail', output: planned, ...collisionReason.fail(planned) };
  if (plan.collision === 'overwrite' && !claims.isProtected(planned) && !claims.takenByOther(planned)) return { action: 'write', output: planned };
  const [replanned] = planOutputs([{ path: input }], { ...plan, outDir: dirname(planned), collision: 'rename', skipExisting: false });
  if (replanned.action !== 'write' || claims.takenByOther(replanned.output)) {
    return { action: 'fail', output: planned, ...reason('output.noFreeName', { file: planned }) };
  }
  return { action: 'write', output: replanned.output };
}

/**
 * Start-time decisions for a plan made in one go (the CLI's, an evaluation's): the plan's own skips
 * and failures stand; a write is checked again against the disk and the plan's other outputs.
 */
export function planDecisions(plan: readonly PlannedOutput[], options: OutputPlanOptions): (index: number) => OutputDecision {
  const inputs = new Set(plan.map((p) => p.input));
  const writerOf = new Map(plan.filter((p) => p.action === 'write').map((p) => [p.output, p.input]));
  return (index) => {
    const item = plan[index];
    if (item.action !== 'write') return item;
    // a planned overwrite replaces what was there when it was planned
    if (item.replaces) return { action: 'write', output: item.output };
    const claims: OutputClaims = {
      takenByOther: (path) => (writerOf.get(path) ?? item.input) !== item.input,
      isProtected: (path) => inputs.has(path),
    };
    return decideOutput(item.input, item.output, options, claims);
  };
}
