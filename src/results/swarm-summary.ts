// The figures a simulated swarm is judged by: how long peers took, against the analytic bound; how
// much of the upload capacity was used; how fairly contribution matched benefit.

import type { PeerRecord, StopReason, SwarmRun } from '../bittorrent/sim/run-types.ts';
import { type KumarRossBound, kumarRossBound } from '../bittorrent/theory/bound.ts';
import { maxOf } from '../util/arrays.ts';
import { mean, percentile } from '../util/statistics.ts';
import { jainIndex } from './classic-summary.ts';
import { applicableTheory, finiteBound } from './theory.ts';

export interface SwarmSummary {
  /** Leechers: every peer that came to download (free riders included). */
  readonly peers: number;
  readonly completed: number;
  /** Download times (completion minus arrival) of the leechers that completed, in virtual seconds. */
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly max: number | null;
  /** When the last leecher completed, in virtual seconds since the start. */
  readonly lastCompletion: number | null;
  /** The Kumar-Ross bound of the peers drawn, seconds; null when no finite bound exists. */
  readonly kumarRossBound: number | null;
  /**
   * lastCompletion / kumarRossBound (1 would be a perfect schedule); null unless every contributor
   * completed and the bound applies (not for Poisson arrivals, read against Qiu-Srikant instead).
   */
  readonly boundRatio: number | null;
  /** Bytes uploaded over upload capacity times time present, over every peer that may upload. */
  readonly uploadUtilisation: number;
  /** Share ratios (uploaded / downloaded) of the contributing leechers. */
  readonly shareRatio: {
    readonly p10: number | null;
    readonly p50: number | null;
    readonly p90: number | null;
  };
  /** Jain's index of those share ratios: 1 when everyone gave back in proportion to what it took. */
  readonly jain: number | null;
  /** Mean download time of contributors and of free riders (null when there are none). */
  readonly meanDownload: { readonly contributors: number | null; readonly freeRiders: number | null };
  readonly stopReason: StopReason;
  readonly endedAtS: number;
}

export function summarizeSwarm(run: SwarmRun, bound: KumarRossBound = runBound(run)): SwarmSummary {
  const leechers = run.peers.filter((peer) => peer.role === 'leecher');
  const done = leechers.filter((peer) => peer.completedS !== null);
  const times = done.map(downloadTime);
  const lastCompletion = done.length === 0 ? null : maxOf(done.map((peer) => peer.completedS as number));
  const contributors = leechers.filter((peer) => !peer.freeRider && peer.bytesDown > 0);
  const contributorsDone = leechers.every((peer) => peer.freeRider || peer.completedS !== null);
  const ratios = contributors.map((peer) => peer.bytesUp / peer.bytesDown);
  const boundS = finiteBound(bound);
  const theory = applicableTheory(run.scenario, bound).kind;
  const ratioApplies = boundS !== null && (theory === 'kumar-ross' || theory === 'yardstick');
  return {
    peers: leechers.length,
    completed: done.length,
    p10: percentile(times, 10),
    p50: percentile(times, 50),
    p90: percentile(times, 90),
    max: percentile(times, 100),
    lastCompletion,
    kumarRossBound: boundS,
    // Against the bound only when every contributor finished: otherwise the last completion is not the swarm's.
    boundRatio:
      lastCompletion === null || !contributorsDone || !ratioApplies
        ? null
        : lastCompletion / (boundS as number),
    uploadUtilisation: uploadUtilisation(run),
    shareRatio: { p10: percentile(ratios, 10), p50: percentile(ratios, 50), p90: percentile(ratios, 90) },
    jain: jainIndex(ratios),
    meanDownload: {
      contributors: mean(done.filter((peer) => !peer.freeRider).map(downloadTime)),
      freeRiders: mean(done.filter((peer) => peer.freeRider).map(downloadTime)),
    },
    stopReason: run.stopReason,
    endedAtS: run.endedAtS,
  };
}

/** The Kumar-Ross bound of the peers a run drew. */
export function runBound(run: SwarmRun): KumarRossBound {
  return kumarRossBound(run.peers, run.scenario.file.sizeBytes);
}

function downloadTime(peer: PeerRecord): number {
  return (peer.completedS as number) - peer.arrivalS;
}

function uploadUtilisation(run: SwarmRun): number {
  let used = 0;
  let capacity = 0;
  for (const peer of run.peers) {
    if (peer.freeRider || peer.uploadBps <= 0 || peer.arrivalS > run.endedAtS) continue;
    used += peer.bytesUp;
    capacity += peer.uploadBps * ((peer.leftS ?? run.endedAtS) - peer.arrivalS);
  }
  return capacity === 0 ? 0 : Math.min(1, used / capacity);
}

/** Why the run stopped, as a clause: "… stopped at 812.0 s because <this>". */
export function describeStop(summary: SwarmSummary): string {
  switch (summary.stopReason) {
    case 'all-done':
      return summary.completed === summary.peers
        ? 'every peer completed'
        : 'every contributing peer completed';
    case 'time':
      return 'the stop time was reached';
    case 'stalled':
      return 'the swarm stalled (no transfer possible: no peer present held a piece another lacked)';
  }
}
