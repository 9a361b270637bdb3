// A swarm scenario for the simulator, after validation: every unit converted (bytes, bytes per second,
// seconds), every default filled in. Scenario files (YAML or JSON) are read into this by
// formats/scenario-file.ts; the simulator and the analytic bound read only this.

/** A quantity drawn once per peer (capacities) or per use (latency), from the run's seeded Rng. */
export type Distribution =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'exponential'; readonly mean: number }
  /** Normal, truncated below at `min` (redrawn until at least `min`). */
  | { readonly kind: 'normal'; readonly mean: number; readonly sd: number; readonly min: number }
  /** One of `values`, with probability proportional to `weights` (equal when all weights are 1). */
  | { readonly kind: 'choice'; readonly values: readonly number[]; readonly weights: readonly number[] };

export type Arrival =
  /** Everyone at t = 0: a flash crowd. */
  | { readonly kind: 'flash' }
  /** A Poisson process: exponential gaps with mean 1 / ratePerS, starting at t = 0. */
  | { readonly kind: 'poisson'; readonly ratePerS: number }
  /** Explicit arrival times; as many as the group's count (validated). */
  | { readonly kind: 'times'; readonly atS: readonly number[] };

export type AfterDone =
  | { readonly kind: 'leave' }
  | { readonly kind: 'stay'; readonly forS: number }
  | { readonly kind: 'forever' };

export interface PeerGroup {
  readonly name: string;
  readonly count: number;
  readonly uploadBps: Distribution;
  readonly downloadBps: Distribution;
  readonly arrival: Arrival;
  readonly afterDone: AfterDone;
  /** Fraction (0..1) of the group that uploads nothing. */
  readonly freeRiders: number;
}

export type PieceStrategy = 'sequential' | 'random' | 'rarest-first';
export type PeerStrategy = 'random' | 'least-loaded' | 'tit-for-tat';

export interface SwarmScenario {
  readonly name: string;
  readonly description: string;
  readonly file: {
    readonly sizeBytes: number;
    readonly pieceBytes: number;
    /** Requests ask for blocks of this size (16 KiB in BitTorrent). */
    readonly blockBytes: number;
  };
  readonly seeds: {
    readonly count: number;
    readonly uploadBps: Distribution;
    /** When the initial seeds leave, or null if they never do. */
    readonly leaveAtS: number | null;
  };
  readonly peers: readonly PeerGroup[];
  readonly network: {
    /** One-way latency of every message. */
    readonly latencyS: Distribution;
  };
  readonly tracker: {
    readonly peersPerRequest: number;
    readonly reannounceS: number;
  };
  readonly strategy: {
    readonly pieces: PieceStrategy;
    /** Rarest-first starts with this many pieces chosen at random, to get something to trade quickly. */
    readonly randomFirstPieces: number;
    readonly endgame: boolean;
    readonly peers: PeerStrategy;
    readonly maxConnections: number;
    readonly requestsInFlight: number;
  };
  readonly stop: {
    /** Stop once every peer that is not a free rider has completed. */
    readonly whenAllDone: boolean;
    /** Stop at this virtual time whatever happens, or null. */
    readonly atS: number | null;
  };
  /** Time-series sampling interval of the results. */
  readonly sampleEveryS: number;
}
