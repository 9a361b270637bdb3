// What every runtime takes and gives back, so that the CLI, the reports and the tests treat
// `sim` and `threads` (and later `net`) alike.

import type { ClientStats } from '../protocol/counters.ts';
import type { Message, Rank } from '../protocol/messages.ts';
import type { PeerStrategyName } from '../protocol/strategies/index.ts';

export type RuntimeName = 'sim' | 'threads';
export const RUNTIMES: readonly RuntimeName[] = ['sim', 'threads'];

export interface RunOptions {
  readonly seed: number;
  readonly strategy: PeerStrategyName;
  /** Called with the number of segments downloaded so far, as they arrive. */
  readonly onProgress?: (segments: number) => void;
}

export interface CompletedFile {
  readonly rank: Rank;
  readonly file: string;
  readonly hashes: readonly string[];
  /** When the client completed it, on the runtime's clock (see RunResult.clock). */
  readonly at: number;
}

export interface ClientFinish {
  readonly rank: Rank;
  readonly downloadDoneAt: number;
  readonly uploadClosedAt: number;
}

export interface RunResult {
  readonly runtime: RuntimeName;
  readonly seed: number;
  readonly strategy: PeerStrategyName;
  /** `virtual-s`: simulated seconds; `wall-ms`: milliseconds since the run started. */
  readonly clock: 'virtual-s' | 'wall-ms';
  readonly clients: readonly ClientStats[];
  /** Every wanted file of every client, ordered by rank, then by the client's wanted order. */
  readonly outputs: readonly CompletedFile[];
  readonly messages: number;
  readonly wallTimeMs: number;
  readonly trackerStoppedAt: number;
  readonly finishes: readonly ClientFinish[];
}

/** One message as the runtime delivered it: what deterministic tests check invariants on. */
export interface Delivery {
  readonly at: number;
  readonly from: Rank;
  readonly to: Rank;
  readonly msg: Message;
}

/** A run that cannot finish: a deadlock, a lost message, or a bound reached. */
export class StuckRunError extends Error {
  override readonly name = 'StuckRunError';
}

/** Outputs in a stable order, whatever order the clients finished in. */
export function sortOutputs(
  outputs: CompletedFile[],
  wantedOrder: (rank: Rank) => readonly string[],
): CompletedFile[] {
  const position = (output: CompletedFile) => wantedOrder(output.rank).indexOf(output.file);
  return outputs.sort((a, b) => a.rank - b.rank || position(a) - position(b));
}
