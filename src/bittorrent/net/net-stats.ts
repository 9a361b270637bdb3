// What a live peer records for its results file: every connection's bytes each way, pieces, hash
// failures, and a time series sampled on the runtime's clock. Bounded: the series halves its resolution
// when it grows past `MAX_SAMPLES`, and only the last `MAX_CONNECTIONS` closed connections are kept.

const MAX_SAMPLES = 2000;
const MAX_CONNECTIONS = 10_000;

export interface ConnectionRecord {
  readonly address: string;
  readonly outbound: boolean;
  /** The remote's client, from its peer id (empty until its handshake came). */
  client: string;
  openedS: number;
  closedS: number | null;
  /** Why it closed: ours ("protocol: ...", "both-seeds") or theirs ("remote"). */
  closeReason: string | null;
  bytesUp: number;
  bytesDown: number;
}

export interface NetSeries {
  readonly timeS: number[];
  readonly bytesDown: number[];
  readonly bytesUp: number[];
  readonly pieces: number[];
  readonly connections: number[];
}

export interface NetStats {
  readonly pieceCount: number;
  readonly piecesAtStart: number;
  pieces: number;
  completedS: number | null;
  hashFailures: number;
  /** Connections closed for breaking the protocol (bad bytes, wrong torrent, a peer that does not read). */
  protocolErrors: number;
  readonly bannedHosts: string[];
  readonly connections: ConnectionRecord[];
  readonly series: NetSeries;
  /** Seconds between samples: a quarter second at first (a download on a LAN takes seconds), doubled each time the series is thinned. */
  sampleEveryS: number;
}

export function newStats(pieceCount: number, piecesAtStart: number): NetStats {
  return {
    pieceCount,
    piecesAtStart,
    pieces: piecesAtStart,
    completedS: null,
    hashFailures: 0,
    protocolErrors: 0,
    bannedHosts: [],
    connections: [],
    series: { timeS: [], bytesDown: [], bytesUp: [], pieces: [], connections: [] },
    sampleEveryS: 0.25,
  };
}

export function addConnection(stats: NetStats, record: ConnectionRecord): void {
  stats.connections.push(record);
  if (stats.connections.length <= MAX_CONNECTIONS) return;
  const closed = stats.connections.findIndex((c) => c.closedS !== null);
  stats.connections.splice(Math.max(closed, 0), 1);
}

export function sample(
  stats: NetStats,
  timeS: number,
  bytesDown: number,
  bytesUp: number,
  connections: number,
): void {
  const s = stats.series;
  s.timeS.push(timeS);
  s.bytesDown.push(bytesDown);
  s.bytesUp.push(bytesUp);
  s.pieces.push(stats.pieces);
  s.connections.push(connections);
  if (s.timeS.length < MAX_SAMPLES) return;
  for (const column of [s.timeS, s.bytesDown, s.bytesUp, s.pieces, s.connections]) {
    let kept = 0;
    for (let i = 0; i < column.length; i += 2) column[kept++] = column[i] as number;
    column.length = kept;
  }
  stats.sampleEveryS *= 2;
}
