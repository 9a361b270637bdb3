import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SwarmScenario } from '../../../src/bittorrent/scenario/scenario.ts';
import { parseSwarmScenario, type ScenarioSource } from '../../../src/bittorrent/scenario/schema.ts';
import { InputError } from '../../../src/util/input-error.ts';

const SOURCE: ScenarioSource = { path: 'x.yaml', name: 'x' };

type Raw = Record<string, unknown>;

/** The least a scenario must say: a file, the seeds' upload and one peer group. */
function minimal(): Raw {
  return {
    file: { size: '700 MB', piece: '256 KiB' },
    seeds: { upload: '10 Mbit/s' },
    peers: { count: 10, upload: '1 Mbit/s', download: '8 Mbit/s' },
  };
}

/** The minimal scenario with `change` applied to a copy of it. */
function patched(change: (raw: Raw) => void): Raw {
  const raw = minimal();
  change(raw);
  return raw;
}

function problemOf(raw: unknown, source: ScenarioSource = SOURCE): string {
  try {
    parseSwarmScenario(raw, source);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problem;
  }
  throw new Error('expected an InputError');
}

/** The peer group of the minimal scenario, for patches that change it. */
function group(raw: Raw): Raw {
  return raw.peers as Raw;
}

describe('parseSwarmScenario', () => {
  it('fills in every default of a minimal scenario', () => {
    const expected: SwarmScenario = {
      name: 'x',
      description: '',
      file: { sizeBytes: 700_000_000, pieceBytes: 262_144, blockBytes: 16_384 },
      seeds: { count: 1, uploadBps: { kind: 'fixed', value: 1_250_000 }, leaveAtS: null },
      peers: [
        {
          name: 'group1',
          count: 10,
          uploadBps: { kind: 'fixed', value: 125_000 },
          downloadBps: { kind: 'fixed', value: 1_000_000 },
          arrival: { kind: 'flash' },
          afterDone: { kind: 'leave' },
          freeRiders: 0,
        },
      ],
      network: { latencyS: { kind: 'fixed', value: 0.05 } },
      tracker: { peersPerRequest: 50, reannounceS: 1800 },
      strategy: {
        pieces: 'rarest-first',
        randomFirstPieces: 4,
        endgame: true,
        peers: 'tit-for-tat',
        maxConnections: 80,
        requestsInFlight: 5,
      },
      stop: { whenAllDone: true, atS: null },
      sampleEveryS: 10,
    };
    expect(parseSwarmScenario(minimal(), SOURCE)).toStrictEqual(expected);
  });

  it('maps every field of a full scenario', () => {
    const raw: unknown = parse(`
name: flash-crowd
description: A thousand peers at once.
file: { size: 700 MB, piece: 256 KiB, block: 32 KiB }
seeds: { count: 2, upload: { uniform: [5 Mbit/s, 10 Mbit/s] }, leave: 2 h }
peers:
  - name: leechers
    count: 1000
    upload: { choice: { values: [1 Mbit/s, 2 Mbit/s], weights: [3, 1] } }
    download: { normal: { mean: 8 Mbit/s, sd: 2 Mbit/s, min: 1 Mbit/s } }
    arrival: { poisson: 30/min }
    after: { stay: 10 min }
    free-riders: 0.1
  - name: late
    count: 2
    upload: { exponential: 500 kbit/s }
    download: { choice: [4 Mbps, 8 Mbps] }
    arrival: { times: [0, 90 s] }
    after: forever
network: { latency: { uniform: [20 ms, 80 ms] } }
tracker: { peers-per-request: 30, reannounce: 15 min }
strategy:
  pieces: random
  random-first-pieces: 0
  endgame: false
  peers: least-loaded
  max-connections: 40
  requests-in-flight: 10
stop: { all-done: true, at: 6 h }
sample-every: 500 ms
`);
    const expected: SwarmScenario = {
      name: 'flash-crowd',
      description: 'A thousand peers at once.',
      file: { sizeBytes: 700_000_000, pieceBytes: 262_144, blockBytes: 32_768 },
      seeds: { count: 2, uploadBps: { kind: 'uniform', min: 625_000, max: 1_250_000 }, leaveAtS: 7200 },
      peers: [
        {
          name: 'leechers',
          count: 1000,
          uploadBps: { kind: 'choice', values: [125_000, 250_000], weights: [3, 1] },
          downloadBps: { kind: 'normal', mean: 1_000_000, sd: 250_000, min: 125_000 },
          arrival: { kind: 'poisson', ratePerS: 0.5 },
          afterDone: { kind: 'stay', forS: 600 },
          freeRiders: 0.1,
        },
        {
          name: 'late',
          count: 2,
          uploadBps: { kind: 'exponential', mean: 62_500 },
          downloadBps: { kind: 'choice', values: [500_000, 1_000_000], weights: [1, 1] },
          arrival: { kind: 'times', atS: [0, 90] },
          afterDone: { kind: 'forever' },
          freeRiders: 0,
        },
      ],
      network: { latencyS: { kind: 'uniform', min: 0.02, max: 0.08 } },
      tracker: { peersPerRequest: 30, reannounceS: 900 },
      strategy: {
        pieces: 'random',
        randomFirstPieces: 0,
        endgame: false,
        peers: 'least-loaded',
        maxConnections: 40,
        requestsInFlight: 10,
      },
      stop: { whenAllDone: true, atS: 21_600 },
      sampleEveryS: 0.5,
    };
    expect(parseSwarmScenario(raw, SOURCE)).toStrictEqual(expected);
  });

  it('reads one peer group given as a mapping like a list of that one group', () => {
    const asList = patched((raw) => {
      raw.peers = [raw.peers];
    });
    expect(parseSwarmScenario(minimal(), SOURCE)).toStrictEqual(parseSwarmScenario(asList, SOURCE));
  });

  it('names unnamed groups by position and keeps given names', () => {
    const raw = patched((raw) => {
      const one = group(raw);
      raw.peers = [one, { ...one, name: 'fast' }, one];
    });
    expect(parseSwarmScenario(raw, SOURCE).peers.map((peers) => peers.name)).toEqual([
      'group1',
      'fast',
      'group3',
    ]);
  });

  it('takes numbers as base units: bytes, bytes per second, seconds', () => {
    const raw = patched((raw) => {
      raw.file = { size: 1000, piece: 100, block: 10 };
      group(raw).upload = 50;
      raw['sample-every'] = 2;
    });
    const scenario = parseSwarmScenario(raw, SOURCE);
    expect(scenario.file).toEqual({ sizeBytes: 1000, pieceBytes: 100, blockBytes: 10 });
    expect(scenario.peers[0]?.uploadBps).toEqual({ kind: 'fixed', value: 50 });
    expect(scenario.sampleEveryS).toBe(2);
  });

  it('allows seeds with no upload when there are none, and upload 0 for peers', () => {
    const raw = patched((raw) => {
      raw.seeds = { count: 0 };
      group(raw).upload = 0;
    });
    const scenario = parseSwarmScenario(raw, SOURCE);
    expect(scenario.seeds).toEqual({ count: 0, uploadBps: { kind: 'fixed', value: 0 }, leaveAtS: null });
    expect(scenario.peers[0]?.uploadBps).toEqual({ kind: 'fixed', value: 0 });
  });

  it('refuses seeds that can only upload 0, naming the field', () => {
    for (const upload of [0, { uniform: [0, 0] }, { choice: [0, '0 kbit/s'] }]) {
      const raw = patched((raw) => {
        raw.seeds = { count: 2, upload };
      });
      expect(() => parseSwarmScenario(raw, SOURCE)).toThrow(/seeds.upload: must be more than 0/);
    }
  });

  it('reads the other forms of stop, leave and normal', () => {
    const raw = patched((raw) => {
      raw.stop = { at: '1 h' };
      (raw.seeds as Raw).leave = 'never';
      group(raw).upload = { normal: { mean: '1 Mbit/s', sd: '100 kbit/s' } };
    });
    const scenario = parseSwarmScenario(raw, SOURCE);
    expect(scenario.stop).toEqual({ whenAllDone: false, atS: 3600 });
    expect(scenario.seeds.leaveAtS).toBeNull();
    expect(scenario.peers[0]?.uploadBps).toEqual({ kind: 'normal', mean: 125_000, sd: 12_500, min: 0 });
    expect(
      parseSwarmScenario(
        patched((raw) => (raw.stop = { 'all-done': true })),
        SOURCE,
      ).stop,
    ).toEqual({
      whenAllDone: true,
      atS: null,
    });
  });

  it.each<[string, (raw: Raw) => void, string]>([
    [
      'a bad rate in the second group',
      (raw) => {
        raw.peers = [group(raw), { ...group(raw), upload: 'fast' }];
      },
      'peers[1].upload: expected a rate like "1 Mbit/s", got "fast"',
    ],
    [
      'an unknown strategy',
      (raw) => (raw.strategy = { pieces: 'rarest' }),
      'strategy.pieces: expected one of sequential, random, rarest-first, got "rarest"',
    ],
    [
      'a misspelled strategy',
      (raw) => (raw.strategy = { peers: 'tit-for-tar' }),
      'strategy.peers: expected one of random, least-loaded, tit-for-tat, got "tit-for-tar" ' +
        '(did you mean tit-for-tat?)',
    ],
    [
      'a misspelled field',
      (raw) => (raw.file = { sze: '700 MB', piece: '256 KiB' }),
      'file.size: missing: expected a size like "700 MB"\nx.yaml: file.sze: unknown field (did you mean size?)',
    ],
    [
      'a camelCase field',
      (raw) => (raw.sampleEvery = '1 s'),
      'sampleEvery: unknown field (did you mean sample-every?)',
    ],
    ['an unknown field with no near name', (raw) => (raw.colour = 'red'), 'colour: unknown field'],
    [
      'a piece larger than the file',
      (raw) => (raw.file = { size: '1 MB', piece: '2 MB' }),
      'file.piece: a piece (2000000 bytes) cannot be larger than the file (1000000 bytes)',
    ],
    [
      'a block larger than a piece',
      (raw) => (raw.file = { size: '1 MB', piece: '8 KiB' }),
      'file.block: a block (16384 bytes) cannot be larger than a piece (8192 bytes)',
    ],
    [
      'a file of size 0',
      (raw) => (raw.file = { size: 0, piece: 0 }),
      'file.size: must be more than 0, got 0\nx.yaml: file.piece: must be more than 0, got 0',
    ],
    [
      'a fractional number of bytes',
      (raw) => (raw.file = { size: '1 MB', piece: '1.3 KiB' }),
      'file.piece: "1.3 KiB" is 1331.2 bytes, not a whole number',
    ],
    ['no file', (raw) => delete raw.file, 'file: missing: expected a mapping with fields size, piece, block'],
    [
      'a file that is not a mapping',
      (raw) => (raw.file = '700 MB'),
      'file: expected a mapping with fields size, piece, block, got "700 MB"',
    ],
    [
      'a negative seed count',
      (raw) => ((raw.seeds as Raw).count = -1),
      'seeds.count: expected a whole number >= 0, got -1',
    ],
    [
      'seeds without upload',
      (raw) => delete raw.seeds,
      'seeds.upload: missing: expected a rate like "1 Mbit/s" (or a distribution) for the seed',
    ],
    [
      'seeds that leave at a word',
      (raw) => ((raw.seeds as Raw).leave = 'soon'),
      'seeds.leave: expected never or a duration like "2 h", got "soon"',
    ],
    [
      'seeds that leave at once',
      (raw) => ((raw.seeds as Raw).leave = 0),
      'seeds.leave: must be more than 0: seeds that leave at once leave nothing to download',
    ],
    [
      'no peers field',
      (raw) => delete raw.peers,
      'peers: missing: expected a peer group (a mapping) or a list of groups',
    ],
    [
      'peers as a number',
      (raw) => (raw.peers = 5),
      'peers: expected a peer group (a mapping) or a list of groups, got 5',
    ],
    [
      'an empty list of groups',
      (raw) => (raw.peers = []),
      'peers: expected a list of peer groups with at least one entry',
    ],
    [
      'no peers at all',
      (raw) =>
        (raw.peers = [
          { ...group(raw), count: 0 },
          { ...group(raw), count: 0 },
        ]),
      'peers: no peers: every group has count 0, so there is nothing to download',
    ],
    [
      'a fractional count',
      (raw) => (group(raw).count = 1.5),
      'peers.count: expected a whole number >= 0, got 1.5',
    ],
    [
      'a group without count',
      (raw) => delete group(raw).count,
      'peers.count: missing: expected a whole number >= 0',
    ],
    [
      'two groups with one name',
      (raw) =>
        (raw.peers = [
          { ...group(raw), name: 'a' },
          { ...group(raw), name: 'a' },
        ]),
      'peers[1].name: "a" is already the name of peers[0]',
    ],
    ['an empty name', (raw) => (raw.name = ''), 'name: expected non-empty text, got ""'],
    [
      'a download rate of 0',
      (raw) => (group(raw).download = '0 Mbit/s'),
      'peers.download: must be more than 0, got "0 Mbit/s"',
    ],
    [
      'a download range from 0',
      (raw) => (group(raw).download = { uniform: [0, '1 Mbit/s'] }),
      'peers.download.uniform[0]: must be more than 0, got 0',
    ],
    [
      'a normal download rate without min',
      (raw) => (group(raw).download = { normal: { mean: '8 Mbit/s', sd: '1 Mbit/s' } }),
      'peers.download.normal.min: missing: min defaults to 0, but this value must stay above 0: give a min above 0',
    ],
    [
      'a normal min far above the mean',
      (raw) => (group(raw).upload = { normal: { mean: 10, sd: 1, min: 14 } }),
      'peers.upload.normal.min: must be at most 3 sd above the mean: values are redrawn until they reach min',
    ],
    [
      'a reversed uniform range',
      (raw) => (group(raw).upload = { uniform: ['2 Mbit/s', '1 Mbit/s'] }),
      'peers.upload.uniform: the first value (min) is larger than the second (max)',
    ],
    [
      'a uniform range of one value',
      (raw) => (group(raw).upload = { uniform: ['1 Mbit/s'] }),
      'peers.upload.uniform: expected two values [min, max], got 1',
    ],
    [
      'two distributions at once',
      (raw) => (group(raw).upload = { uniform: [1, 2], exponential: 1 }),
      'peers.upload: expected only one of uniform, exponential, normal, choice, got uniform and exponential',
    ],
    [
      'an empty distribution',
      (raw) => (group(raw).upload = {}),
      'peers.upload: expected one of the fields uniform, exponential, normal, choice',
    ],
    [
      'a list as a rate',
      (raw) => (group(raw).upload = ['1 Mbit/s']),
      'peers.upload: expected a rate like "1 Mbit/s", or a distribution: ' +
        '{ uniform | exponential | normal | choice }, got a list',
    ],
    [
      'an exponential mean of 0',
      (raw) => (group(raw).upload = { exponential: 0 }),
      'peers.upload.exponential: must be more than 0, got 0',
    ],
    [
      'fewer weights than values',
      (raw) => (group(raw).upload = { choice: { values: [1, 2], weights: [1] } }),
      'peers.upload.choice.weights: expected 2 weights, one per value, got 1',
    ],
    [
      'a zero weight',
      (raw) => (group(raw).upload = { choice: { values: [1, 2], weights: [1, 0] } }),
      'peers.upload.choice.weights[1]: expected a weight (a number > 0), got 0',
    ],
    [
      'an empty choice',
      (raw) => (group(raw).upload = { choice: [] }),
      'peers.upload.choice: expected a list of values with at least one entry',
    ],
    [
      'a misspelled arrival',
      (raw) => (group(raw).arrival = 'flsh'),
      'peers.arrival: expected flash, { poisson: <rate> } or { times: [<durations>] }, got "flsh" ' +
        '(did you mean flash?)',
    ],
    [
      'arrival times that do not match the count',
      (raw) => (group(raw).arrival = { times: [0, '1 s'] }),
      'peers.arrival.times: expected 10 times, one per peer of the group (its count), got 2',
    ],
    [
      'a negative arrival time',
      (raw) => (group(raw).arrival = { times: ['-1 s'] }),
      'peers.arrival.times[0]: must not be negative, got "-1 s"',
    ],
    [
      'a Poisson rate of 0',
      (raw) => (group(raw).arrival = { poisson: '0/s' }),
      'peers.arrival.poisson: must be more than 0, got "0/s"',
    ],
    [
      'a bare "stay"',
      (raw) => (group(raw).after = 'stay'),
      'peers.after: expected leave, forever or { stay: <duration> }, got "stay"',
    ],
    [
      'a free-rider fraction above 1',
      (raw) => (group(raw)['free-riders'] = 1.5),
      'peers.free-riders: expected a fraction from 0 to 1, got 1.5',
    ],
    [
      'a negative latency',
      (raw) => (raw.network = { latency: '-5 ms' }),
      'network.latency: must not be negative, got "-5 ms"',
    ],
    [
      'no peers per tracker request',
      (raw) => (raw.tracker = { 'peers-per-request': 0 }),
      'tracker.peers-per-request: expected a whole number >= 1, got 0',
    ],
    [
      'endgame as text',
      (raw) => (raw.strategy = { endgame: 'yes' }),
      'strategy.endgame: expected true or false, got "yes"',
    ],
    [
      'no connections',
      (raw) => (raw.strategy = { 'max-connections': 0 }),
      'strategy.max-connections: expected a whole number >= 1, got 0',
    ],
    [
      'a run that never stops',
      (raw) => (raw.stop = { 'all-done': false }),
      'stop: the run would never stop: give at: <duration>, or all-done: true',
    ],
    [
      'an unknown stop',
      (raw) => (raw.stop = 'never'),
      'stop: expected all-done, { at: <duration> } or { all-done: true, at: <duration> }, got "never"',
    ],
    [
      'sampling every 0 s',
      (raw) => (raw['sample-every'] = '0 s'),
      'sample-every: must be more than 0, got "0 s"',
    ],
  ])('names the field of %s', (_, change, problem) => {
    expect(problemOf(patched(change))).toBe(problem);
  });

  it('says what a scenario is when given something else', () => {
    const fields = 'name, description, file, seeds, peers, network, tracker, strategy, stop, sample-every';
    expect(problemOf([])).toBe(`expected a mapping with fields ${fields}, got a list`);
    expect(problemOf(null)).toBe(`expected a mapping with fields ${fields}, got nothing`);
  });

  it('lists every error, each as path: field: problem', () => {
    const raw = patched((raw) => {
      raw.file = { size: 'big', piece: '256 KiB' };
      raw.strategy = { pieces: 'x', endgame: 1 };
    });
    const error = (() => {
      try {
        return parseSwarmScenario(raw, SOURCE);
      } catch (error) {
        return error as InputError;
      }
    })() as InputError;
    expect(error.message).toBe(
      [
        'x.yaml: file.size: expected a size like "700 MB", got "big"',
        'x.yaml: strategy.pieces: expected one of sequential, random, rarest-first, got "x"',
        'x.yaml: strategy.endgame: expected true or false, got 1',
      ].join('\n'),
    );
  });

  it('lists at most 10 errors', () => {
    const raw = patched((raw) => {
      raw.peers = { ...group(raw), count: 12, arrival: { times: Array.from({ length: 12 }, () => 'x') } };
    });
    const lines = problemOf(raw).split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('x.yaml: and 2 more errors');
  });

  it('puts errors in file order, with their lines, when the source knows lines', () => {
    const lines: Record<string, number> = { 'file.size': 7, strategy: 3 };
    const source: ScenarioSource = {
      ...SOURCE,
      lineOf: (field) => lines[field.map(String).join('.')] ?? lines[String(field[0])],
    };
    const raw = patched((raw) => {
      raw.file = { size: 'big', piece: '256 KiB' };
      raw.strategy = { pieces: 'x' };
    });
    try {
      parseSwarmScenario(raw, source);
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).line).toBe(3);
      expect((error as InputError).message).toBe(
        'x.yaml:3: strategy.pieces: expected one of sequential, random, rarest-first, got "x"\n' +
          'x.yaml:7: file.size: expected a size like "700 MB", got "big"',
      );
    }
  });

  it('throws only InputError, whatever the input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        expect(() => parseSwarmScenario(raw, SOURCE)).toThrow(InputError);
      }),
    );
  });

  it('throws only InputError for any change to a valid scenario', () => {
    const valid = parseYamlScenario();
    const fields = fieldsOf(valid);
    expect(parseSwarmScenario(valid, SOURCE).peers).toHaveLength(2);
    fc.assert(
      fc.property(fc.nat(), fc.option(fc.jsonValue(), { nil: undefined }), (pick, value) => {
        const field = fields[pick % fields.length] as (string | number)[];
        const raw = setAt(structuredClone(valid), field, value);
        try {
          const scenario = parseSwarmScenario(raw, SOURCE);
          expect(scenario.peers.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

function parseYamlScenario(): unknown {
  return parse(`
file: { size: 1 MB, piece: 64 KiB }
seeds: { count: 1, upload: { uniform: [1 Mbit/s, 2 Mbit/s] }, leave: 1 h }
peers:
  - { count: 3, upload: { choice: { values: [1, 2], weights: [1, 2] } }, download: 8 Mbit/s,
      arrival: { times: [0, 1 s, 2 s] }, after: { stay: 1 min } }
  - { count: 2, upload: { normal: { mean: 10, sd: 1 } }, download: { exponential: 1 MB/s }, arrival: { poisson: 1/s } }
network: { latency: { uniform: [10 ms, 20 ms] } }
strategy: { pieces: random, max-connections: 10 }
stop: { at: 1 h }
`);
}

/** Every field path in a parsed document, the root included. */
function fieldsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const children = Array.isArray(value)
    ? value.flatMap((item, index) => fieldsOf(item, [...prefix, index]))
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, item]) => fieldsOf(item, [...prefix, key]))
      : [];
  return [prefix, ...children];
}

/** `root` with the value at `field` replaced (or removed, for undefined). */
function setAt(root: unknown, field: readonly (string | number)[], value: unknown): unknown {
  if (field.length === 0) return value;
  let node = root as Record<string | number, unknown>;
  for (const key of field.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = field.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return root;
}
