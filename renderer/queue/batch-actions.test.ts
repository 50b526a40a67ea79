import { describe, expect, it } from 'vitest';
import type { StatusCounts } from '../../shared/api/types';
import { batchActions } from './batch-actions';

const counts = (c: Partial<StatusCounts>): StatusCounts => ({ queued: 0, running: 0, done: 0, failed: 0, skipped: 0, cancelled: 0, ...c });

describe('batch actions', () => {
  it('offers what makes sense in each state', () => {
    expect(batchActions({ status: 'running', counts: counts({ running: 1, done: 2 }) })).toEqual(['pause', 'cancel', 'reveal']);
    expect(batchActions({ status: 'paused', counts: counts({ queued: 3 }) })).toEqual(['resume', 'cancel']);
    expect(batchActions({ status: 'failed', counts: counts({ done: 4, failed: 1 }) })).toEqual(['retry', 'reveal', 'remove']);
    expect(batchActions({ status: 'cancelled', counts: counts({ cancelled: 2 }) })).toEqual(['retryAll', 'remove']);
    expect(batchActions({ status: 'cancelled', counts: counts({ done: 1, failed: 1, cancelled: 2 }) })).toEqual(['retry', 'retryAll', 'reveal', 'remove']);
    expect(batchActions({ status: 'done', counts: counts({ done: 3 }) })).toEqual(['reveal', 'remove']);
    // pausing after the running image: it can still be stopped at once
    expect(batchActions({ status: 'running', stopping: 'pause-after-image', counts: counts({ running: 1, queued: 2 }) })).toEqual(['stopNow', 'cancel']);
  });
});
