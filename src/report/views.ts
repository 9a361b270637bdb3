// Data of the report's closer views: piece availability as a heat map (pieces x time), each peer's
// timeline, completion CDFs per kind of peer, the share-ratio histogram, and a classic run's file
// completions per client. Pure functions of results files.
import type { ClassicResults } from '../results/classic.ts';
import type { SwarmResults } from '../results/swarm.ts';

export interface Heat {
  /** Start time of each column, seconds. */
  readonly timeS: number[];
  /** The piece range each row covers: [first, last]. */
  readonly pieceRanges: [number, number][];
  /** cells[row][col]: the fewest copies of any piece of the row over the samples of the column. */
  readonly cells: number[][];
  readonly maxCopies: number;
}

/**
 * Piece availability over time, bucketed to at most `maxRows` x `maxCols` cells; each cell keeps the
 * minimum of its bucket, because the rare piece is the one that matters.
 */
export function availabilityHeat(run: SwarmResults, maxRows = 160, maxCols = 200): Heat {
  const samples = run.series.pieceCopies ?? [];
  const pieces = run.pieces;
  const cols = Math.min(samples.length, maxCols);
  const rows = Math.min(pieces, maxRows);
  const colOf = (i: number) => Math.floor((i * cols) / Math.max(samples.length, 1));
  const rowOf = (p: number) => Math.floor((p * rows) / Math.max(pieces, 1));
  const cells = Array.from({ length: rows }, () => new Array<number>(cols).fill(Number.POSITIVE_INFINITY));
  samples.forEach((copies, i) => {
    const col = colOf(i);
    copies.forEach((count, piece) => {
      const row = cells[rowOf(piece)] as number[];
      row[col] = Math.min(row[col] as number, count);
    });
  });
  // Each column starts at its first sample.
  const timeS = Array.from(
    { length: cols },
    (_, col) => run.series.timeS[Math.ceil((col * samples.length) / cols)] ?? 0,
  );
  let maxCopies = 0;
  for (const row of cells) {
    for (const [col, value] of row.entries()) {
      if (!Number.isFinite(value)) row[col] = 0;
      else maxCopies = Math.max(maxCopies, value);
    }
  }
  const pieceRanges = Array.from({ length: rows }, (_, row): [number, number] => [
    Math.ceil((row * pieces) / rows),
    Math.ceil(((row + 1) * pieces) / rows) - 1,
  ]);
  return { timeS, pieceRanges, cells, maxCopies };
}

export interface Timeline {
  readonly id: number;
  readonly arrivalS: number;
  /** Completion, or null if the peer never completed. */
  readonly doneS: number | null;
  /** Departure, or the end of the run. */
  readonly goneS: number;
  readonly left: boolean;
  readonly freeRider: boolean;
}

/** Each leecher's arrival, completion and departure, by arrival; at most `max` peers, evenly chosen. */
export function peerTimelines(run: SwarmResults, max = 300): Timeline[] {
  const leechers = run.peers
    .filter((peer) => peer.role === 'leecher')
    .sort((a, b) => a.arrivalS - b.arrivalS || a.id - b.id);
  const step = Math.max(1, leechers.length / max);
  const chosen = Array.from(
    { length: Math.min(max, leechers.length) },
    (_, i) => leechers[Math.floor(i * step)],
  );
  return chosen.flatMap((peer) =>
    peer === undefined
      ? []
      : [
          {
            id: peer.id,
            arrivalS: peer.arrivalS,
            doneS: peer.completedS,
            goneS: peer.leftS ?? run.summary.endedAtS,
            left: peer.leftS !== null,
            freeRider: peer.freeRider,
          },
        ],
  );
}

/** Download-time CDFs of each kind of leecher (its group, free riders apart), over the runs given. */
export function cdfByKind(runs: readonly SwarmResults[]): { kind: string; x: number[]; y: number[] }[] {
  const kinds = new Map<string, { times: number[]; count: number }>();
  for (const run of runs) {
    for (const peer of run.peers) {
      if (peer.role !== 'leecher') continue;
      const kind = peer.freeRider ? `${peer.group} (free riders)` : peer.group;
      const entry = kinds.get(kind) ?? { times: [], count: 0 };
      entry.count++;
      if (peer.completedS !== null) entry.times.push(peer.completedS - peer.arrivalS);
      kinds.set(kind, entry);
    }
  }
  // Groups in the order of their names, each group's free riders after it.
  const ordered = [...kinds].sort(([a], [b]) => a.localeCompare(b));
  return ordered.map(([kind, { times, count }]) => {
    const sorted = times.sort((a, b) => a - b);
    return { kind, x: sorted, y: sorted.map((_, i) => (i + 1) / count) };
  });
}

/** How many contributing leechers gave back each share of what they took, in bins of 0.1 up to 3. */
export function shareRatioHistogram(runs: readonly SwarmResults[]): { edges: number[]; counts: number[] } {
  const width = 0.1;
  const last = 30;
  const counts = new Array<number>(last + 1).fill(0);
  for (const run of runs) {
    for (const peer of run.peers) {
      if (peer.role !== 'leecher' || peer.freeRider || peer.bytesDown <= 0) continue;
      const bin = Math.min(last, Math.floor(peer.bytesUp / peer.bytesDown / width));
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
  }
  const used = counts.reduce((top, count, bin) => (count > 0 ? bin : top), 0) + 1;
  return { edges: Array.from({ length: used }, (_, bin) => bin * width), counts: counts.slice(0, used) };
}

/** Classic runs: when each client completed each wanted file, on the run's clock. */
export function fileCompletions(results: ClassicResults): {
  unit: string;
  points: { rank: number; file: string; at: number }[];
} {
  return {
    unit: results.clock === 'virtual-s' ? 's' : 'ms',
    points: results.outputs.map((output) => ({
      rank: output.rank,
      file: output.file,
      at: output.completedAt,
    })),
  };
}
