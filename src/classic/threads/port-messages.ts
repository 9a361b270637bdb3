// What the main thread and the rank workers say to each other. Ranks talk to each other directly over
// MessagePorts (one per pair, made when the pair first talks); the main thread only introduces pairs,
// collects outputs and times, and never touches protocol state.
import type { MessagePort } from 'node:worker_threads';
import type { ClientInput } from '../protocol/client.ts';
import type { ClientStats } from '../protocol/counters.ts';
import type { Message, Rank } from '../protocol/messages.ts';
import type { PeerStrategyName } from '../protocol/strategies/index.ts';

export type WorkerInit = (
  | { readonly role: 'tracker'; readonly clientCount: number; readonly clientPorts: readonly MessagePort[] }
  | {
      readonly role: 'client';
      readonly input: ClientInput;
      readonly seed: number;
      readonly strategy: PeerStrategyName;
      readonly trackerPort: MessagePort;
    }
) & {
  /** Segments downloaded, one slot per rank, read by the main thread for progress. */
  readonly progress: Int32Array;
  /** Messages sent, one slot per rank. */
  readonly sent: Int32Array;
};

/** What travels on a rank-to-rank port: the messages one handler produced for that peer, in order. */
export type Batch = readonly Message[];

/** main -> worker. */
export interface PortIntroduction {
  readonly type: 'port';
  readonly peer: Rank;
  readonly port: MessagePort;
}

/** worker -> main. Times are in milliseconds on the process-wide monotonic clock. */
export type WorkerReport =
  | { readonly type: 'connect'; readonly to: Rank }
  | {
      readonly type: 'completed';
      readonly file: string;
      readonly hashes: readonly string[];
      readonly atMs: number;
    }
  | { readonly type: 'download-done'; readonly atMs: number }
  | { readonly type: 'upload-closed'; readonly stats: ClientStats; readonly atMs: number }
  | { readonly type: 'tracker-stopped'; readonly atMs: number };

/** One clock for every thread: CLOCK_MONOTONIC, so times from different workers compare. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
