// What each report chart draws, computed from results files alone (so a results file is enough to
// redraw every chart later). Pure functions: the HTML report (issue 4) only lays these out.
import type { ClassicResults } from '../results/classic.ts';
import type { SwarmResults } from '../results/swarm.ts';

export interface XY {
  readonly x: number[];
  readonly y: number[];
}

/** Classic runs: segments served and downloaded, per client. */
export function servedAndDownloaded(results: ClassicResults): {
  labels: string[];
  served: number[];
  downloaded: number[];
} {
  return {
    labels: results.clients.map((client) => `client ${client.rank}`),
    served: results.clients.map((client) => client.served),
    downloaded: results.clients.map((client) => client.downloaded),
  };
}

/**
 * Several classic runs: one bar pair per client of any run, each run's counts aligned to those clients
 * (null where a run has no such client), so that runs of different sizes are drawn whole.
 */
export function servedAndDownloadedOfRuns(runs: readonly ClassicResults[]): {
  labels: string[];
  runs: { served: (number | null)[]; downloaded: (number | null)[] }[];
} {
  const ranks = [...new Set(runs.flatMap((r) => r.clients.map((client) => client.rank)))].sort(
    (a, b) => a - b,
  );
  return {
    labels: ranks.map((rank) => `client ${rank}`),
    runs: runs.map((r) => {
      const byRank = new Map(r.clients.map((client) => [client.rank, client]));
      return {
        served: ranks.map((rank) => byRank.get(rank)?.served ?? null),
        downloaded: ranks.map((rank) => byRank.get(rank)?.downloaded ?? null),
      };
    }),
  };
}

/** Classic runs: matrix[to - 1][from - 1] = segments client `to` downloaded from client `from`. */
export function transferMatrix(results: ClassicResults): number[][] {
  const n = results.clients.length;
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const { from, to, segments } of results.transfers) {
    const row = matrix[to - 1];
    if (row !== undefined && from >= 1 && from <= n) row[from - 1] = (row[from - 1] ?? 0) + segments;
  }
  return matrix;
}

/** Simulated runs: the fraction of leechers done within each download time (a step CDF). */
export function completionCdf(results: SwarmResults): XY {
  const times = results.peers
    .filter((peer) => peer.role === 'leecher' && peer.completedS !== null)
    .map((peer) => (peer.completedS as number) - peer.arrivalS)
    .sort((a, b) => a - b);
  const leechers = results.peers.filter((peer) => peer.role === 'leecher').length;
  return { x: times, y: times.map((_, i) => (i + 1) / Math.max(leechers, 1)) };
}

/** Simulated runs: leechers and seeds present over time. */
export function population(results: SwarmResults): { x: number[]; leechers: number[]; seeds: number[] } {
  const { timeS, leechers, seeds } = results.series;
  return { x: [...timeS], leechers: [...leechers], seeds: [...seeds] };
}

/**
 * Simulated runs: aggregate upload rate against the swarm's capacity, both in bytes per second. The
 * capacity at a time is the upload capacity of every peer present that may upload (free riders do not).
 */
export function uploadAgainstCapacity(results: SwarmResults): {
  x: number[];
  rate: number[];
  capacity: number[];
} {
  const { timeS, uploadBps } = results.series;
  const capacity = timeS.map((t) =>
    results.peers.reduce((total, peer) => {
      const present = peer.arrivalS <= t && (peer.leftS === null || peer.leftS > t);
      return present && !peer.freeRider ? total + peer.uploadBps : total;
    }, 0),
  );
  return { x: [...timeS], rate: [...uploadBps], capacity };
}

/**
 * Simulated runs: minimum and mean piece availability over time. The mean follows from the series:
 * every seed holds every piece, and the leechers hold `meanPieces` each on average.
 */
export function availability(results: SwarmResults): { x: number[]; min: number[]; mean: number[] } {
  const { timeS, minAvailability, leechers, seeds, meanPieces } = results.series;
  const pieces = results.pieces;
  const mean = timeS.map(
    (_, i) => ((leechers[i] ?? 0) * (meanPieces[i] ?? 0) + (seeds[i] ?? 0) * pieces) / Math.max(pieces, 1),
  );
  return { x: [...timeS], min: [...minAvailability], mean };
}

/** Simulated runs: each peer's bytes uploaded against bytes downloaded. */
export function uploadDownloadScatter(results: SwarmResults): {
  up: number[];
  down: number[];
  freeRider: boolean[];
} {
  const peers = results.peers.filter((peer) => peer.role === 'leecher');
  return {
    up: peers.map((peer) => peer.bytesUp),
    down: peers.map((peer) => peer.bytesDown),
    freeRider: peers.map((peer) => peer.freeRider),
  };
}

/**
 * Several runs: a legend label for each, naming only what differs between them (scenario fields and
 * the seed), such as `strategy.pieces=random`. Runs that differ in nothing are numbered.
 */
export function runLabels(runs: readonly { readonly scenario: unknown; readonly seed: number }[]): string[] {
  const flat = runs.map((run) => flatten({ ...(run.scenario as object), seed: run.seed }));
  const keys = [...new Set(flat.flatMap((fields) => [...fields.keys()]))].sort();
  const differing = keys.filter((key) => new Set(flat.map((fields) => fields.get(key))).size > 1);
  return flat.map((fields, i) =>
    differing.length === 0
      ? `run ${i + 1}`
      : differing.map((key) => `${key}=${fields.get(key) ?? '-'}`).join(', '),
  );
}

function flatten(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      flatten(
        inner,
        prefix === '' ? key : Array.isArray(value) ? `${prefix}[${key}]` : `${prefix}.${key}`,
        into,
      );
    }
  } else {
    into.set(prefix, String(value));
  }
  return into;
}
