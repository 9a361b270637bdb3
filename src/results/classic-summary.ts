// The figures a classic run is judged by: per-client counts, totals, and how evenly the upload load
// was spread over the clients that served.
import type { RunResult } from '../classic/runtime/types.ts';
import { maxOf } from '../util/arrays.ts';

export interface LoadBalance {
  /** Clients that served at least one segment. */
  readonly servers: number;
  readonly maxServed: number;
  readonly meanServed: number;
  /** max / mean over the servers: 1 is perfectly even. Null when nobody served. */
  readonly maxOverMean: number | null;
  /** Jain's fairness index over the servers, in (0, 1]: 1 is perfectly even. Null when nobody served. */
  readonly jain: number | null;
}

export interface ClassicSummary {
  readonly clients: number;
  readonly segmentsDownloaded: number;
  readonly segmentsServed: number;
  readonly requestsRefused: number;
  readonly filesCompleted: number;
  readonly messages: number;
  readonly wallTimeMs: number;
  /** Simulated seconds to the tracker's stop (sim runtime only). */
  readonly virtualTimeS: number | null;
  readonly loadBalance: LoadBalance;
}

/** Jain's index: (sum x)^2 / (n * sum x^2). */
export function jainIndex(values: readonly number[]): number | null {
  let sum = 0;
  let squares = 0;
  for (const value of values) {
    sum += value;
    squares += value * value;
  }
  return values.length === 0 || squares === 0 ? null : (sum * sum) / (values.length * squares);
}

export function loadBalance(served: readonly number[]): LoadBalance {
  const servers = served.filter((count) => count > 0);
  if (servers.length === 0) return { servers: 0, maxServed: 0, meanServed: 0, maxOverMean: null, jain: null };
  const total = servers.reduce((a, b) => a + b, 0);
  const maxServed = maxOf(servers);
  const meanServed = total / servers.length;
  return {
    servers: servers.length,
    maxServed,
    meanServed,
    maxOverMean: maxServed / meanServed,
    jain: jainIndex(servers),
  };
}

export function summarize(result: RunResult): ClassicSummary {
  const sum = (pick: (stats: RunResult['clients'][number]) => number) =>
    result.clients.reduce((total, stats) => total + pick(stats), 0);
  return {
    clients: result.clients.length,
    segmentsDownloaded: sum((s) => s.downloaded),
    segmentsServed: sum((s) => s.served),
    requestsRefused: sum((s) => s.refused),
    filesCompleted: sum((s) => s.filesCompleted),
    messages: result.messages,
    wallTimeMs: result.wallTimeMs,
    virtualTimeS: result.clock === 'virtual-s' ? result.trackerStoppedAt : null,
    loadBalance: loadBalance(result.clients.map((s) => s.served)),
  };
}
