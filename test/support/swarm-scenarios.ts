// Small swarm scenarios built in code, for simulator tests that must not depend on the file reader.
import type { PeerGroup, SwarmScenario } from '../../src/bittorrent/scenario/scenario.ts';

export const MBIT = 125_000;

export function flashCrowd(overrides: {
  peers?: number;
  fileBytes?: number;
  pieceBytes?: number;
  seedUploadBps?: number;
  peerUploadBps?: number;
  peerDownloadBps?: number;
  pieces?: SwarmScenario['strategy']['pieces'];
  peerStrategy?: SwarmScenario['strategy']['peers'];
  freeRiders?: number;
  seedLeaveAtS?: number | null;
  afterDone?: PeerGroup['afterDone'];
  stopAtS?: number | null;
}): SwarmScenario {
  return {
    name: 'test',
    description: '',
    file: {
      sizeBytes: overrides.fileBytes ?? 8_000_000,
      pieceBytes: overrides.pieceBytes ?? 256 * 1024,
      blockBytes: 16384,
    },
    seeds: {
      count: 1,
      uploadBps: { kind: 'fixed', value: overrides.seedUploadBps ?? 4 * MBIT },
      leaveAtS: overrides.seedLeaveAtS ?? null,
    },
    peers: [
      {
        name: 'leechers',
        count: overrides.peers ?? 20,
        uploadBps: { kind: 'fixed', value: overrides.peerUploadBps ?? 1 * MBIT },
        downloadBps: { kind: 'fixed', value: overrides.peerDownloadBps ?? 8 * MBIT },
        arrival: { kind: 'flash' },
        afterDone: overrides.afterDone ?? { kind: 'forever' },
        freeRiders: overrides.freeRiders ?? 0,
      },
    ],
    network: { latencyS: { kind: 'fixed', value: 0.05 } },
    tracker: { peersPerRequest: 50, reannounceS: 1800 },
    strategy: {
      pieces: overrides.pieces ?? 'rarest-first',
      randomFirstPieces: 4,
      endgame: true,
      peers: overrides.peerStrategy ?? 'tit-for-tat',
      maxConnections: 80,
      requestsInFlight: 5,
    },
    stop: {
      whenAllDone: overrides.stopAtS === undefined || overrides.stopAtS === null,
      atS: overrides.stopAtS ?? null,
    },
    sampleEveryS: 10,
  };
}
