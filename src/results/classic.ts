// The results file of a classic run (`--json`): everything later reports need, machine-readable.
import { join } from 'node:path';
import type { RunResult } from '../classic/runtime/types.ts';
import { writeAll } from '../util/output-set.ts';
import type { ClassicSummary } from './classic-summary.ts';
import { toCsv } from './csv.ts';

export const CLASSIC_RESULTS_FORMAT = 'swarmlab-classic-run';
export const CLASSIC_RESULTS_VERSION = 1;

export interface ClassicResults {
  readonly format: typeof CLASSIC_RESULTS_FORMAT;
  readonly version: typeof CLASSIC_RESULTS_VERSION;
  readonly swarmlab: string;
  readonly createdAt: string;
  readonly input: string;
  readonly runtime: RunResult['runtime'];
  readonly seed: number;
  readonly strategy: string;
  /** The unit of every time below: simulated seconds (sim) or wall milliseconds since the start (threads). */
  readonly clock: RunResult['clock'];
  readonly summary: ClassicSummary;
  readonly clients: readonly {
    readonly rank: number;
    readonly downloaded: number;
    readonly served: number;
    readonly refused: number;
    readonly refusalsReceived: number;
    readonly filesCompleted: number;
    readonly downloadDoneAt: number;
    readonly uploadClosedAt: number;
  }[];
  /** Who downloaded how many segments from whom. */
  readonly transfers: readonly { readonly from: number; readonly to: number; readonly segments: number }[];
  readonly outputs: readonly {
    readonly rank: number;
    readonly file: string;
    readonly segments: number;
    readonly completedAt: number;
  }[];
  readonly trackerStoppedAt: number;
}

export function toClassicResults(
  result: RunResult,
  summary: ClassicSummary,
  meta: { readonly input: string; readonly swarmlab: string; readonly createdAt: Date },
): ClassicResults {
  const finishes = new Map(result.finishes.map((finish) => [finish.rank, finish]));
  return {
    format: CLASSIC_RESULTS_FORMAT,
    version: CLASSIC_RESULTS_VERSION,
    swarmlab: meta.swarmlab,
    createdAt: meta.createdAt.toISOString(),
    input: meta.input,
    runtime: result.runtime,
    seed: result.seed,
    strategy: result.strategy,
    clock: result.clock,
    summary,
    clients: result.clients.map((stats) => ({
      rank: stats.rank,
      downloaded: stats.downloaded,
      served: stats.served,
      refused: stats.refused,
      refusalsReceived: stats.refusalsReceived,
      filesCompleted: stats.filesCompleted,
      downloadDoneAt: finishes.get(stats.rank)?.downloadDoneAt ?? Number.NaN,
      uploadClosedAt: finishes.get(stats.rank)?.uploadClosedAt ?? Number.NaN,
    })),
    transfers: result.clients.flatMap((stats) =>
      [...stats.downloadedFrom]
        .sort(([a], [b]) => a - b)
        .map(([from, segments]) => ({ from, to: stats.rank, segments })),
    ),
    outputs: result.outputs.map((output) => ({
      rank: output.rank,
      file: output.file,
      segments: output.hashes.length,
      completedAt: output.at,
    })),
    trackerStoppedAt: result.trackerStoppedAt,
  };
}

/** The text of a results file (`--json`). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeAll((outputs) => outputs.write(path, jsonText(value)));
}

/** Writes clients.csv, transfers.csv and summary.csv of a classic run into `dir`, all or none. */
export async function writeClassicCsv(dir: string, results: ClassicResults): Promise<string[]> {
  const files = classicCsvFiles(results);
  return writeAll(async (outputs) => {
    for (const [name, text] of files) await outputs.write(join(dir, name), text);
  });
}

/** clients.csv, transfers.csv and summary.csv of a classic run: each file's name and text. */
export function classicCsvFiles(results: ClassicResults): [string, string][] {
  const clientKeys = [
    'rank',
    'downloaded',
    'served',
    'refused',
    'refusalsReceived',
    'filesCompleted',
    'downloadDoneAt',
    'uploadClosedAt',
  ] as const;
  const s = results.summary;
  const files: [string, string][] = [
    ['clients.csv', toCsv([clientKeys, ...results.clients.map((c) => clientKeys.map((key) => c[key]))])],
    [
      'transfers.csv',
      toCsv([['from', 'to', 'segments'], ...results.transfers.map((t) => [t.from, t.to, t.segments])]),
    ],
    [
      'summary.csv',
      toCsv([
        ['key', 'value'],
        ['runtime', results.runtime],
        ['seed', results.seed],
        ['strategy', results.strategy],
        ['clients', s.clients],
        ['segmentsDownloaded', s.segmentsDownloaded],
        ['segmentsServed', s.segmentsServed],
        ['requestsRefused', s.requestsRefused],
        ['filesCompleted', s.filesCompleted],
        ['messages', s.messages],
        ['wallTimeMs', s.wallTimeMs],
        ['virtualTimeS', s.virtualTimeS],
        ['loadBalance.servers', s.loadBalance.servers],
        ['loadBalance.maxServed', s.loadBalance.maxServed],
        ['loadBalance.meanServed', s.loadBalance.meanServed],
        ['loadBalance.maxOverMean', s.loadBalance.maxOverMean],
        ['loadBalance.jain', s.loadBalance.jain],
      ]),
    ],
  ];
  return files;
}
