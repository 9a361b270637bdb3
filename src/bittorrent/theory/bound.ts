// The Kumar-Ross lower bound on the time for every peer of a flash crowd to get the file:
//   T_min = max( F / u_s,  F / d_min,  N F / (u_s + sum of u_i) )
// F the file size, u_s the seeds' upload capacity, d_min the slowest download capacity among the N
// peers that must complete, u_i their uploads. No schedule can beat it: the seeds must send every bit
// once, the slowest peer must receive every bit, and the swarm must deliver N F bits with at most
// u_s + sum u_i of upload. It holds for the peers actually drawn (a distribution's mean or minimum
// is not what a run gets), with free riders out of N: they need not complete and upload nothing.
// With seeds that upload nothing there is no finite bound; with no peer that must complete, none at all.
// For arrivals spread in time it is the bound of the same peers arriving together, a yardstick.

import { meanOf, minimumOf } from '../scenario/distributions.ts';
import type { SwarmScenario } from '../scenario/scenario.ts';

/** What the bound needs to know of a peer drawn for a run. */
export interface BoundPeer {
  readonly role: 'seed' | 'leecher';
  readonly freeRider: boolean;
  readonly uploadBps: number;
  readonly downloadBps: number;
}

export interface KumarRossBound {
  /** Seconds; Infinity when no finite bound exists (`binding` says why). */
  readonly boundS: number;
  /**
   * Which term binds: the seeds, the slowest downloader, the swarm's total upload; `no-contributors`
   * when no peer must complete (every leecher rides free), so that there is nothing to bound.
   */
  readonly binding: 'seed-upload' | 'slowest-download' | 'swarm-upload' | 'no-contributors';
  readonly seedTermS: number;
  readonly downloadTermS: number;
  readonly swarmTermS: number;
  readonly fileBytes: number;
  /** N: the peers that must complete (leechers that are not free riders). */
  readonly peers: number;
  /** Leechers left out of N because they ride free. */
  readonly freeRiders: number;
  readonly seedUploadBps: number;
  /** Sum of the upload capacities of the N peers. */
  readonly peerUploadBps: number;
  readonly minDownloadBps: number;
}

/** The bound for the peers drawn for a run (its peer records, or its plans). */
export function kumarRossBound(drawn: readonly BoundPeer[], fileBytes: number): KumarRossBound {
  let seedUploadBps = 0;
  let peers = 0;
  let freeRiders = 0;
  let peerUploadBps = 0;
  let minDownloadBps = Number.POSITIVE_INFINITY;
  for (const peer of drawn) {
    if (peer.role === 'seed') seedUploadBps += peer.uploadBps;
    else if (peer.freeRider) freeRiders++;
    else {
      peers++;
      peerUploadBps += peer.uploadBps;
      minDownloadBps = Math.min(minDownloadBps, peer.downloadBps);
    }
  }
  const seedTermS = seedUploadBps > 0 ? fileBytes / seedUploadBps : Number.POSITIVE_INFINITY;
  const downloadTermS = peers === 0 ? 0 : fileBytes / minDownloadBps;
  const swarmTermS = peers === 0 ? 0 : (peers * fileBytes) / (seedUploadBps + peerUploadBps);
  const boundS = peers === 0 ? Number.POSITIVE_INFINITY : Math.max(seedTermS, downloadTermS, swarmTermS);
  const binding =
    peers === 0
      ? 'no-contributors'
      : boundS === seedTermS
        ? 'seed-upload'
        : boundS === downloadTermS
          ? 'slowest-download'
          : 'swarm-upload';
  return {
    boundS,
    binding,
    seedTermS,
    downloadTermS,
    swarmTermS,
    fileBytes,
    peers,
    freeRiders,
    seedUploadBps,
    peerUploadBps,
    minDownloadBps,
  };
}

/**
 * A rough figure from the scenario's distributions (means and minima), before any peer is drawn: not
 * a bound (a `choice` or a truncated normal can put it well above what a run needs). Only for sizing
 * a run's least memory up front.
 */
export function kumarRossEstimateS(scenario: SwarmScenario): number {
  const fileBytes = scenario.file.sizeBytes;
  const seedUploadBps = scenario.seeds.count * meanOf(scenario.seeds.uploadBps);
  let peers = 0;
  let peerUploadBps = 0;
  let minDownloadBps = Number.POSITIVE_INFINITY;
  for (const group of scenario.peers) {
    if (group.count === 0) continue;
    const contributors = group.count - Math.round(group.count * group.freeRiders);
    peers += contributors;
    peerUploadBps += contributors * meanOf(group.uploadBps);
    minDownloadBps = Math.min(minDownloadBps, minimumOf(group.downloadBps));
  }
  if (peers === 0) return 0;
  const seedTermS = seedUploadBps > 0 ? fileBytes / seedUploadBps : 0;
  return Math.max(
    seedTermS,
    fileBytes / minDownloadBps,
    (peers * fileBytes) / (seedUploadBps + peerUploadBps),
  );
}
