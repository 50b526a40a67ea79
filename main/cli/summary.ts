import type { ImageOutcome } from './run-batch.js';

/** The end-of-batch table: counts, then one row per image that did not succeed, with its reason. */
export function summaryTable(outcomes: ImageOutcome[]): string {
  const count = (s: ImageOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const lines = [
    'status     images',
    `done       ${count('done')}`,
    `skipped    ${count('skipped')}`,
    `failed     ${count('failed')}`,
  ];
  if (count('cancelled') > 0) lines.push(`cancelled  ${count('cancelled')}`);
  const notDone = outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped');
  if (notDone.length > 0) {
    lines.push('', 'file | status | reason');
    for (const o of notDone) lines.push(`${o.input} | ${o.status} | ${'reason' in o ? o.reason : ''}`);
  }
  return lines.join('\n');
}
