import { printable } from '../../shared/printable.js';
import type { ImageOutcome } from '../pipeline/runner.js';

/** The end-of-batch table: counts, then one row per image that did not succeed or needs a word (an animation's other frames), with its reason. */
export function summaryTable(outcomes: ImageOutcome[]): string {
  const count = (s: ImageOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const lines = [
    'status     images',
    `done       ${count('done')}`,
    `skipped    ${count('skipped')}`,
    `failed     ${count('failed')}`,
  ];
  if (count('cancelled') > 0) lines.push(`cancelled  ${count('cancelled')}`);
  const notable = outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped' || (o.status === 'done' && o.note));
  if (notable.length > 0) {
    lines.push('', 'file | status | reason');
    for (const o of notable) lines.push(`${printable(o.input)} | ${o.status} | ${printable('reason' in o ? o.reason : 'note' in o ? (o.note ?? '') : '')}`);
  }
  return lines.join('\n');
}
