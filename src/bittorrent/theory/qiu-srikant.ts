// Qiu and Srikant's fluid model of a swarm in steady state (SIGCOMM 2004): peers arrive as a Poisson
// process at rate lambda, upload at u, download at d, and stay 1/gamma after completing. With c = d/F
// and mu = u/F (files a second), no aborts, and the initial seeds' upload s = u_s/F counted with the
// peers', the leechers x and seeds y settle where
//   min( c x,  mu (eta x + y) + s ) = lambda   and   y = lambda / gamma,
// so x = max( lambda / c,  (lambda / eta)(1/mu - 1/gamma) - s / (eta mu) ), and by Little's law the mean
// download time T = x / lambda: independent of the arrival rate when the seeds' share is small. eta
// (how well leechers trade) is close to 1 with many pieces. No steady state exists when the upload
// cannot keep up (free riders only, and seeds slower than the arrivals): then T is Infinity.

import { meanOf } from '../scenario/distributions.ts';
import type { SwarmScenario } from '../scenario/scenario.ts';

export interface QiuSrikantEstimate {
  /** Predicted mean download time, seconds (Infinity: no steady state, the leechers pile up). */
  readonly meanDownloadS: number;
  /** Predicted mean number of leechers in the swarm, x. */
  readonly meanLeechers: number;
  /** Which side limits: the download links, or the upload the swarm has. */
  readonly limit: 'download' | 'upload';
  readonly fileBytes: number;
  /** Peers arriving a second, all groups together. */
  readonly arrivalsPerS: number;
  /** Mean upload of an arriving peer (free riders count as 0), bytes per second. */
  readonly uploadBps: number;
  readonly downloadBps: number;
  /** Upload of the initial seeds that never leave, bytes per second (counted in the upload). */
  readonly seedUploadBps: number;
  /** Mean time a peer stays after completing, seconds (Infinity: for ever). */
  readonly stayS: number;
  readonly eta: number;
}

/** The estimate for a scenario whose peers all arrive as Poisson processes, else null. */
export function qiuSrikantEstimate(scenario: SwarmScenario, eta = 1): QiuSrikantEstimate | null {
  const groups = scenario.peers.filter((group) => group.count > 0);
  if (groups.length === 0) return null;
  let arrivalsPerS = 0;
  for (const group of groups) {
    if (group.arrival.kind !== 'poisson') return null;
    arrivalsPerS += group.arrival.ratePerS;
  }
  // Each group weighs by its share of the arrivals.
  const weighted = (pick: (group: (typeof groups)[number]) => number) =>
    groups.reduce(
      (sum, group) =>
        sum + ((group.arrival.kind === 'poisson' ? group.arrival.ratePerS : 0) / arrivalsPerS) * pick(group),
      0,
    );
  const uploadBps = weighted((group) => (1 - group.freeRiders) * meanOf(group.uploadBps));
  const downloadBps = weighted((group) => meanOf(group.downloadBps));
  const stayS = weighted((group) =>
    group.afterDone.kind === 'leave' ? 0 : group.afterDone.kind === 'stay' ? group.afterDone.forS : Infinity,
  );
  const seedUploadBps =
    scenario.seeds.leaveAtS === null ? scenario.seeds.count * meanOf(scenario.seeds.uploadBps) : 0;
  const fileBytes = scenario.file.sizeBytes;
  const lambda = arrivalsPerS;
  const c = downloadBps / fileBytes;
  const mu = uploadBps / fileBytes;
  const s = seedUploadBps / fileBytes;
  const downloadLeechers = lambda / c;
  const uploadLeechers = leechersAtUploadLimit(lambda, mu, s, stayS, eta);
  const meanLeechers = Math.max(downloadLeechers, uploadLeechers);
  return {
    meanDownloadS: meanLeechers / lambda,
    meanLeechers,
    limit: uploadLeechers > downloadLeechers ? 'upload' : 'download',
    fileBytes,
    arrivalsPerS,
    uploadBps,
    downloadBps,
    seedUploadBps,
    stayS,
    eta,
  };
}

/** Leechers x at which the upload (peers' and seeds') serves lambda files a second. */
function leechersAtUploadLimit(lambda: number, mu: number, s: number, stayS: number, eta: number): number {
  // Seeds that stay for ever pile up: their upload grows without bound, and never limits.
  if (!Number.isFinite(stayS)) return Number.NEGATIVE_INFINITY;
  if (mu === 0) return s >= lambda ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return (lambda / eta) * (1 / mu - stayS) - s / (eta * mu);
}
