// What a simulated swarm run gives back: every peer's story, the time series, and how it ended.
import type { SwarmScenario } from '../scenario/scenario.ts';

export interface PeerRecord {
  readonly id: number;
  readonly group: string;
  readonly role: 'seed' | 'leecher';
  readonly freeRider: boolean;
  readonly uploadBps: number;
  readonly downloadBps: number;
  readonly arrivalS: number;
  /** When it held the whole file (null: never, within the run). */
  readonly completedS: number | null;
  /** When it left (null: still there at the end). */
  readonly leftS: number | null;
  readonly bytesUp: number;
  readonly bytesDown: number;
}

/** Sampled every `scenario.sampleEveryS` virtual seconds. */
export interface SwarmSeries {
  readonly timeS: number[];
  readonly leechers: number[];
  readonly seeds: number[];
  /** Mean pieces held by the leechers present. */
  readonly meanPieces: number[];
  /** The fewest copies of any piece among the peers present (0: a piece is lost for now). */
  readonly minAvailability: number[];
  /** Sum of the rates of every transfer under way, bytes per second. */
  readonly uploadBps: number[];
  /** Copies of each piece among the peers present, one array (indexed by piece) per sample. */
  readonly pieceCopies: number[][];
}

export type StopReason = 'all-done' | 'time' | 'stalled';

export interface SwarmRun {
  readonly scenario: SwarmScenario;
  readonly seed: number;
  readonly pieces: number;
  readonly peers: readonly PeerRecord[];
  readonly series: SwarmSeries;
  readonly endedAtS: number;
  readonly stopReason: StopReason;
  readonly events: number;
  readonly wallMs: number;
}

export interface SwarmProgress {
  readonly timeS: number;
  /** Contributing leechers done, of `total`. */
  readonly completed: number;
  readonly total: number;
  /** Bytes of pieces delivered to leechers so far, of the `wantedBytes` they need (a whole file each). */
  readonly deliveredBytes: number;
  readonly wantedBytes: number;
}
