// What `swarmlab sweep` prints: one row per configuration, each figure a mean with its 95% interval.
import type { SweepResults } from '../../results/sweep.ts';
import type { MeanInterval } from '../../util/confidence.ts';
import { formatTable } from './table.ts';

function withInterval(metric: MeanInterval | undefined, digits: number): string {
  if (metric === undefined || metric.mean === null) return 'n/a';
  const mean = metric.mean.toFixed(digits);
  if (metric.ci95 === null) return mean;
  return `${mean} [${metric.ci95[0].toFixed(digits)}, ${metric.ci95[1].toFixed(digits)}]`;
}

export function formatSweepTable(sweep: SweepResults): string {
  const rows = sweep.configurations.map((c) => {
    const set = Object.entries(c.set).map(([field, value]) => `${field}=${value}`);
    return [
      set.length === 0 ? sweep.scenario : set.join(', '),
      String(c.seeds.length),
      withInterval(c.metrics.lastCompletion, 1),
      withInterval(c.metrics.p50, 1),
      withInterval(c.metrics.boundRatio, 3),
    ];
  });
  return [
    formatTable(
      ['configuration', 'seeds', 'last completion (s)', 'median download (s)', 'ratio to bound'],
      rows,
    ),
    'each figure: the mean over the seeds [its 95% confidence interval, Student t]',
  ].join('\n');
}
