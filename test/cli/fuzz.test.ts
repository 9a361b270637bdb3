// The whole command line under random arguments and files, as a careless or hostile user would give
// them: whatever happens, the exit code is 0, 1 or 2, stderr holds no stack trace, no temporary file is
// left behind, and a command that fails leaves its destinations as they were (issue 11, "done when").
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGING_PREFIX } from '../../src/util/output-set.ts';
import { runCli } from './in-process.ts';
import { makeTempDir, removeTempDirs, STACK_FRAME } from './spawn.ts';

let results: string;

beforeAll(async () => {
  const root = await makeTempDir('fuzz');
  results = join(root, 'good.json');
  const made = await runCli(['run', 'examples/basic', '-q', '--out', join(root, 'out'), '--json', results]);
  expect(made.code, made.stderr).toBe(0);
});

afterAll(removeTempDirs);

/** Every file under `dir` with its content; folders as entries of their own. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    all.set(path, entry.isFile() ? await readFile(path, 'utf8') : '<folder>');
  }
  return all;
}

const hostileText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '1',
    '-1',
    '1e9',
    '1.5',
    'x',
    '99999999999999999999',
    '4294967296',
    '\u0000',
    '\u001b[2J',
    '..',
    '/',
  ),
  fc.string({ maxLength: 12 }),
);

/** A short line of an in-file: mostly well formed, sometimes not. */
const inLine = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('0', '1', '2', 'f 2', 'g 1', 'aa', 'bb', 'f', 'g', '') },
  { weight: 1, arbitrary: hostileText },
);
const inFile = fc.array(inLine, { maxLength: 12 }).map((lines) => lines.join('\n'));

/** Clients that make a run: client 1 wants f (and f.partial), client 2 owns them. */
const goodInFiles = fc.constantFrom(
  ['0\n1\nf\n', '1\nf 2\naa\nbb\n0\n'],
  ['0\n2\nf.partial\nf\n', '2\nf 2\naa\nbb\nf.partial 1\ncc\n0\n', '0\n1\nf\n'],
);

/** Where an output goes: mostly somewhere fresh; else an existing file or folder, a device, an input. */
const destination = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('fresh', 'fresh/deeper') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('a-file', 'a-folder', 'a-file/under', '/dev/full', 'in/in1.txt', 'in'),
  },
);

const runArgs = fc.record({
  inFiles: fc.oneof(
    { weight: 2, arbitrary: goodInFiles },
    { weight: 1, arbitrary: fc.array(inFile, { maxLength: 3 }) },
  ),
  runtime: fc.constantFrom('sim', 'sim', 'sim', 'threads', 'net'),
  seed: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('1', '7') }, { weight: 1, arbitrary: hostileText }),
  extra: fc.subarray(['--out', '--json', '--report', '--csv', '--timeout', '--strategy']),
  where: fc.array(destination, { minLength: 6, maxLength: 6 }),
  strategy: fc.constantFrom('random', 'least-loaded', 'best'),
});

const count = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max }).map(String) },
    { weight: 1, arbitrary: hostileText },
  );

const genArgs = fc.record({
  clients: count(6),
  files: count(4),
  maxSegments: fc.oneof(count(20), fc.constant('1000000000000')),
  minSegments: count(5),
  want: fc.constantFrom('0', '0.5', '1', '2', 'x'),
  where: destination,
  force: fc.boolean(),
});

const goodSet = fc.constantFrom(
  'peers.count=3',
  'strategy.pieces=random',
  'sample-every=5 s',
  'stop.at=30 s',
);
const badSet = fc.constantFrom(
  'peers.count=0',
  'peers.count=-1',
  'peers.count=1e9',
  'file.size=1 TB',
  'file.piece=1 B',
  'file.piece=fast',
  'sample-every=1e-300 s',
  'strategy.peers=best',
  '__proto__.x=1',
  'constructor.prototype.x=1',
  'tracker.reannounce=0 s',
  '=',
  'x',
);

const simulateArgs = fc.record({
  sets: fc.array(fc.oneof({ weight: 3, arbitrary: goodSet }, { weight: 1, arbitrary: badSet }), {
    maxLength: 3,
  }),
  scenario: fc.oneof(
    { weight: 3, arbitrary: fc.constant('scenarios/classic.yaml') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('scenarios/no-such.yaml', 'README.md', 'in/in1.txt', 'bad.yaml'),
    },
  ),
  where: fc.array(destination, { minLength: 3, maxLength: 3 }),
  outputs: fc.subarray(['--json', '--csv', '--report']),
});

/** A fresh sandbox: an input folder with in-files, a file, a folder, a bad YAML, and a results file. */
async function sandbox(inFiles: readonly string[]): Promise<string> {
  const dir = await makeTempDir('case');
  await mkdir(join(dir, 'in'));
  for (const [i, text] of inFiles.entries()) await writeFile(join(dir, 'in', `in${i + 1}.txt`), text);
  await writeFile(join(dir, 'a-file'), 'a file');
  await mkdir(join(dir, 'a-folder'));
  await writeFile(join(dir, 'bad.yaml'), 'peers: [\n  count: 3\n---\nx: 1\n');
  await writeFile(join(dir, 'good.json'), await readFile(results, 'utf8'));
  return dir;
}

const at = (dir: string, where: string) => (where.startsWith('/') ? where : join(dir, where));

/** Runs the command in the sandbox and checks what every command must keep, whatever its arguments. */
async function check(dir: string, args: readonly string[]): Promise<number> {
  const before = await snapshot(dir);
  const result = await runCli(args);
  const context = `swarmlab ${JSON.stringify(args)}\n${result.stderr}`;
  expect([0, 1, 2], context).toContain(result.code);
  expect(result.stderr, context).not.toMatch(STACK_FRAME);
  const after = await snapshot(dir);
  for (const path of after.keys()) expect(path, context).not.toContain(STAGING_PREFIX);
  // A command that fails writes nothing: the sandbox is as it was.
  if (result.code !== 0) expect(after, context).toEqual(before);
  return result.code;
}

describe('the CLI under random arguments and files', () => {
  it('run', async () => {
    const codes = new Set<number>();
    await fc.assert(
      fc.asyncProperty(runArgs, async (args) => {
        const dir = await sandbox(args.inFiles);
        const flags = ['run', join(dir, 'in'), '-q', '--runtime', args.runtime, '--seed', args.seed];
        for (const [i, flag] of args.extra.entries()) {
          if (flag === '--timeout') flags.push(flag, args.seed);
          else if (flag === '--strategy') flags.push(flag, args.strategy);
          else flags.push(flag, at(dir, args.where[i] as string));
        }
        codes.add(await check(dir, flags));
      }),
      { seed: 11, numRuns: 80 },
    );
    // The cases must reach both runs that work and input that is refused, or they test little.
    expect([...codes]).toEqual(expect.arrayContaining([0, 2]));
  }, 120_000);

  it('gen', async () => {
    const codes = new Set<number>();
    await fc.assert(
      fc.asyncProperty(genArgs, async (args) => {
        const dir = await sandbox(['0\n0\n']);
        const flags = ['gen', at(dir, args.where), '--clients', args.clients, '--files', args.files];
        flags.push(
          '--max-segments',
          args.maxSegments,
          '--min-segments',
          args.minSegments,
          '--want',
          args.want,
        );
        if (args.force) flags.push('--force');
        codes.add(await check(dir, flags));
      }),
      { seed: 12, numRuns: 60 },
    );
    expect([...codes]).toEqual(expect.arrayContaining([0, 2]));
  }, 120_000);

  it('simulate and bound', async () => {
    const codes = new Set<number>();
    await fc.assert(
      fc.asyncProperty(simulateArgs, async (args) => {
        const dir = await sandbox(['0\n0\n']);
        const scenario = args.scenario.startsWith('scenarios/') ? args.scenario : join(dir, args.scenario);
        const sets = args.sets.flatMap((set) => ['--set', set]);
        await check(dir, ['bound', scenario, ...sets]);
        const flags = ['simulate', scenario, '-q', ...sets];
        for (const [i, flag] of args.outputs.entries()) flags.push(flag, at(dir, args.where[i] as string));
        codes.add(await check(dir, flags));
      }),
      { seed: 13, numRuns: 40 },
    );
    expect([...codes]).toEqual(expect.arrayContaining([0, 2]));
  }, 180_000);

  it('report, and commands and flags that do not exist', async () => {
    const inputs = fc.constantFrom(
      'good.json',
      'bad.yaml',
      'a-file',
      'a-folder',
      'missing.json',
      'in/in1.txt',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(inputs, { maxLength: 3 }),
        destination,
        fc.array(hostileText, { maxLength: 3 }),
        async (chosen, output, junk) => {
          const dir = await sandbox(['0\n0\n']);
          await check(dir, ['report', ...chosen.map((input) => join(dir, input)), '-o', at(dir, output)]);
          await check(dir, junk);
          await check(dir, ['run', ...junk]);
        },
      ),
      { seed: 14, numRuns: 60 },
    );
  }, 120_000);
});
