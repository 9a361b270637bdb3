// The results of a simulated run: one JSON file with everything later charts need (`--json`), or the
// same as CSV tables for people who plot elsewhere (`--csv DIR`).
import { join } from 'node:path';
import type { SwarmScenario } from '../bittorrent/scenario/scenario.ts';
import type { PeerRecord, SwarmRun, SwarmSeries } from '../bittorrent/sim/run-types.ts';
import type { KumarRossBound } from '../bittorrent/theory/bound.ts';
import { writeAll } from '../util/output-set.ts';
import { toCsv } from './csv.ts';
import type { SwarmSummary } from './swarm-summary.ts';

export const SWARM_RESULTS_FORMAT = 'swarmlab-swarm-run';
export const SWARM_RESULTS_VERSION = 1;

export interface SwarmResults {
  readonly format: typeof SWARM_RESULTS_FORMAT;
  readonly version: typeof SWARM_RESULTS_VERSION;
  readonly swarmlab: string;
  readonly createdAt: string;
  readonly source: string;
  /** The `--set` overrides applied to the source, in order (absent in files written before they were kept). */
  readonly overrides?: readonly string[];
  readonly scenario: SwarmScenario;
  readonly seed: number;
  readonly pieces: number;
  readonly summary: SwarmSummary;
  /** The bound, with figures that are not finite (no bound, a term without one) kept as null. */
  readonly bound: StoredBound;
  readonly peers: readonly PeerRecord[];
  readonly series: SwarmSeries;
  readonly events: number;
  readonly wallMs: number;
}

export function toSwarmResults(
  run: SwarmRun,
  summary: SwarmSummary,
  bound: KumarRossBound,
  meta: {
    readonly source: string;
    readonly overrides?: readonly string[];
    readonly swarmlab: string;
    readonly createdAt: Date;
  },
): SwarmResults {
  return {
    format: SWARM_RESULTS_FORMAT,
    version: SWARM_RESULTS_VERSION,
    swarmlab: meta.swarmlab,
    createdAt: meta.createdAt.toISOString(),
    source: meta.source,
    overrides: [...(meta.overrides ?? [])],
    scenario: run.scenario,
    seed: run.seed,
    pieces: run.pieces,
    summary,
    bound: storedBound(bound),
    peers: run.peers,
    series: run.series,
    events: run.events,
    wallMs: run.wallMs,
  };
}

/** Writes peers.csv, series.csv and summary.csv into `dir`, all or none. */
export async function writeSwarmCsv(dir: string, results: SwarmResults): Promise<string[]> {
  const files = swarmCsvFiles(results);
  return writeAll(async (outputs) => {
    for (const [name, text] of files) await outputs.write(join(dir, name), text);
  });
}

/** peers.csv, series.csv and summary.csv of a simulated run: each file's name and text. */
export function swarmCsvFiles(results: SwarmResults): [string, string][] {
  return [
    ['peers.csv', peersCsv(results.peers)],
    ['series.csv', seriesCsv(results.series)],
    ['summary.csv', summaryCsv(results)],
  ];
}

function peersCsv(peers: readonly PeerRecord[]): string {
  const header = [
    'id',
    'group',
    'role',
    'freeRider',
    'uploadBps',
    'downloadBps',
    'arrivalS',
    'completedS',
    'leftS',
    'bytesUp',
    'bytesDown',
  ] as const;
  return toCsv([header, ...peers.map((peer) => header.map((key) => peer[key]))]);
}

function seriesCsv(series: SwarmSeries): string {
  const header = ['timeS', 'leechers', 'seeds', 'meanPieces', 'minAvailability', 'uploadBps'] as const;
  return toCsv([header, ...series.timeS.map((_, i) => header.map((key) => series[key][i] ?? null))]);
}

function summaryCsv(results: SwarmResults): string {
  const flat: [string, string | number | null][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(prefix === '' ? key : `${prefix}.${key}`, inner);
    } else {
      flat.push([prefix, value as string | number | null]);
    }
  };
  walk('', { seed: results.seed, pieces: results.pieces, ...results.summary });
  return toCsv([['key', 'value'], ...flat]);
}

/** Figures of a bound that may be Infinity (no bound, a term without one). */
type Unbounded = 'boundS' | 'seedTermS' | 'downloadTermS' | 'swarmTermS' | 'minDownloadBps';

export type StoredBound = Omit<KumarRossBound, Unbounded> & { readonly [K in Unbounded]: number | null };

/** JSON has no Infinity: a bound's figures that are not finite are written as null. */
function storedBound(bound: KumarRossBound): StoredBound {
  const stored: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(bound)) {
    stored[key] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  return stored as StoredBound;
}
