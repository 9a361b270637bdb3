// A sweep's results: runs of a grid of configurations times seeds, gathered per configuration, each
// figure of the runs' summaries as a mean with its 95% confidence interval over the seeds.
import { type MeanInterval, meanInterval } from '../util/confidence.ts';
import type { SwarmResults } from './swarm.ts';
import type { SwarmSummary } from './swarm-summary.ts';

export const SWEEP_RESULTS_FORMAT = 'swarmlab-sweep';
export const SWEEP_RESULTS_VERSION = 1;

export interface SweepConfiguration {
  /** What sets this configuration apart from the others: field -> value, as given to --set or --vary. */
  readonly set: Readonly<Record<string, string>>;
  /** Every --set override of its runs, in order. */
  readonly overrides: readonly string[];
  readonly seeds: readonly number[];
  /** How many of its runs stopped for each reason. */
  readonly stopReasons: Readonly<Record<string, number>>;
  readonly metrics: Readonly<Record<string, MeanInterval>>;
}

export interface SweepResults {
  readonly format: typeof SWEEP_RESULTS_FORMAT;
  readonly version: typeof SWEEP_RESULTS_VERSION;
  readonly swarmlab: string;
  readonly createdAt: string;
  readonly scenario: string;
  readonly source: string;
  readonly configurations: readonly SweepConfiguration[];
}

/** Runs of one configuration (same scenario, different seeds), in the order the sweep made them. */
export interface RunGroup {
  readonly set: Readonly<Record<string, string>>;
  readonly runs: readonly SwarmResults[];
}

/** Groups runs by configuration: runs whose scenarios are the same after every override. */
export function groupRuns(runs: readonly SwarmResults[]): RunGroup[] {
  const groups = new Map<string, SwarmResults[]>();
  for (const run of runs) {
    const key = JSON.stringify(run.scenario);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [run]);
    else group.push(run);
  }
  const members = [...groups.values()].map((group) => [...group].sort((a, b) => a.seed - b.seed));
  const firsts = members.map((group) => group[0] as SwarmResults);
  let sets = differingFields(firsts.map(overrideFields)).map((set, i) =>
    withFileValues(set, firsts[i] as SwarmResults),
  );
  // Overrides that do not tell the configurations apart (runs made from different files, or files
  // without overrides): name them by the scenario fields that differ instead.
  if (new Set(sets.map((set) => JSON.stringify(set))).size < sets.length) {
    sets = differingFields(
      firsts.map((run) => flattenFields(run.scenario, '', new Map([['scenario', run.source]]))),
    );
  }
  return members.map((group, i) => ({ set: sets[i] ?? {}, runs: group }));
}

export function toSweepResults(
  runs: readonly SwarmResults[],
  meta: { readonly swarmlab: string; readonly createdAt: Date },
): SweepResults {
  const first = runs[0];
  return {
    format: SWEEP_RESULTS_FORMAT,
    version: SWEEP_RESULTS_VERSION,
    swarmlab: meta.swarmlab,
    createdAt: meta.createdAt.toISOString(),
    scenario: first?.scenario.name ?? '',
    source: first?.source ?? '',
    configurations: groupRuns(runs).map(configuration),
  };
}

function configuration(group: RunGroup): SweepConfiguration {
  const stopReasons: Record<string, number> = {};
  for (const run of group.runs) {
    stopReasons[run.summary.stopReason] = (stopReasons[run.summary.stopReason] ?? 0) + 1;
  }
  const perRun = group.runs.map((run) => summaryFigures(run.summary));
  const names = [...new Set(perRun.flatMap((figures) => Object.keys(figures)))];
  const metrics: Record<string, MeanInterval> = {};
  for (const name of names) {
    const values = perRun.map((figures) => figures[name]).filter((v): v is number => typeof v === 'number');
    metrics[name] = meanInterval(values);
  }
  return {
    set: group.set,
    overrides: group.runs[0]?.overrides ?? [],
    seeds: group.runs.map((run) => run.seed),
    stopReasons,
    metrics,
  };
}

/**
 * A run summary's figures by dotted name (`lastCompletion`, `shareRatio.p50`): every number, null where
 * the run has none (a figure a run lacks, such as the last completion of a stalled swarm, is left out
 * of that figure's mean, and its `n` says so).
 */
export function summaryFigures(summary: SwarmSummary): Record<string, number | null> {
  const figures: Record<string, number | null> = {};
  const walk = (prefix: string, value: unknown) => {
    if (typeof value === 'number') figures[prefix] = Number.isFinite(value) ? value : null;
    else if (value === null) figures[prefix] = null;
    else if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(prefix === '' ? key : `${prefix}.${key}`, inner);
    }
  };
  walk('', summary);
  return figures;
}

/** A run's settings by field, as the user named them in `--set` (`strategy.pieces`), plus its source. */
function overrideFields(run: SwarmResults): Map<string, string> {
  const fields = new Map<string, string>([['scenario', run.source]]);
  for (const override of run.overrides ?? []) {
    const equals = override.indexOf('=');
    fields.set(override.slice(0, equals).trim(), override.slice(equals + 1).trim());
  }
  return fields;
}

/** A field one run did not override takes the scenario file's value, when the field names one. */
function withFileValues(set: Record<string, string>, run: SwarmResults): Record<string, string> {
  const plain = (field: string) => field.replace(/\[0\]|\.0(?=\.|$)/g, '');
  const scenario = [...flattenFields(run.scenario)].map(([field, value]) => [plain(field), value] as const);
  const filled: Record<string, string> = {};
  for (const [field, value] of Object.entries(set)) {
    const fromFile = scenario.find(([name]) => name === plain(field))?.[1];
    filled[field] = value === AS_IN_FILE && fromFile !== undefined ? fromFile : value;
  }
  return filled;
}

const AS_IN_FILE = '(as in the file)';

/** For each entry, the fields whose values are not the same in every entry (a field an entry lacks: the file's value). */
export function differingFields(entries: readonly Map<string, string>[]): Record<string, string>[] {
  const keys = [...new Set(entries.flatMap((fields) => [...fields.keys()]))];
  const differing = keys.filter((key) => new Set(entries.map((fields) => fields.get(key))).size > 1);
  return entries.map((fields) =>
    Object.fromEntries(differing.map((key) => [key, fields.get(key) ?? AS_IN_FILE])),
  );
}

/** `value`'s leaves by path: `a.b`, `list[0].c`. */
export function flattenFields(
  value: unknown,
  prefix = '',
  into = new Map<string, string>(),
): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix === '' ? key : Array.isArray(value) ? `${prefix}[${key}]` : `${prefix}.${key}`;
      flattenFields(inner, path, into);
    }
  } else {
    into.set(prefix, String(value));
  }
  return into;
}
