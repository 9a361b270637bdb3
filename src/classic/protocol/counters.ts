// What one client counts about its own run; the runtimes collect these for the summary.
import type { Rank } from './messages.ts';

export interface ClientStats {
  rank: Rank;
  /** Segments this client received from others. */
  downloaded: number;
  /** Segment requests this client's upload side granted. */
  served: number;
  /** Segment requests this client's upload side refused (it did not hold the segment). */
  refused: number;
  /** Requests this client made that were refused. */
  refusalsReceived: number;
  /** Wanted files this client completed. */
  filesCompleted: number;
  /**
   * Segments received, by the rank that sent them. A Map, not an object keyed by rank: V8 stores an
   * object's integer keys as an array as long as the largest rank, so each client held an array the size
   * of the whole swarm (most of the sim runtime's memory with thousands of clients).
   */
  downloadedFrom: Map<Rank, number>;
}

export function emptyStats(rank: Rank): ClientStats {
  return {
    rank,
    downloaded: 0,
    served: 0,
    refused: 0,
    refusalsReceived: 0,
    filesCompleted: 0,
    downloadedFrom: new Map(),
  };
}
