import type { BatchSummary } from '../../shared/api/types';

export type BatchAction = 'pause' | 'stopNow' | 'resume' | 'cancel' | 'retry' | 'retryAll' | 'reveal' | 'remove';

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
  const finished = batch.status === 'done' || batch.status === 'failed' || batch.status === 'cancelled';
  if (batch.counts.failed > 0 && batch.status !== 'running') actions.push('retry');
  // cancelled images are retried with the failed ones in one click, not one Retry per image
  if (batch.counts.cancelled > 0 && finished) actions.push('retryAll');
  if (batch.counts.done > 0) actions.push('reveal');
  if (finished) actions.push('remove');
  return actions;
}
