// The Kumar-Ross lower bound on the time for every peer of a flash crowd to get the file:
//   T_min = max( F / u_s,  F / d_min,  N F / (u_s + sum of u_i) )
// F the file size, u_s the seeds' upload capacity, d_min the slowest download capacity, N the peers.
// No schedule can beat it: the seed must send every bit once, the slowest peer must receive every bit,
// and the swarm must deliver N F bits with at most u_s + sum u_i of upload. For arrivals spread in
// time it is the bound of the same peers arriving together, a yardstick rather than a bound.

import { meanOf, minimumOf } from '../scenario/distributions.ts';
import type { SwarmScenario } from '../scenario/scenario.ts';

export interface KumarRossBound {
  readonly boundS: number;
  /** Which term binds: the seed, the slowest downloader, or the swarm's total upload. */
  readonly binding: 'seed-upload' | 'slowest-download' | 'swarm-upload';
  readonly seedTermS: number;
  readonly downloadTermS: number;
  readonly swarmTermS: number;
  readonly fileBytes: number;
  readonly peers: number;
  readonly seedUploadBps: number;
  readonly peerUploadBps: number;
  readonly minDownloadBps: number;
}

export function kumarRossBound(scenario: SwarmScenario): KumarRossBound {
  const fileBytes = scenario.file.sizeBytes;
  const seedUploadBps = scenario.seeds.count * meanOf(scenario.seeds.uploadBps);
  let peers = 0;
  let peerUploadBps = 0;
  let minDownloadBps = Number.POSITIVE_INFINITY;
  for (const group of scenario.peers) {
    if (group.count === 0) continue;
    peers += group.count;
    const contributors = group.count - Math.round(group.count * group.freeRiders);
    peerUploadBps += contributors * meanOf(group.uploadBps);
    minDownloadBps = Math.min(minDownloadBps, minimumOf(group.downloadBps));
  }
  const seedTermS = seedUploadBps > 0 ? fileBytes / seedUploadBps : Number.POSITIVE_INFINITY;
  const downloadTermS = fileBytes / minDownloadBps;
  const swarmTermS = (peers * fileBytes) / (seedUploadBps + peerUploadBps);
  const boundS = Math.max(seedTermS, downloadTermS, swarmTermS);
  const binding =
    boundS === seedTermS ? 'seed-upload' : boundS === downloadTermS ? 'slowest-download' : 'swarm-upload';
  return {
    boundS,
    binding,
    seedTermS,
    downloadTermS,
    swarmTermS,
    fileBytes,
    peers,
    seedUploadBps,
    peerUploadBps,
    minDownloadBps,
  };
}
