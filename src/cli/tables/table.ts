// The summary a user reads at the end of `swarmlab run`: a per-client table, then totals and balance.
import type { RunResult } from '../../classic/runtime/types.ts';
import type { ClassicSummary } from '../../results/classic-summary.ts';
import { maxOf } from '../../util/arrays.ts';

/** Right-aligns numeric columns and left-aligns the first, with a rule under the header. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, col) => maxOf(cells.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)))
      .join('  ');
  const [head, ...body] = cells;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const fixed = (value: number | null, digits: number) => (value === null ? 'n/a' : value.toFixed(digits));

export function formatRunSummary(result: RunResult, summary: ClassicSummary): string {
  const rows = result.clients.map((s) => [
    `client ${s.rank}`,
    s.downloaded,
    s.served,
    s.refused,
    s.filesCompleted,
  ]);
  rows.push([
    'total',
    summary.segmentsDownloaded,
    summary.segmentsServed,
    summary.requestsRefused,
    summary.filesCompleted,
  ]);
  const balance = summary.loadBalance;
  const time =
    summary.virtualTimeS === null
      ? `${fixed(summary.wallTimeMs, 0)} ms`
      : `${fixed(summary.wallTimeMs, 0)} ms wall, ${fixed(summary.virtualTimeS, 3)} s simulated`;
  return [
    formatTable(['rank', 'downloaded', 'served', 'refused', 'files'], rows),
    '',
    `runtime ${result.runtime}, seed ${result.seed}, strategy ${result.strategy}: ${summary.messages} messages in ${time}`,
    `load balance over ${balance.servers} serving client${balance.servers === 1 ? '' : 's'}: max ${balance.maxServed}, mean ${fixed(balance.meanServed, 1)}, ` +
      `max/mean ${fixed(balance.maxOverMean, 2)}, Jain's index ${fixed(balance.jain, 3)}`,
  ].join('\n');
}
