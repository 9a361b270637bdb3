// Every figure of every run, one row per figure and one column per run: the reference a reader opens
// after the headline and the charts (it sits in a <details> at the end of the page).
import type { ClassicResults } from '../results/classic.ts';
import type { SwarmResults } from '../results/swarm.ts';
import { fmt, verticalTable } from './html-parts.ts';

export function classicSummaryTable(runs: readonly ClassicResults[], labels: readonly string[]): string {
  const rows = runs.map((r, i) => {
    const s = r.summary;
    const lb = s.loadBalance;
    return [
      labels[i] ?? '',
      r.input,
      r.runtime,
      r.strategy,
      String(r.seed),
      String(s.clients),
      String(s.segmentsDownloaded),
      String(s.messages),
      // Simulated seconds and wall milliseconds are different clocks: one row each, never mixed.
      s.virtualTimeS === null ? 'n/a (real time)' : fmt(s.virtualTimeS, 3),
      fmt(s.wallTimeMs, 0),
      String(lb.servers),
      fmt(lb.maxOverMean, 2),
      fmt(lb.jain, 3),
      r.createdAt,
    ];
  });
  return verticalTable(
    [
      'run',
      'input',
      'runtime',
      'strategy',
      'seed',
      'clients',
      'segments',
      'messages',
      'simulated time (s)',
      'wall time (ms)',
      'serving clients',
      'max/mean served',
      "Jain's index",
      'run at',
    ],
    rows,
  );
}

export function swarmSummaryTable(runs: readonly SwarmResults[], labels: readonly string[]): string {
  const rows = runs.map((r, i) => {
    const s = r.summary;
    return [
      labels[i] ?? '',
      r.scenario.name,
      'sim',
      String(r.seed),
      `${r.scenario.strategy.pieces}, ${r.scenario.strategy.peers}`,
      `${s.completed} / ${s.peers}`,
      [s.p10, s.p50, s.p90, s.max].map((v) => fmt(v, 1)).join(' / '),
      fmt(s.lastCompletion, 1),
      fmt(s.kumarRossBound, 1),
      fmt(s.boundRatio, 3),
      fmt(s.uploadUtilisation, 3),
      [s.shareRatio.p10, s.shareRatio.p50, s.shareRatio.p90].map((v) => fmt(v, 2)).join(' / '),
      fmt(s.jain, 3),
      `${fmt(s.meanDownload.contributors, 1)} / ${fmt(s.meanDownload.freeRiders, 1)}`,
      r.createdAt,
    ];
  });
  return verticalTable(
    [
      'run',
      'scenario',
      'runtime',
      'seed',
      'pieces, peers',
      'completed',
      'p10 / p50 / p90 / max (s)',
      'last completion (s)',
      'Kumar-Ross bound (s)',
      'last completion / Kumar-Ross bound',
      'upload utilisation',
      'share ratio p10 / p50 / p90',
      "Jain's index of share ratios",
      'mean download: contributors / free riders (s)',
      'run at',
    ],
    rows,
  );
}
