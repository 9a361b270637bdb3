// What `swarmlab simulate` and `swarmlab bound` print.

import type { SwarmRun } from '../../bittorrent/sim/run-types.ts';
import type { KumarRossBound } from '../../bittorrent/theory/bound.ts';
import { describeStop, type SwarmSummary } from '../../results/swarm-summary.ts';
import { applicableTheory } from '../../results/theory.ts';
import { formatTable } from './table.ts';

const seconds = (value: number | null) =>
  value === null ? 'n/a' : Number.isFinite(value) ? `${value.toFixed(1)} s` : 'unbounded';
const fixed = (value: number | null, digits: number) => (value === null ? 'n/a' : value.toFixed(digits));
const mbit = (bytesPerS: number) => `${((bytesPerS * 8) / 1e6).toFixed(3)} Mbit/s`;

const WHY: Record<KumarRossBound['binding'], string> = {
  'seed-upload': 'the seeds must upload every piece at least once',
  'slowest-download': 'the slowest peer must download the whole file',
  'swarm-upload': 'the swarm must deliver the file to every peer with its total upload capacity',
  'no-contributors': 'every leecher rides free: no peer must complete',
};

export function formatBound(name: string, bound: KumarRossBound): string {
  const head = Number.isFinite(bound.boundS)
    ? `${name}: Kumar-Ross lower bound ${seconds(bound.boundS)} (${WHY[bound.binding]})`
    : `${name}: no finite Kumar-Ross bound (${WHY[bound.binding]}${bound.binding === 'seed-upload' ? ', and they upload nothing' : ''})`;
  return [
    head,
    formatTable(
      ['term', 'seconds'],
      [
        [`F / u_s (seeds upload ${mbit(bound.seedUploadBps)})`, fixed(bound.seedTermS, 1)],
        [`F / d_min (slowest download ${mbit(bound.minDownloadBps)})`, fixed(bound.downloadTermS, 1)],
        [
          `N F / (u_s + sum u_i) (${bound.peers} peers, free riders aside, upload ${mbit(bound.peerUploadBps)} in all)`,
          fixed(bound.swarmTermS, 1),
        ],
      ],
    ),
  ].join('\n');
}

/** The run against the theory that applies: Kumar-Ross and the ratio, Qiu-Srikant, or no bound. */
function theoryLine(run: SwarmRun, summary: SwarmSummary, bound: KumarRossBound): string {
  const last = `last completion ${seconds(summary.lastCompletion)}`;
  const theory = applicableTheory(run.scenario, bound);
  switch (theory.kind) {
    case 'qiu-srikant':
      return (
        `${last}; mean download ${seconds(summary.meanDownload.contributors)}; Qiu-Srikant steady state: ` +
        `mean download ${seconds(theory.meanDownloadS)}, ${theory.meanLeechers.toFixed(1)} leechers`
      );
    case 'no-bound':
      return `${last}; ${theory.explanation.replace(/^No/, 'no')}`;
    case 'kumar-ross':
    case 'yardstick': {
      const name =
        theory.kind === 'kumar-ross' ? 'Kumar-Ross bound' : 'Kumar-Ross yardstick (arrivals spread)';
      return (
        `${last}; ${name} ${seconds(theory.boundS)} (${bound.peers} peers must complete); ` +
        (summary.boundRatio === null
          ? 'ratio n/a (not every peer finished)'
          : `ratio ${fixed(summary.boundRatio, 3)}`)
      );
    }
  }
}

export function formatSwarmSummary(run: SwarmRun, summary: SwarmSummary, bound: KumarRossBound): string {
  const stop = describeStop(summary);
  const lines = [
    `${run.scenario.name}, seed ${run.seed}: ${summary.completed} of ${summary.peers} peers completed; ` +
      `stopped at ${seconds(summary.endedAtS)} because ${stop}`,
    formatTable(
      ['download time', 'p10', 'p50', 'p90', 'max'],
      [
        [
          'seconds',
          fixed(summary.p10, 1),
          fixed(summary.p50, 1),
          fixed(summary.p90, 1),
          fixed(summary.max, 1),
        ],
      ],
    ),
    theoryLine(run, summary, bound),
    `upload utilisation ${fixed(summary.uploadUtilisation, 3)}; share ratio p10/p50/p90 ` +
      `${fixed(summary.shareRatio.p10, 2)}/${fixed(summary.shareRatio.p50, 2)}/${fixed(summary.shareRatio.p90, 2)}; ` +
      `Jain's index of share ratios ${fixed(summary.jain, 3)}`,
  ];
  if (summary.meanDownload.freeRiders !== null) {
    lines.push(
      `mean download time: contributors ${seconds(summary.meanDownload.contributors)}, ` +
        `free riders ${seconds(summary.meanDownload.freeRiders)}`,
    );
  }
  lines.push(`${run.events} events in ${(run.wallMs / 1000).toFixed(2)} s wall`);
  return lines.join('\n');
}
