import type { BatchSummary } from '../../shared/api/types';

export type BatchAction = 'pause' | 'stopNow' | 'resume' | 'cancel' | 'retry' | 'reveal' | 'remove';

/**
 * The buttons a batch offers in its current state, in display order. Pause lets the running image
 * finish; while it does, "Stop now" interrupts it (its work is lost and it runs again on resume).
 */
export function batchActions(batch: Pick<BatchSummary, 'status' | 'counts' | 'stopping'>): BatchAction[] {
  const actions: BatchAction[] = [];
  if (batch.stopping === 'pause-after-image') actions.push('stopNow');
  else if (batch.status === 'running' || batch.status === 'queued') actions.push('pause');
  if (batch.status === 'paused') actions.push('resume');
  if (batch.status === 'running' || batch.status === 'queued' || batch.status === 'paused') actions.push('cancel');
  // A batch's retry takes its failed items; cancelled ones are retried one by one.
  if (batch.counts.failed > 0 && batch.status !== 'running') actions.push('retry');
  if (batch.counts.done > 0) actions.push('reveal');
  if (batch.status === 'done' || batch.status === 'failed' || batch.status === 'cancelled') actions.push('remove');
  return actions;
}
