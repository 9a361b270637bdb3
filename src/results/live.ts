// The results of a live run (`swarmlab get` or `seed` with `--json`), in the simulator's results format,
// so that `swarmlab report` draws a live run and a simulated one of the same swarm on one page. This
// peer is peer 0; every connection it had is a peer after it (group "remote"). The scenario is the one
// that describes what happened (the file, the rates measured), and `live` keeps what only a live run has:
// bytes each way per connection, why each closed, hash failures, protocol errors, bans.
import type { ConnectionRecord, NetStats } from '../bittorrent/net/net-stats.ts';
import type { SwarmScenario } from '../bittorrent/scenario/scenario.ts';
import type { PeerRecord, SwarmRun, SwarmSeries } from '../bittorrent/sim/run-types.ts';
import { type SwarmResults, toSwarmResults } from './swarm.ts';
import { runBound, summarizeSwarm } from './swarm-summary.ts';

export interface LiveRunMeta {
  /** The torrent file. */
  readonly source: string;
  readonly name: string;
  readonly totalLength: number;
  readonly pieceLength: number;
  /** What this peer was: a seed (`seed`), or a leecher (`get`). */
  readonly role: 'seed' | 'leecher';
  readonly endedS: number;
  readonly wallMs: number;
  readonly swarmlab: string;
  readonly createdAt: Date;
}

export type LiveResults = SwarmResults & {
  readonly runtime: 'net';
  readonly live: {
    readonly hashFailures: number;
    readonly protocolErrors: number;
    readonly bannedHosts: readonly string[];
    readonly piecesAtStart: number;
    readonly connections: readonly ConnectionRecord[];
    readonly bytesSeries: NetStats['series'];
  };
};

export function toLiveResults(stats: NetStats, meta: LiveRunMeta): LiveResults {
  const self = selfRecord(stats, meta);
  const remotes = stats.connections.map((c, i) => remoteRecord(c, i + 1, meta));
  const scenario = liveScenario(stats, meta, self, remotes.length);
  const run: SwarmRun = {
    scenario,
    seed: 0,
    pieces: stats.pieceCount,
    peers: [self, ...remotes],
    series: liveSeries(stats, meta),
    endedAtS: meta.endedS,
    stopReason: meta.role === 'seed' || stats.completedS !== null ? 'all-done' : 'time',
    events: stats.series.timeS.length,
    wallMs: meta.wallMs,
  };
  const bound = runBound(run);
  const results = toSwarmResults(run, summarizeSwarm(run, bound), bound, {
    source: meta.source,
    swarmlab: meta.swarmlab,
    createdAt: meta.createdAt,
  });
  return {
    ...results,
    runtime: 'net',
    live: {
      hashFailures: stats.hashFailures,
      protocolErrors: stats.protocolErrors,
      bannedHosts: [...stats.bannedHosts],
      piecesAtStart: stats.piecesAtStart,
      connections: stats.connections,
      bytesSeries: stats.series,
    },
  };
}

function selfRecord(stats: NetStats, meta: LiveRunMeta): PeerRecord {
  const last = stats.series.timeS.length - 1;
  const bytesUp = stats.series.bytesUp[last] ?? 0;
  const bytesDown = stats.series.bytesDown[last] ?? 0;
  const activeS = Math.max(meta.endedS, 1e-3);
  const downloadS = Math.max(stats.completedS ?? meta.endedS, 1e-3);
  return {
    id: 0,
    group: meta.role === 'seed' ? 'this seed' : 'this peer',
    role: meta.role,
    freeRider: false,
    uploadBps: bytesUp / activeS,
    downloadBps: bytesDown / downloadS,
    arrivalS: 0,
    completedS: meta.role === 'seed' ? 0 : stats.completedS,
    leftS: meta.endedS,
    bytesUp,
    bytesDown,
  };
}

function remoteRecord(c: ConnectionRecord, id: number, meta: LiveRunMeta): PeerRecord {
  const presentS = Math.max((c.closedS ?? meta.endedS) - c.openedS, 1e-3);
  return {
    id,
    group: 'remote',
    // A leecher's remotes served it; a seed's remotes came to download.
    role: meta.role === 'leecher' ? 'seed' : 'leecher',
    freeRider: false,
    // What moved between us, as the remote's rates: it uploaded what we downloaded.
    uploadBps: c.bytesDown / presentS,
    downloadBps: c.bytesUp / presentS,
    arrivalS: c.openedS,
    completedS: null,
    leftS: c.closedS,
    bytesUp: c.bytesDown,
    bytesDown: c.bytesUp,
  };
}

function liveScenario(stats: NetStats, meta: LiveRunMeta, self: PeerRecord, remotes: number): SwarmScenario {
  const fixed = (value: number) => ({ kind: 'fixed', value: Math.max(value, 1) }) as const;
  const seedUploadBps = meta.role === 'leecher' ? self.downloadBps : self.uploadBps;
  return {
    name: `${meta.name} (live)`,
    description: `a live ${meta.role === 'seed' ? 'seed' : 'download'} of ${meta.name} with ${remotes} connection${remotes === 1 ? '' : 's'}, measured by swarmlab's net runtime`,
    file: { sizeBytes: meta.totalLength, pieceBytes: meta.pieceLength, blockBytes: 16 * 1024 },
    seeds: { count: 1, uploadBps: fixed(seedUploadBps), leaveAtS: null },
    peers: [
      {
        name: meta.role === 'seed' ? 'remote' : 'this peer',
        count: meta.role === 'seed' ? remotes : 1,
        uploadBps: fixed(meta.role === 'seed' ? 1 : self.uploadBps),
        downloadBps: fixed(meta.role === 'seed' ? self.uploadBps : self.downloadBps),
        arrival: { kind: 'flash' },
        afterDone: { kind: 'leave' },
        freeRiders: 0,
      },
    ],
    network: { latencyS: { kind: 'fixed', value: 0 } },
    tracker: { peersPerRequest: 50, reannounceS: 1800 },
    strategy: {
      pieces: 'rarest-first',
      randomFirstPieces: 0,
      endgame: true,
      peers: 'tit-for-tat',
      maxConnections: 80,
      requestsInFlight: 64,
    },
    stop: { whenAllDone: true, atS: null },
    sampleEveryS: stats.sampleEveryS,
  };
}

function liveSeries(stats: NetStats, meta: LiveRunMeta): SwarmSeries {
  const s = stats.series;
  const done = (i: number) => (s.pieces[i] ?? 0) === stats.pieceCount;
  return {
    timeS: [...s.timeS],
    leechers: s.timeS.map((_, i) => (meta.role === 'leecher' && !done(i) ? 1 : 0)),
    seeds: s.timeS.map((_, i) => (meta.role === 'seed' || done(i) ? 1 : 0)),
    // NaN (null in JSON): no leecher present.
    meanPieces: s.timeS.map((_, i) => (meta.role === 'leecher' ? (s.pieces[i] ?? 0) : Number.NaN)),
    minAvailability: s.timeS.map(() => Number.NaN),
    uploadBps: s.timeS.map((t, i) => {
      if (i === 0) return 0;
      const dt = t - (s.timeS[i - 1] as number);
      const moved = meta.role === 'leecher' ? s.bytesDown : s.bytesUp;
      return dt > 0 ? ((moved[i] as number) - (moved[i - 1] as number)) / dt : 0;
    }),
    pieceCopies: [],
  };
}
