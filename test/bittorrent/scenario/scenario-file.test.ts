import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyOverrides, readSwarmScenario } from '../../../src/bittorrent/scenario/scenario-file.ts';
import { InputError } from '../../../src/util/input-error.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swarmlab-scenario-file-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Awaits `promise`, which must reject with an InputError; returns it. */
async function inputErrorOf(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

/** Runs `act`, which must throw an InputError; returns it. */
function thrownBy(act: () => unknown): InputError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

const YAML_SCENARIO = lines(
  '# Two groups, one seed.',
  'description: two groups',
  'file: { size: 1 MB, piece: 64 KiB }',
  'seeds:',
  '  upload: 10 Mbit/s',
  'peers:',
  '  - name: fast',
  '    count: 5',
  '    upload: 2 Mbit/s',
  '    download: 20 Mbit/s',
  '  - name: slow',
  '    count: 20',
  '    upload: 0',
  '    download: 1 Mbit/s',
);

const JSON_SCENARIO = lines(
  '{',
  '  "description": "two groups",',
  '  "file": { "size": "1 MB", "piece": "64 KiB" },',
  '  "seeds": { "upload": "10 Mbit/s" },',
  '  "peers": [',
  '    { "name": "fast", "count": 5, "upload": "2 Mbit/s", "download": "20 Mbit/s" },',
  '    { "name": "slow", "count": 20, "upload": 0, "download": "1 Mbit/s" }',
  '  ]',
  '}',
);

describe('readSwarmScenario', () => {
  it('reads a YAML file, named after the file', async () => {
    const scenario = await readSwarmScenario(await write('two-groups.yaml', YAML_SCENARIO));
    expect(scenario.name).toBe('two-groups');
    expect(scenario.description).toBe('two groups');
    expect(scenario.file).toEqual({ sizeBytes: 1_000_000, pieceBytes: 65_536, blockBytes: 16_384 });
    expect(scenario.peers.map(({ name, count }) => [name, count])).toEqual([
      ['fast', 5],
      ['slow', 20],
    ]);
  });

  it('reads .yml and .json files into the same scenario', async () => {
    const fromYaml = await readSwarmScenario(await write('s.yaml', YAML_SCENARIO));
    expect(await readSwarmScenario(await write('s.yml', YAML_SCENARIO))).toEqual(fromYaml);
    expect(await readSwarmScenario(await write('s.json', JSON_SCENARIO))).toEqual(fromYaml);
  });

  it('accepts upper-case extensions and a byte order mark', async () => {
    const scenario = await readSwarmScenario(await write('s.YAML', `\uFEFF${YAML_SCENARIO}`));
    expect(scenario.name).toBe('s');
  });

  it('refuses other extensions, saying which are accepted', async () => {
    const path = await write('s.toml', YAML_SCENARIO);
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.message).toBe(`${path}: a scenario file ends in .yaml, .yml or .json, not .toml`);
    const bare = await write('scenario', YAML_SCENARIO);
    expect((await inputErrorOf(readSwarmScenario(bare))).problem).toBe(
      'a scenario file ends in .yaml, .yml or .json, it has no extension',
    );
  });

  it('reports a missing file and a folder', async () => {
    const missing = join(dir, 'missing.yaml');
    expect((await inputErrorOf(readSwarmScenario(missing))).message).toBe(`${missing}: no such file`);
    const folder = join(dir, 'folder.yaml');
    await mkdir(folder);
    expect((await inputErrorOf(readSwarmScenario(folder))).problem).toBe('is a folder, not a file');
  });

  it('gives the line of a YAML syntax error', async () => {
    const path = await write('bad.yaml', lines('file:', '  size: 1 MB', ' piece: 64 KiB', 'seeds: {}'));
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(new RegExp(`^${path}:3: invalid YAML at column \\d+: `));
  });

  it('gives the line of a duplicate YAML key', async () => {
    const path = await write(
      'twice.yaml',
      lines('file: { size: 1 MB, piece: 64 KiB }', 'seeds: {}', 'seeds: {}'),
    );
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(/^invalid YAML at column 1: Map keys must be unique/);
  });

  it('reports an unresolved YAML alias', async () => {
    const path = await write('alias.yaml', lines('file: *nowhere'));
    expect((await inputErrorOf(readSwarmScenario(path))).problem).toMatch(/^invalid YAML: Unresolved alias/);
  });

  it.each([
    ['a trailing comma', lines('{', '  "file": { "size": 1 },', '}'), 3, 1],
    ['a missing value', lines('{', '  "file": {', '    "size": ', '  }', '}'), 4, 3],
    ['a single-quoted string', lines('{', '  "name": \'x\'', '}'), 2, 11],
    ['two values', lines('{}', '{}'), 2, 1],
    ['an empty file', '', 1, 1],
  ])('gives the line and column of a JSON syntax error: %s', async (_, text, line, column) => {
    const path = await write('bad.json', text);
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(new RegExp(`^invalid JSON at column ${column}: \\S`));
    expect(error.problem).not.toContain('\n');
  });

  it('gives the line of a bad field in a YAML file', async () => {
    const path = await write('s.yaml', YAML_SCENARIO.replace('download: 1 Mbit/s', 'download: slow'));
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.message).toBe(`${path}:14: peers[1].download: expected a rate like "1 Mbit/s", got "slow"`);
  });

  it('gives the line of an unknown field', async () => {
    const path = await write('s.yaml', YAML_SCENARIO.replace('  upload: 10 Mbit/s', '  uplaod: 10 Mbit/s'));
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.message).toBe(`${path}:5: seeds.uplaod: unknown field (did you mean upload?)`);
  });

  it('gives a missing field the line of the mapping that lacks it', async () => {
    const path = await write('s.yaml', YAML_SCENARIO.replace('    count: 20\n', ''));
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.message).toBe(`${path}:11: peers[1].count: missing: expected a whole number >= 0`);
  });

  it('gives the line of a bad field in a JSON file', async () => {
    const path = await write('s.json', JSON_SCENARIO.replace('"count": 20', '"count": -20'));
    const error = await inputErrorOf(readSwarmScenario(path));
    expect(error.message).toBe(`${path}:7: peers[1].count: expected a whole number >= 0, got -20`);
  });

  it('applies overrides before validating', async () => {
    const path = await write('s.yaml', YAML_SCENARIO);
    const scenario = await readSwarmScenario(path, [
      'peers[1].count=200',
      'peers.0.upload=5 Mbit/s',
      'strategy.pieces=sequential',
      'stop.at=2 h',
    ]);
    expect(scenario.peers[1]?.count).toBe(200);
    expect(scenario.peers[0]?.uploadBps).toEqual({ kind: 'fixed', value: 625_000 });
    expect(scenario.strategy.pieces).toBe('sequential');
    expect(scenario.stop).toEqual({ whenAllDone: false, atS: 7200 });
  });

  it('gives no file line for a bad value that came from an override', async () => {
    const path = await write('s.yaml', YAML_SCENARIO);
    const error = await inputErrorOf(readSwarmScenario(path, ['peers[1].download=0']));
    expect(error.line).toBeUndefined();
    expect(error.message).toBe(`${path}: peers[1].download: must be more than 0, got 0`);
  });

  it('reports an override that names a list field ambiguously against the file', async () => {
    const path = await write('s.yaml', YAML_SCENARIO);
    const error = await inputErrorOf(readSwarmScenario(path, ['peers.count=1']));
    expect(error.message).toBe(
      `${path}: --set peers.count=1: peers has 2 groups: say peers[0].count or peers[1].count`,
    );
  });
});

describe('applyOverrides', () => {
  const raw = {
    file: { size: '1 MB', piece: '64 KiB' },
    peers: [
      { name: 'a', count: 1 },
      { name: 'b', count: 2 },
    ],
  };

  it('reads numbers, booleans and text with units as YAML does', () => {
    expect(
      applyOverrides(raw, ['peers[0].count=20000', 'strategy.endgame=false', 'file.size=2 GB'], 's'),
    ).toEqual({
      file: { size: '2 GB', piece: '64 KiB' },
      peers: [
        { name: 'a', count: 20_000 },
        { name: 'b', count: 2 },
      ],
      strategy: { endgame: false },
    });
  });

  it('indexes lists as peers[1].count or peers.1.count', () => {
    const bracketed = applyOverrides(raw, ['peers[1].count=7'], 's');
    expect(bracketed).toEqual(applyOverrides(raw, ['peers.1.count=7'], 's'));
    expect((bracketed as typeof raw).peers[1]).toEqual({ name: 'b', count: 7 });
  });

  it('applies a field of a one-group list to that group', () => {
    const one = { peers: [{ count: 1 }] };
    expect(applyOverrides(one, ['peers.count=9'], 's')).toEqual({ peers: [{ count: 9 }] });
    expect(applyOverrides({ peers: { count: 1 } }, ['peers.count=9'], 's')).toEqual({ peers: { count: 9 } });
  });

  it('asks which entry a field of a longer list means', () => {
    const error = thrownBy(() => applyOverrides(raw, ['peers.count=5'], 's.yaml'));
    expect(error.path).toBe('s.yaml');
    expect(error.problem).toBe(
      '--set peers.count=5: peers has 2 groups: say peers[0].count or peers[1].count',
    );
    const six = { peers: [1, 2, 3, 4, 5, 6].map((count) => ({ count })) };
    expect(thrownBy(() => applyOverrides(six, ['peers.arrival.poisson=1/s'], 's')).problem).toBe(
      '--set peers.arrival.poisson=1/s: peers has 6 groups: ' +
        'say one of peers[0].arrival.poisson to peers[5].arrival.poisson',
    );
  });

  it('creates fields that do not exist yet, for the schema to judge', () => {
    expect(
      applyOverrides(raw, ['network.latency.uniform=[10 ms, 20 ms]', 'peers[0].after=forever'], 's'),
    ).toEqual({
      ...raw,
      peers: [{ name: 'a', count: 1, after: 'forever' }, raw.peers[1]],
      network: { latency: { uniform: ['10 ms', '20 ms'] } },
    });
    expect(applyOverrides(undefined, ['file.size=1 MB'], 's')).toEqual({ file: { size: '1 MB' } });
  });

  it('reads flow mappings and quoted text, and keeps other text as written', () => {
    const changed = applyOverrides(
      {},
      ['a={ poisson: 30/min }', "b='5'", 'c=note: this', 'd=run #2', 'e=', 'f=  spaced  ', 'g=- x', 'h=~'],
      's',
    );
    expect(changed).toEqual({
      a: { poisson: '30/min' },
      b: '5',
      c: 'note: this',
      d: 'run #2',
      e: '',
      f: 'spaced',
      g: '- x',
      h: null,
    });
  });

  it('applies overrides in order, so a later one wins', () => {
    expect(applyOverrides({}, ['a=1', 'a=2'], 's')).toEqual({ a: 2 });
  });

  it('leaves its input unchanged', () => {
    const before = structuredClone(raw);
    applyOverrides(raw, ['peers[0].count=5', 'file.block=32 KiB'], 's');
    expect(raw).toEqual(before);
  });

  it.each([
    ['peers[5].count=1', '--set peers[5].count=1: peers has 2 groups: there is no peers[5]'],
    ['file.size.unit=MB', '--set file.size.unit=MB: file.size is "1 MB", not a mapping'],
    ['file[0]=1', '--set file[0]=1: file is a mapping, not a list'],
  ])('refuses %s', (override, problem) => {
    expect(thrownBy(() => applyOverrides(raw, [override], 's')).problem).toBe(problem);
  });

  it.each(['peers.count', '=5', 'a..b=1', 'a.=1', 'a[x]=1', '.a=1'])(
    'refuses the malformed %j as --set',
    (override) => {
      const error = thrownBy(() => applyOverrides(raw, [override], 's'));
      expect(error.path).toBe('--set');
      expect(error.problem).toBe(
        `expected field=value, like peers[0].count=500 or strategy.pieces=random, got ${JSON.stringify(override)}`,
      );
    },
  );

  it('throws only InputError, whatever the overrides', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.string(), { maxLength: 3 }), (value, overrides) => {
        try {
          applyOverrides(value, overrides, 's');
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
    );
  });
});

describe('readSwarmScenario, on any file', () => {
  it('resolves or throws InputError, for any JSON value written as YAML or JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.boolean(), async (value, asJson) => {
        const path = await write(
          asJson ? 'any.json' : 'any.yaml',
          asJson ? JSON.stringify(value) : stringify(value),
        );
        await readSwarmScenario(path).catch((error: unknown) => {
          expect(error).toBeInstanceOf(InputError);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('resolves or throws InputError, for any text and overrides', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constant(YAML_SCENARIO), mutatedText(YAML_SCENARIO)),
        fc.array(fc.oneof(fc.string(), fc.constantFrom('peers.count=1', 'peers[1].upload=1 Mbit/s')), {
          maxLength: 2,
        }),
        async (text, overrides) => {
          const path = await write('any.yaml', text);
          await readSwarmScenario(path, overrides).catch((error: unknown) => {
            expect(error).toBeInstanceOf(InputError);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** `text` with a slice replaced by random characters: a scenario file with a typo or a bad edit. */
function mutatedText(text: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat(text.length), fc.nat(8), fc.string({ maxLength: 8 }))
    .map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut));
}
