// Qiu and Srikant's fluid model of a swarm in steady state (SIGCOMM 2004): peers arrive as a Poisson
// process, upload at u, download at d, and stay 1/gamma after completing. With no aborts, Little's law
// on the model's fixed point gives the mean download time
//   T = max( F / d,  (1 / eta) (F / u - 1 / gamma) )
// independent of the arrival rate; eta (how well leechers trade) is close to 1 with many pieces.
// Initial seeds are left out, as in the model: in steady state they are a small share of the upload.

import { meanOf } from '../scenario/distributions.ts';
import type { SwarmScenario } from '../scenario/scenario.ts';

export interface QiuSrikantEstimate {
  /** Predicted mean download time, seconds. */
  readonly meanDownloadS: number;
  /** Which side limits: the download links, or the upload the swarm has. */
  readonly limit: 'download' | 'upload';
  readonly fileBytes: number;
  /** Mean upload of an arriving peer (free riders count as 0), bytes per second. */
  readonly uploadBps: number;
  readonly downloadBps: number;
  /** Mean time a peer stays after completing, seconds (Infinity: for ever). */
  readonly stayS: number;
  readonly eta: number;
}

/** The estimate for a scenario whose peers all arrive as Poisson processes, else null. */
export function qiuSrikantEstimate(scenario: SwarmScenario, eta = 1): QiuSrikantEstimate | null {
  const groups = scenario.peers.filter((group) => group.count > 0);
  if (groups.length === 0 || groups.some((group) => group.arrival.kind !== 'poisson')) return null;
  const total = groups.reduce((sum, group) => sum + group.count, 0);
  const weighted = (pick: (group: (typeof groups)[number]) => number) =>
    groups.reduce((sum, group) => sum + (group.count / total) * pick(group), 0);
  const uploadBps = weighted((group) => (1 - group.freeRiders) * meanOf(group.uploadBps));
  const downloadBps = weighted((group) => meanOf(group.downloadBps));
  const stayS = weighted((group) =>
    group.afterDone.kind === 'leave' ? 0 : group.afterDone.kind === 'stay' ? group.afterDone.forS : Infinity,
  );
  const fileBytes = scenario.file.sizeBytes;
  const downloadTermS = fileBytes / downloadBps;
  const uploadTermS = uploadBps > 0 ? (fileBytes / uploadBps - stayS) / eta : Infinity;
  return {
    meanDownloadS: Math.max(downloadTermS, uploadTermS),
    limit: uploadTermS > downloadTermS ? 'upload' : 'download',
    fileBytes,
    uploadBps,
    downloadBps,
    stayS,
    eta,
  };
}
