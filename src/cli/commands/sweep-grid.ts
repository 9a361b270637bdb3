// A sweep's grid: every combination of the --vary values, times every seed, each run one
// `swarmlab simulate` command writing its results to a file of its own (which makes a sweep resumable,
// and lets other machines run the same commands).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';

export interface Vary {
  readonly field: string;
  readonly values: readonly string[];
}

export interface PlannedRun {
  /** The overrides of this run: the sweep's --set, then one value of each --vary. */
  readonly overrides: readonly string[];
  readonly seed: number;
  /** Where the run writes its results. */
  readonly json: string;
}

/** `field=v1,v2,...`; commas inside brackets or braces (`{ poisson: 1/s }`, `[20 ms, 80 ms]`) do not split. */
export function parseVary(text: string): Vary {
  const equals = text.indexOf('=');
  const field = text.slice(0, Math.max(equals, 0)).trim();
  if (equals < 0 || field === '') {
    throw new UsageError(
      `--vary takes field=value1,value2,..., like strategy.pieces=rarest-first,random; got '${text}'`,
    );
  }
  const values = splitTopLevel(text.slice(equals + 1)).map((value) => value.trim());
  if (values.some((value) => value === '')) throw new UsageError(`--vary ${text}: a value is empty`);
  return { field, values: [...new Set(values)] };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `A..B` (inclusive), or a comma-separated list of seeds. */
export function parseSeeds(text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  const seeds = range
    ? Array.from(
        { length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) },
        (_, i) => Number(range[1]) + i,
      )
    : text.split(',').map((part) => (/^\s*\d+\s*$/.test(part) ? Number(part) : Number.NaN));
  if (seeds.length === 0 || seeds.some((seed) => !Number.isSafeInteger(seed))) {
    throw new UsageError(`--seeds takes A..B (such as 1..10) or a list (1,2,5), with A <= B; got '${text}'`);
  }
  return [...new Set(seeds)];
}

/** Every combination of the varied values, in order: the first --vary changes slowest. */
export function combinations(varies: readonly Vary[]): string[][] {
  return varies.reduce<string[][]>(
    (sofar, vary) =>
      sofar.flatMap((combo) => vary.values.map((value) => [...combo, `${vary.field}=${value}`])),
    [[]],
  );
}

/** The grid's runs, each writing `<runsDir>/<what it varies>_seed<S>.json`. */
export function planRuns(
  sets: readonly string[],
  varies: readonly Vary[],
  seeds: readonly number[],
  runsDir: string,
): PlannedRun[] {
  return combinations(varies).flatMap((combo) =>
    seeds.map((seed) => ({
      overrides: [...sets, ...combo],
      seed,
      json: join(runsDir, `${fileStem(combo)}_seed${seed}.json`),
    })),
  );
}

/**
 * A file name from `field=value` pairs, readable and safe on any file system; when characters had to be
 * replaced (`1 Mbit/s`) or the name cut, a hash of the pairs keeps two configurations' names apart.
 */
function fileStem(combo: readonly string[]): string {
  const exact = combo.join('_');
  const safe = exact.replace(/[^A-Za-z0-9._=+-]+/g, '-').slice(0, 120);
  if (safe === exact) return safe === '' ? 'run' : safe;
  return `${safe}-${createHash('sha256').update(exact).digest('hex').slice(0, 8)}`;
}

/** The arguments after `swarmlab` that run one planned run. */
export function simulateArgs(scenario: string, run: PlannedRun): string[] {
  return [
    'simulate',
    scenario,
    ...run.overrides.flatMap((override) => ['--set', override]),
    '--seed',
    String(run.seed),
    '--json',
    run.json,
    '--quiet',
  ];
}
