// The scenario file's user-facing form (kebab-case keys, quantities with units, defaults left out) as a zod
// schema that produces the normalized SwarmScenario. Every message names the field as the user spelled it
// and says what is allowed there.
import { z } from 'zod';
import { InputError } from '../../util/input-error.ts';
import type { AfterDone, Arrival, Distribution, PeerGroup, SwarmScenario } from './scenario.ts';
import {
  describeValue,
  type Parsed,
  parseArrivalRate,
  parseDuration,
  parseRate,
  parseSize,
} from './units.ts';

/** Where a scenario comes from: the file for messages, and the name it gets when it does not give one. */
export interface ScenarioSource {
  readonly path: string;
  readonly name: string;
  /** The line of a field (a zod issue path) in the file, when the reader knows it. */
  readonly lineOf?: (field: readonly PropertyKey[]) => number | undefined;
}

/** Validates a parsed scenario file and fills in every default; throws InputError naming each bad field. */
export function parseSwarmScenario(raw: unknown, source: ScenarioSource): SwarmScenario {
  const result = swarmScenarioSchema(source.name).safeParse(raw);
  if (result.success) return result.data;
  throw scenarioError(source, result.error.issues);
}

// --- Messages ---

/** A rejected value, with the sentence that says why. */
class Problem {
  constructor(readonly message: string) {}
}

function expectation(expected: string, value: unknown): string {
  return value === undefined
    ? `missing: expected ${expected}`
    : `expected ${expected}, got ${describeValue(value)}`;
}

/** At most this many errors are listed: past that they are usually one mistake repeated. */
const MAX_ERRORS = 10;

function scenarioError(source: ScenarioSource, issues: readonly z.core.$ZodIssue[]): InputError {
  const errors = issues.map((issue) => ({
    line: source.lineOf?.(issue.path),
    text: issue.path.length === 0 ? issue.message : `${fieldName(issue.path)}: ${issue.message}`,
  }));
  // With line numbers, errors read in file order; the sort is stable, so one line's errors keep their order.
  if (source.lineOf) errors.sort((a, b) => (a.line ?? Number.MAX_VALUE) - (b.line ?? Number.MAX_VALUE));
  const [first, ...rest] = errors.slice(0, MAX_ERRORS);
  const more = rest.map(
    ({ line, text }) => `\n${line === undefined ? source.path : `${source.path}:${line}`}: ${text}`,
  );
  if (errors.length > MAX_ERRORS)
    more.push(`\n${source.path}: and ${errors.length - MAX_ERRORS} more errors`);
  return new InputError(source.path, first?.line, `${first?.text ?? 'invalid scenario'}${more.join('')}`);
}

/** A field path as the user would write it: `peers[1].upload`, `strategy.max-connections`. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!/^[\w-]+$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

/** ` (did you mean size?)` when a known word is close to what was written, else nothing. */
function didYouMean(word: string, known: readonly string[]): string {
  const squash = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');
  const near =
    known.find((candidate) => squash(candidate) === squash(word)) ??
    known.find((candidate) => editDistance(word, candidate) <= (word.length <= 3 ? 1 : 2));
  return near === undefined ? '' : ` (did you mean ${near}?)`;
}

/** Edits (insert, delete, substitute, swap neighbours) between two short words. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64) return Number.POSITIVE_INFINITY;
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

// --- Building blocks ---

/** Reports `message` at the value being transformed (or at `path` below it); the transform then fails. */
function fail(ctx: z.RefinementCtx, message: string, path: PropertyKey[] = []): never {
  ctx.addIssue({ code: 'custom', message, path });
  return z.NEVER;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One scalar field: `parse` returns the value, a Problem, or undefined for "not what was expected". */
function leaf<T>(expected: string, parse: (value: unknown) => T | Problem | undefined): z.ZodType<T> {
  return z.unknown().transform((value, ctx) => {
    const result = value === undefined ? undefined : parse(value);
    if (result === undefined) return fail(ctx, expectation(expected, value));
    if (result instanceof Problem) return fail(ctx, result.message);
    // YAML reads `-0` as -0, which would surface in results as "-0".
    return Object.is(result, -0) ? (0 as T) : result;
  });
}

/** Text keywords, each standing for a value; a near miss suggests the keyword. */
function keyword<T>(expected: string, values: Readonly<Record<string, T>>): z.ZodType<T> {
  return leaf(expected, (value) => {
    if (typeof value !== 'string') return undefined;
    if (Object.hasOwn(values, value)) return values[value] as T;
    return new Problem(`${expectation(expected, value)}${didYouMean(value, Object.keys(values))}`);
  });
}

function oneOf<const T extends string>(values: readonly T[]): z.ZodType<T> {
  return keyword(`one of ${values.join(', ')}`, Object.fromEntries(values.map((value) => [value, value])));
}

function whole(min: number): z.ZodType<number> {
  return leaf(`a whole number >= ${min}`, (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min ? value : undefined,
  );
}

const fraction = leaf('a fraction from 0 to 1', (value) =>
  typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined,
);

const flag = leaf('true or false', (value) => (typeof value === 'boolean' ? value : undefined));

const text = leaf('text', (value) => (typeof value === 'string' ? value : undefined));

const nonEmptyText = leaf('non-empty text', (value) =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined,
);

interface Quantity {
  readonly expected: string;
  readonly parse: (value: unknown) => Parsed;
}

const SIZE: Quantity = { expected: 'a size like "700 MB"', parse: parseSize };
const RATE: Quantity = { expected: 'a rate like "1 Mbit/s"', parse: parseRate };
const DURATION: Quantity = { expected: 'a duration like "10 s"', parse: parseDuration };
const ARRIVAL_RATE: Quantity = { expected: 'an arrival rate like "30/min"', parse: parseArrivalRate };

/** A quantity with units; `positive` rules out zero as well as negatives. */
function quantity(kind: Quantity, positive: boolean): z.ZodType<number> {
  return leaf(kind.expected, (value) => {
    const parsed = kind.parse(value);
    if (typeof parsed === 'string') return new Problem(parsed);
    return positive && parsed === 0
      ? new Problem(`must be more than 0, got ${describeValue(value)}`)
      : parsed;
  });
}

/** A mapping with these fields and no others; an unknown field is an error that suggests the nearest. */
function mapping<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  const expected = `a mapping with fields ${known.join(', ')}`;
  return z
    .looseObject(shape, {
      error: (issue) => (issue.code === 'invalid_type' ? expectation(expected, issue.input) : undefined),
    })
    .superRefine(
      (value, ctx) => {
        for (const key of Object.keys(value)) {
          if (Object.hasOwn(shape, key)) continue;
          ctx.addIssue({ code: 'custom', path: [key], message: `unknown field${didYouMean(key, known)}` });
        }
      },
      // Unknown fields are worth reporting alongside bad values of known ones.
      { when: (payload) => isMapping(payload.value) },
    );
}

function list<T>(item: z.ZodType<T>, expected: string, min = 0): z.ZodType<T[]> {
  return z
    .array(item, {
      error: (issue) => (issue.code === 'invalid_type' ? expectation(expected, issue.input) : undefined),
    })
    .min(min, { error: `expected ${expected} with at least ${min === 1 ? 'one entry' : `${min} entries`}` });
}

interface Forms<T> {
  readonly scalar?: z.ZodType<T>;
  readonly list?: z.ZodType<T>;
  readonly mapping?: z.ZodType<T>;
}

/**
 * A value with several forms, told apart by what the input looks like (text or number, list, mapping),
 * so that errors come from the form the user chose rather than from every alternative as in a union.
 */
function byForm<T>(expected: string, forms: Forms<T>): z.ZodType<T> {
  return z.unknown().transform((value, ctx) => {
    const form = Array.isArray(value)
      ? forms.list
      : isMapping(value)
        ? forms.mapping
        : value === undefined || value === null
          ? undefined
          : forms.scalar;
    if (form === undefined) return fail(ctx, expectation(expected, value));
    const result = form.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
}

/** The names of the alternatives given in a mapping that must give exactly one; else reports and returns undefined. */
function onlyOne<K extends string>(
  value: Readonly<Partial<Record<K, unknown>>>,
  names: readonly K[],
  ctx: z.RefinementCtx,
): K | undefined {
  const given = names.filter((name) => value[name] !== undefined);
  if (given.length === 1) return given[0];
  const message =
    given.length === 0
      ? `expected one of the fields ${names.join(', ')}`
      : `expected only one of ${names.join(', ')}, got ${given.join(' and ')}`;
  ctx.addIssue({ code: 'custom', message });
  return undefined;
}

// --- Distributions ---

/**
 * A quantity drawn from a distribution: a single quantity, or { uniform | exponential | normal | choice }.
 * `positive` distributions never draw 0 (download rates: a peer that cannot download never finishes).
 */
function distribution(kind: Quantity, positive: boolean): z.ZodType<Distribution> {
  const value = quantity(kind, positive);
  const forms = mapping({
    uniform: uniform(value).optional(),
    exponential: quantity(kind, true)
      .transform((mean): Distribution => ({ kind: 'exponential', mean }))
      .optional(),
    normal: normal(kind, positive).optional(),
    choice: choice(value).optional(),
  }).transform((given, ctx) => {
    const name = onlyOne(given, ['uniform', 'exponential', 'normal', 'choice'], ctx);
    return name === undefined ? z.NEVER : (given[name] as Distribution);
  });
  return byForm(`${kind.expected}, or a distribution: { uniform | exponential | normal | choice }`, {
    scalar: value.transform((fixed): Distribution => ({ kind: 'fixed', value: fixed })),
    mapping: forms,
  });
}

function uniform(value: z.ZodType<number>): z.ZodType<Distribution> {
  const expected = '[min, max]';
  return byForm(expected, {
    list: z.array(value).transform((bounds, ctx) => {
      const [min, max] = bounds;
      if (bounds.length !== 2 || min === undefined || max === undefined) {
        return fail(ctx, `expected two values ${expected}, got ${bounds.length}`);
      }
      if (min > max) {
        return fail(ctx, 'the first value (min) is larger than the second (max)');
      }
      return { kind: 'uniform', min, max };
    }),
  });
}

// The simulator redraws a normal value until it is at least min; a min far above the mean would make
// that loop (nearly) endless, so it is refused here.
const MAX_SDS_ABOVE_MEAN = 3;

function normal(kind: Quantity, positive: boolean): z.ZodType<Distribution> {
  const value = quantity(kind, positive);
  return mapping({ mean: value, sd: quantity(kind, false), min: value.optional() }).transform(
    ({ mean, sd, min }, ctx): Distribution => {
      if (min === undefined && positive) {
        const message = 'missing: min defaults to 0, but this value must stay above 0: give a min above 0';
        return fail(ctx, message, ['min']);
      }
      const floor = min ?? 0;
      if (floor > mean + MAX_SDS_ABOVE_MEAN * sd) {
        const message = `must be at most ${MAX_SDS_ABOVE_MEAN} sd above the mean: values are redrawn until they reach min`;
        return fail(ctx, message, ['min']);
      }
      return { kind: 'normal', mean, sd, min: floor };
    },
  );
}

const weight = leaf('a weight (a number > 0)', (value) =>
  typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : undefined,
);

function choice(value: z.ZodType<number>): z.ZodType<Distribution> {
  const values = list(value, 'a list of values', 1);
  return byForm('a list of values, or { values: [...], weights: [...] }', {
    list: values.transform(
      (options): Distribution => ({ kind: 'choice', values: options, weights: options.map(() => 1) }),
    ),
    mapping: mapping({ values, weights: list(weight, 'a list of weights', 1) }).transform(
      ({ values: options, weights }, ctx): Distribution => {
        if (weights.length !== options.length) {
          const message = `expected ${options.length} weights, one per value, got ${weights.length}`;
          return fail(ctx, message, ['weights']);
        }
        return { kind: 'choice', values: options, weights };
      },
    ),
  });
}

// --- Peers and seeds ---

const ARRIVAL_FORMS = 'flash, { poisson: <rate> } or { times: [<durations>] }';

const arrival: z.ZodType<Arrival> = byForm(ARRIVAL_FORMS, {
  scalar: keyword<Arrival>(ARRIVAL_FORMS, { flash: { kind: 'flash' } }),
  mapping: mapping({
    poisson: quantity(ARRIVAL_RATE, true).optional(),
    times: list(quantity(DURATION, false), 'a list of durations like "10 s"').optional(),
  }).transform((given, ctx): Arrival => {
    const name = onlyOne(given, ['poisson', 'times'], ctx);
    if (name === 'poisson') return { kind: 'poisson', ratePerS: given.poisson as number };
    if (name === 'times') return { kind: 'times', atS: given.times as number[] };
    return z.NEVER;
  }),
});

const AFTER_FORMS = 'leave, forever or { stay: <duration> }';

const afterDone: z.ZodType<AfterDone> = byForm(AFTER_FORMS, {
  scalar: keyword<AfterDone>(AFTER_FORMS, { leave: { kind: 'leave' }, forever: { kind: 'forever' } }),
  mapping: mapping({ stay: quantity(DURATION, false) }).transform(
    ({ stay }): AfterDone => ({ kind: 'stay', forS: stay }),
  ),
});

/** A group as written; its default name depends on its position, which only the list knows. */
type UnnamedGroup = Omit<PeerGroup, 'name'> & { readonly name: string | undefined };

const group: z.ZodType<UnnamedGroup> = mapping({
  name: nonEmptyText.optional(),
  count: whole(0),
  upload: distribution(RATE, false),
  download: distribution(RATE, true),
  arrival: arrival.default({ kind: 'flash' }),
  after: afterDone.default({ kind: 'leave' }),
  'free-riders': fraction.default(0),
}).transform((given, ctx): UnnamedGroup => {
  const { count, arrival } = given;
  if (arrival.kind === 'times' && arrival.atS.length !== count) {
    const message = `expected ${count} times, one per peer of the group (its count), got ${arrival.atS.length}`;
    return fail(ctx, message, ['arrival', 'times']);
  }
  return {
    name: given.name,
    count,
    uploadBps: given.upload,
    downloadBps: given.download,
    arrival,
    afterDone: given.after,
    freeRiders: given['free-riders'],
  };
});

const peers = byForm('a peer group (a mapping) or a list of groups', {
  mapping: group.transform((only) => [only]),
  list: list(group, 'a list of peer groups', 1),
}).transform((groups, ctx): PeerGroup[] => {
  const named = groups.map((given, index) => ({ ...given, name: given.name ?? `group${index + 1}` }));
  // Results and reports name groups, so two groups with one name could not be told apart.
  const clash = named.findIndex(
    ({ name }, index) => named.findIndex((other) => other.name === name) !== index,
  );
  if (clash >= 0) {
    const first = named.findIndex((other) => other.name === named[clash]?.name);
    return fail(ctx, `"${named[clash]?.name}" is already the name of peers[${first}]`, [clash, 'name']);
  }
  if (named.every(({ count }) => count === 0)) {
    return fail(ctx, 'no peers: every group has count 0, so there is nothing to download');
  }
  return named;
});

const seeds = mapping({
  count: whole(0).default(1),
  upload: distribution(RATE, false).optional(),
  leave: leaf('never or a duration like "2 h"', (value) => {
    if (value === 'never') return null;
    if (typeof value === 'string' && !/\d/.test(value)) return undefined;
    const parsed = parseDuration(value);
    if (typeof parsed === 'string') return new Problem(parsed);
    return parsed === 0
      ? new Problem('must be more than 0: seeds that leave at once leave nothing to download')
      : parsed;
  }).default(null),
}).transform(({ count, upload, leave }, ctx): SwarmScenario['seeds'] => {
  if (upload === undefined && count > 0) {
    const message = `missing: expected ${RATE.expected} (or a distribution) for the ${count === 1 ? 'seed' : `${count} seeds`}`;
    return fail(ctx, message, ['upload']);
  }
  if (upload !== undefined && count > 0 && onlyZero(upload)) {
    const message =
      'must be more than 0: the seeds alone hold the file at the start, and with no upload nobody could ever get it';
    return fail(ctx, message, ['upload']);
  }
  return { count, uploadBps: upload ?? { kind: 'fixed', value: 0 }, leaveAtS: leave };
});

/** A distribution that can only draw 0. */
function onlyZero(distribution: Distribution): boolean {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.value === 0;
    case 'uniform':
      return distribution.max === 0;
    case 'choice':
      return distribution.values.every((value) => value === 0);
    default:
      return false;
  }
}

// --- The whole scenario ---

const file = mapping({
  size: quantity(SIZE, true),
  piece: quantity(SIZE, true),
  block: quantity(SIZE, true).default(16 * 1024),
}).transform(({ size, piece, block }, ctx): SwarmScenario['file'] => {
  if (piece > size) {
    return fail(ctx, `a piece (${piece} bytes) cannot be larger than the file (${size} bytes)`, ['piece']);
  }
  if (block > piece) {
    return fail(ctx, `a block (${block} bytes) cannot be larger than a piece (${piece} bytes)`, ['block']);
  }
  return { sizeBytes: size, pieceBytes: piece, blockBytes: block };
});

const network = mapping({
  latency: distribution(DURATION, false).default({ kind: 'fixed', value: 0.05 }),
}).transform(({ latency }): SwarmScenario['network'] => ({ latencyS: latency }));

const tracker = mapping({
  'peers-per-request': whole(1).default(50),
  reannounce: quantity(DURATION, true).default(30 * 60),
}).transform((given, ctx): SwarmScenario['tracker'] => {
  if (given.reannounce < MIN_REANNOUNCE_S) {
    return fail(ctx, tooShort('a reannounce interval', given.reannounce, MIN_REANNOUNCE_S), ['reannounce']);
  }
  return { peersPerRequest: given['peers-per-request'], reannounceS: given.reannounce };
});

const strategy = mapping({
  pieces: oneOf(['sequential', 'random', 'rarest-first']).default('rarest-first'),
  'random-first-pieces': whole(0).default(4),
  endgame: flag.default(true),
  peers: oneOf(['random', 'least-loaded', 'tit-for-tat']).default('tit-for-tat'),
  'max-connections': whole(1).default(80),
  'requests-in-flight': whole(1).default(5),
}).transform((given): SwarmScenario['strategy'] => ({
  pieces: given.pieces,
  randomFirstPieces: given['random-first-pieces'],
  endgame: given.endgame,
  peers: given.peers,
  maxConnections: given['max-connections'],
  requestsInFlight: given['requests-in-flight'],
}));

const STOP_FORMS = 'all-done, { at: <duration> } or { all-done: true, at: <duration> }';

const stop: z.ZodType<SwarmScenario['stop']> = byForm(STOP_FORMS, {
  scalar: keyword(STOP_FORMS, { 'all-done': { whenAllDone: true, atS: null } }),
  mapping: mapping({ 'all-done': flag.default(false), at: quantity(DURATION, true).optional() }).transform(
    (given, ctx): SwarmScenario['stop'] => {
      const whenAllDone = given['all-done'];
      if (!whenAllDone && given.at === undefined) {
        return fail(ctx, 'the run would never stop: give at: <duration>, or all-done: true');
      }
      return { whenAllDone, atS: given.at ?? null };
    },
  ),
});

/** The scenario file's form; `defaultName` is the name of a scenario that does not give one (its file name). */
export function swarmScenarioSchema(defaultName: string): z.ZodType<SwarmScenario> {
  return mapping({
    name: nonEmptyText.optional(),
    description: text.default(''),
    file,
    seeds: seeds.prefault({}),
    peers,
    network: network.prefault({}),
    tracker: tracker.prefault({}),
    strategy: strategy.prefault({}),
    stop: stop.default({ whenAllDone: true, atS: null }),
    'sample-every': quantity(DURATION, true).default(10),
  }).transform((given, ctx): SwarmScenario => {
    if (given['sample-every'] < MIN_SAMPLE_EVERY_S) {
      const problem = tooShort('a sampling interval', given['sample-every'], MIN_SAMPLE_EVERY_S);
      return fail(ctx, problem, ['sample-every']);
    }
    return {
      name: given.name ?? defaultName,
      description: given.description,
      file: given.file,
      seeds: given.seeds,
      peers: given.peers,
      network: given.network,
      tracker: given.tracker,
      strategy: given.strategy,
      stop: given.stop,
      sampleEveryS: given['sample-every'],
    };
  });
}

// Periodic events repeat for the whole run: a tiny period floods the event queue and, with the sample
// series, memory (and below the clock's resolution, time stops advancing). These floors keep a run finite.
/** The shortest sampling interval, in seconds: 10 ms, a hundred samples a simulated second. */
export const MIN_SAMPLE_EVERY_S = 0.01;
/** The shortest reannounce interval, in seconds (real trackers ask for minutes). */
export const MIN_REANNOUNCE_S = 1;

function tooShort(what: string, givenS: number, minS: number): string {
  return `${what} of ${givenS} s is too short: the least is ${minS} s, or the run's events and samples would have no bound`;
}
