// The comparison table: each configuration's figures over its seeds, and its difference from the first
// configuration (the baseline) with a 95% interval, so that a reader sees the effect and its noise.
import type { RunGroup } from '../results/sweep.ts';
import { meanInterval } from '../util/confidence.ts';
import { LAST_COMPLETION as LAST, MEAN_DOWNLOAD, relativeDifference, signed, valuesOf } from './headline.ts';

export interface ComparisonTable {
  readonly header: string[];
  readonly rows: string[][];
}

export function comparisonTable(groups: readonly RunGroup[], labels: readonly string[]): ComparisonTable {
  const base = groups[0] as RunGroup;
  const rows = groups.map((group, i) => {
    const done = group.runs.reduce((n, run) => n + run.summary.completed, 0);
    const peers = group.runs.reduce((n, run) => n + run.summary.peers, 0);
    const stalled = group.runs.filter((run) => run.summary.stopReason === 'stalled').length;
    return [
      labels[i] ?? '',
      String(group.runs.length),
      completedText(done, peers, group.runs.length) + (stalled > 0 ? ` (${stalled} stalled)` : ''),
      withInterval(valuesOf(group, LAST)),
      i === 0 ? 'baseline' : difference(valuesOf(base, LAST), valuesOf(group, LAST)),
      withInterval(valuesOf(group, MEAN_DOWNLOAD)),
      i === 0 ? 'baseline' : difference(valuesOf(base, MEAN_DOWNLOAD), valuesOf(group, MEAN_DOWNLOAD)),
    ];
  });
  return {
    header: [
      'configuration',
      'seeds',
      'peers completed',
      'last completion (s)',
      'vs baseline',
      'mean download (s)',
      'vs baseline',
    ],
    rows,
  };
}

function withInterval(values: readonly number[]): string {
  const interval = meanInterval(values);
  if (interval.mean === null) return 'n/a';
  if (interval.ci95 === null) return interval.mean.toFixed(1);
  return `${interval.mean.toFixed(1)} (${interval.ci95[0].toFixed(1)}–${interval.ci95[1].toFixed(1)})`;
}

function difference(base: readonly number[], other: readonly number[]): string {
  const diff = relativeDifference(base, other);
  if (diff === null) return 'n/a';
  if (diff.ci95 === null) return `${signed(diff.difference)} (one seed)`;
  return `${signed(diff.difference)} (${signed(diff.ci95[0])} to ${signed(diff.ci95[1])})`;
}

/** "all 200" when every run completed every peer, else the mean per run. */
function completedText(done: number, peers: number, runs: number): string {
  const perRun = peers / Math.max(runs, 1);
  if (done === peers) return `all ${perRun}`;
  return runs === 1 ? `${done} of ${peers}` : `${(done / runs).toFixed(1)} of ${perRun} on average`;
}
