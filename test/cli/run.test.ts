// End to end: `swarmlab run` through main(), on the bundled example and on hand-made bad inputs.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  EXAMPLE,
  expectExit,
  expectedOutputs,
  listDir,
  makeTempDir,
  type ParsedClient,
  parseSummaryTable,
  ROOT,
  readScenarioDir,
  removeTempDirs,
  STACK_FRAME,
  segmentsNeeded,
  snapshotDir,
  swarmlab,
} from './spawn.ts';

let example: ParsedClient[];
let wanted: Map<string, string>;

beforeAll(async () => {
  example = await readScenarioDir(EXAMPLE);
  wanted = expectedOutputs(example);
});

afterEach(removeTempDirs);

/** The folder's client<R>_<file> outputs with their content. */
async function outputsIn(dir: string): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  for (const name of (await listDir(dir)) ?? []) {
    if (name.startsWith('client')) outputs.set(name, await readFile(join(dir, name), 'utf8'));
  }
  return outputs;
}

/** stdout with the only figure allowed to change between runs, the wall time, blanked out. */
function withoutWallTime(stdout: string): string {
  return stdout.replace(/\d+ ms/g, 'N ms');
}

describe('run examples/basic', () => {
  it('reads the example as 4 clients that want 5 files', () => {
    // The tests below derive what to expect from the in files; make sure they derive something.
    expect(example.map((client) => client.rank)).toEqual([1, 2, 3, 4]);
    expect([...wanted.keys()].sort()).toEqual([
      'client1_file1',
      'client1_file2',
      'client1_file3',
      'client2_file3',
      'client4_file1',
    ]);
    expect(segmentsNeeded(example)).toBeGreaterThan(0);
  });

  it('writes every wanted file with its hashes, prints the summary, and leaves the example alone', async () => {
    const before = await snapshotDir(EXAMPLE);
    const out = await makeTempDir('out');

    const result = await swarmlab(['run', 'examples/basic', '--out', out, '--quiet']);

    expectExit(result, 0);
    expect(result.stderr).toBe('');
    expect(wanted.size).toBeGreaterThan(0);
    expect(await listDir(out)).toEqual([...wanted.keys()].sort());
    expect(await outputsIn(out)).toEqual(wanted);

    const table = parseSummaryTable(result.stdout);
    expect(table.header).toEqual(['rank', 'downloaded', 'served', 'refused', 'files']);
    expect([...table.rows.keys()]).toEqual(['client 1', 'client 2', 'client 3', 'client 4', 'total']);
    const total = table.rows.get('total');
    expect(total?.[0]).toBe(segmentsNeeded(example));
    // Every segment downloaded was served by someone; the totals are the column sums.
    expect(total?.[1]).toBe(total?.[0]);
    for (const column of [0, 1, 2, 3]) {
      const sum = [1, 2, 3, 4].reduce(
        (acc, rank) => acc + (table.rows.get(`client ${rank}`)?.[column] ?? 0),
        0,
      );
      expect(sum, `column ${column}`).toBe(total?.[column]);
    }
    // Client 3 wants nothing, so it downloads nothing; client 1 wants every file.
    expect(table.rows.get('client 3')?.[0]).toBe(0);
    expect(total?.[3]).toBe(wanted.size);

    expect(result.stdout).toContain('runtime sim, seed 1, strategy random:');
    const jain = /Jain's index (\d+\.\d+)/.exec(result.stdout);
    expect(jain).not.toBeNull();
    expect(Number(jain?.[1])).toBeGreaterThan(0);
    expect(Number(jain?.[1])).toBeLessThanOrEqual(1);
    expect(result.stdout).toContain(`wrote ${wanted.size} output files to ${out}\n`);

    expect(await snapshotDir(EXAMPLE)).toEqual(before);
  });

  it('writes byte-identical outputs on the threads runtime and on sim', async () => {
    const simOut = await makeTempDir('sim');
    const threadsOut = await makeTempDir('threads');

    const sim = await swarmlab(['run', 'examples/basic', '--runtime', 'sim', '--out', simOut, '--quiet']);
    const threads = await swarmlab([
      'run',
      'examples/basic',
      '--runtime',
      'threads',
      '--out',
      threadsOut,
      '--quiet',
    ]);

    expectExit(sim, 0);
    expectExit(threads, 0);
    expect(threads.stdout).toContain('runtime threads, seed 1, strategy random:');
    expect(await listDir(threadsOut)).toEqual(await listDir(simOut));
    expect(await listDir(threadsOut)).toEqual([...wanted.keys()].sort());
    for (const name of wanted.keys()) {
      const simBytes = await readFile(join(simOut, name));
      const threadBytes = await readFile(join(threadsOut, name));
      expect(threadBytes.equals(simBytes), name).toBe(true);
    }
    expect(await outputsIn(threadsOut)).toEqual(wanted);
    expect(parseSummaryTable(threads.stdout).rows.get('total')?.[0]).toBe(segmentsNeeded(example));
  });

  it('runs with --strategy least-loaded', async () => {
    const out = await makeTempDir('least-loaded');

    const result = await swarmlab([
      'run',
      'examples/basic',
      '--strategy',
      'least-loaded',
      '--out',
      out,
      '--quiet',
    ]);

    expectExit(result, 0);
    expect(result.stdout).toContain('strategy least-loaded:');
    expect(await outputsIn(out)).toEqual(wanted);
    expect(parseSummaryTable(result.stdout).rows.get('total')?.[0]).toBe(segmentsNeeded(example));
  });

  it('prints the same summary for the same seed on sim, but for the wall time', async () => {
    const out = await makeTempDir('seed');
    const args = ['run', 'examples/basic', '--seed', '42', '--out', out, '--quiet'];

    const first = await swarmlab(args);
    const firstOutputs = await outputsIn(out);
    const second = await swarmlab(args);

    expectExit(first, 0);
    expectExit(second, 0);
    expect(first.stdout).toContain('runtime sim, seed 42,');
    expect(first.stdout).toMatch(/\d+ ms wall/);
    expect(withoutWallTime(second.stdout)).toBe(withoutWallTime(first.stdout));
    expect(await outputsIn(out)).toEqual(firstOutputs);
  });

  it('writes the results as JSON with --json', async () => {
    const out = await makeTempDir('json');
    const json = join(out, 'results', 'run.json');

    const result = await swarmlab([
      'run',
      'examples/basic',
      '--seed',
      '9',
      '--strategy',
      'least-loaded',
      '--out',
      out,
      '--json',
      json,
      '--quiet',
    ]);

    expectExit(result, 0);
    const results = JSON.parse(await readFile(json, 'utf8')) as {
      format: string;
      version: number;
      swarmlab: string;
      input: string;
      runtime: string;
      seed: number;
      strategy: string;
      clock: string;
      summary: {
        clients: number;
        segmentsDownloaded: number;
        segmentsServed: number;
        filesCompleted: number;
        loadBalance: { jain: number | null };
      };
      clients: { rank: number; downloaded: number; served: number }[];
      transfers: { from: number; to: number; segments: number }[];
      outputs: { rank: number; file: string; segments: number }[];
    };
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };

    expect(results).toMatchObject({
      format: 'swarmlab-classic-run',
      version: 1,
      swarmlab: pkg.version,
      input: 'examples/basic',
      runtime: 'sim',
      seed: 9,
      strategy: 'least-loaded',
      clock: 'virtual-s',
    });
    const needed = segmentsNeeded(example);
    expect(results.summary.clients).toBe(4);
    expect(results.summary.segmentsDownloaded).toBe(needed);
    expect(results.summary.segmentsServed).toBe(needed);
    expect(results.summary.filesCompleted).toBe(wanted.size);
    const jain = results.summary.loadBalance.jain;
    expect(typeof jain).toBe('number');
    expect(jain).toBeGreaterThan(0);
    expect(jain).toBeLessThanOrEqual(1);

    expect(results.clients.map((client) => client.rank)).toEqual([1, 2, 3, 4]);
    expect(results.clients.reduce((sum, client) => sum + client.downloaded, 0)).toBe(needed);
    expect(results.clients.reduce((sum, client) => sum + client.served, 0)).toBe(needed);

    expect(results.transfers.length).toBeGreaterThan(0);
    expect(results.transfers.reduce((sum, transfer) => sum + transfer.segments, 0)).toBe(needed);
    for (const transfer of results.transfers) {
      expect(transfer.from).not.toBe(transfer.to);
      expect([1, 2, 3, 4]).toContain(transfer.from);
      expect([1, 2, 3, 4]).toContain(transfer.to);
      expect(transfer.segments).toBeGreaterThan(0);
    }
    // What each client downloaded is what the transfers into it add up to.
    for (const client of results.clients) {
      const into = results.transfers.filter((transfer) => transfer.to === client.rank);
      expect(into.reduce((sum, transfer) => sum + transfer.segments, 0)).toBe(client.downloaded);
    }

    const segmentsOf = new Map<string, number>();
    for (const [name, text] of wanted) segmentsOf.set(name, text.trimEnd().split('\n').length);
    expect(
      new Map(results.outputs.map((output) => [`client${output.rank}_${output.file}`, output.segments])),
    ).toEqual(segmentsOf);

    // The summary printed matches the file.
    expect(parseSummaryTable(result.stdout).rows.get('total')?.[0]).toBe(results.summary.segmentsDownloaded);
  });

  it('writes the outputs into the input folder without --out', async () => {
    const dir = await makeTempDir('in-place');
    await cp(EXAMPLE, dir, { recursive: true });
    const inputs = await snapshotDir(dir);

    const result = await swarmlab(['run', dir, '--quiet']);

    expectExit(result, 0);
    expect(await listDir(dir)).toEqual([...Object.keys(inputs), ...wanted.keys()].sort());
    expect(await outputsIn(dir)).toEqual(wanted);
    for (const [name, text] of Object.entries(inputs)) {
      expect(await readFile(join(dir, name), 'utf8'), name).toBe(text);
    }
    expect(result.stdout).toContain(`wrote ${wanted.size} output files to ${dir}\n`);
  });
  it('reads in files with Windows line endings and writes outputs with plain newlines', async () => {
    const dir = await makeTempDir('crlf');
    await writeFile(join(dir, 'in1.txt'), '1\r\nfileA 2\r\naa01\r\naa02\r\n0\r\n');
    await writeFile(join(dir, 'in2.txt'), '0\r\n1\r\nfileA\r\n');

    const result = await swarmlab(['run', dir, '--quiet']);

    expectExit(result, 0);
    expect(result.stderr).toBe('');
    expect(await readFile(join(dir, 'client2_fileA'), 'utf8')).toBe('aa01\naa02\n');
  });
});

describe('run on bad input', () => {
  const HASH = (n: number) => n.toString(16).padStart(32, '0');

  /** Runs on `dir` with `--out` into a fresh folder; checks exit 2, one clean message, and no outputs. */
  async function runBad(dir: string, extra: readonly string[] = []): Promise<CliResult> {
    const outParent = await makeTempDir('bad-out');
    const out = join(outParent, 'out');
    const before = await listDir(dir);
    const result = await swarmlab(['run', dir, '--out', out, '--quiet', ...extra]);
    expectExit(result, 2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^swarmlab: [^\n]+\n$/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await listDir(dir)).toEqual(before);
    expect(await listDir(out)).toBeNull();
    return result;
  }

  it.each([
    {
      what: 'the wanted count is taken as the third hash',
      in1: ['1', 'fileA 3', HASH(1), HASH(2), '0'],
      line: 5,
    },
    {
      what: "the next file's header is taken as the third hash",
      in1: ['2', 'fileA 3', HASH(1), HASH(2), 'fileB 1', HASH(3), '0'],
      line: 5,
    },
  ])('rejects an in1.txt that declares 3 hashes but lists 2 ($what)', async ({ in1, line }) => {
    const dir = await makeTempDir('short');
    await writeFile(join(dir, 'in1.txt'), `${in1.join('\n')}\n`);
    await writeFile(join(dir, 'in2.txt'), '0\n1\nfileA\n');

    const result = await runBad(dir);

    expect(result.stderr).toMatch(/in1\.txt:\d+: expected 3 hashes/);
    expect(result.stderr).toContain(`${join(dir, 'in1.txt')}:${line}: expected 3 hashes for fileA, found 2`);
    expect((await listDir(dir))?.filter((name) => name.startsWith('client'))).toEqual([]);
  });

  it('rejects a wanted file that no client owns, naming it', async () => {
    const dir = await makeTempDir('unowned');
    await writeFile(join(dir, 'in1.txt'), `1\nfileA 1\n${HASH(1)}\n0\n`);
    await writeFile(join(dir, 'in2.txt'), '0\n2\nfileA\nghost.bin\n');

    const result = await runBad(dir);

    expect(result.stderr).toContain(`${join(dir, 'in2.txt')}:4: `);
    expect(result.stderr).toContain('ghost.bin');
    expect(result.stderr).toMatch(/no client owns it/);
  });

  it('rejects a folder that does not exist', async () => {
    const parent = await makeTempDir('missing');
    const dir = join(parent, 'nope');

    const result = await runBad(dir);

    expect(result.stderr).toBe(`swarmlab: ${dir}: no such folder\n`);
  });

  it('rejects a folder with a gap in the ranks, naming the missing file', async () => {
    const dir = await makeTempDir('gap');
    await writeFile(join(dir, 'in1.txt'), `1\nfileA 1\n${HASH(1)}\n0\n`);
    await writeFile(join(dir, 'in3.txt'), '0\n1\nfileA\n');

    const result = await runBad(dir);

    expect(result.stderr).toContain('in2.txt');
    expect(result.stderr).toMatch(/in2\.txt is missing/);
  });

  it('rejects a folder without in files', async () => {
    const dir = await makeTempDir('empty');
    await writeFile(join(dir, 'notes.txt'), 'nothing to see\n');

    const result = await runBad(dir);

    expect(result.stderr).toContain('no in<R>.txt files');
  });

  it('rejects a file owned by two clients with different hashes, naming both places', async () => {
    const dir = await makeTempDir('conflict');
    await writeFile(join(dir, 'in1.txt'), `1\nfileA 1\n${HASH(1)}\n0\n`);
    await writeFile(join(dir, 'in2.txt'), `1\nfileA 1\n${HASH(2)}\n0\n`);
    await writeFile(join(dir, 'in3.txt'), '0\n1\nfileA\n');

    const result = await runBad(dir);

    expect(result.stderr).toContain(`${join(dir, 'in2.txt')}:2: fileA has other hashes than at`);
    expect(result.stderr).toContain(`${join(dir, 'in1.txt')}:2`);
  });
});

describe('run usage errors', () => {
  it.each([
    {
      what: 'an unknown option',
      args: ['run', 'examples/basic', '--bogus'],
      stderr: /unknown option '--bogus'/,
    },
    {
      what: 'an unknown runtime',
      args: ['run', 'examples/basic', '--runtime', 'bogus'],
      stderr: /--runtime takes one of sim, threads; got 'bogus'/,
    },
    {
      what: 'an unknown strategy',
      args: ['run', 'examples/basic', '--strategy', 'bogus'],
      stderr: /--strategy takes one of random, least-loaded; got 'bogus'/,
    },
    {
      what: 'a negative seed',
      args: ['run', 'examples/basic', '--seed', '-1'],
      stderr: /--seed takes a whole number from 0 to 4294967295, got '-1'/,
    },
    {
      what: 'a seed that is not a number',
      args: ['run', 'examples/basic', '--seed', 'x'],
      stderr: /--seed takes a whole number from 0 to 4294967295, got 'x'/,
    },
    {
      what: 'a fractional seed',
      args: ['run', 'examples/basic', '--seed', '1.5'],
      stderr: /--seed takes a whole number from 0 to 4294967295, got '1\.5'/,
    },
    {
      what: 'a zero timeout',
      args: ['run', 'examples/basic', '--timeout', '0'],
      stderr: /--timeout takes a whole number from 1 to 2147483, got '0'/,
    },
    {
      what: 'an unknown command',
      args: ['frobnicate', 'examples/basic'],
      stderr: /unknown command 'frobnicate'/,
    },
    { what: 'a missing folder argument', args: ['run'], stderr: /missing required argument 'dir'/ },
  ])('exits 2 on $what and writes nothing', async ({ args, stderr }) => {
    const parent = await makeTempDir('usage');
    const out = join(parent, 'out');

    const result = await swarmlab([...args, '--out', out, '--quiet']);

    expectExit(result, 2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(stderr);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await listDir(out)).toBeNull();
  });

  it('exits 2 before running when --out names a file, or --json a folder', async () => {
    const parent = await makeTempDir('targets');
    const file = join(parent, 'a-file');
    await writeFile(file, 'keep me');

    const outIsFile = await swarmlab(['run', 'examples/basic', '--out', file, '--quiet']);
    expectExit(outIsFile, 2);
    expect(outIsFile.stderr).toMatch(/--out .*a-file: a file is there, not a folder/);
    expect(await readFile(file, 'utf8')).toBe('keep me');

    const out = join(parent, 'out');
    const jsonIsFolder = await swarmlab(['run', 'examples/basic', '--out', out, '--json', parent, '--quiet']);
    expectExit(jsonIsFolder, 2);
    expect(jsonIsFolder.stderr).toMatch(/--json .*: a folder is there, not a file/);
    expect(jsonIsFolder.stderr).not.toMatch(STACK_FRAME);
    expect(await listDir(out)).toBeNull();
  });

  it('exits 2 with no arguments at all', async () => {
    const result = await swarmlab([]);

    // Commander shows the help on stderr when no command is given.
    expectExit(result, 2);
    expect(result.stderr).toContain('Usage: swarmlab');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('help and version', () => {
  const RUN_FLAGS = ['--runtime', '--seed', '--strategy', '--out', '--json', '--timeout', '--quiet'];

  it('prints the program help with --help and exits 0', async () => {
    const result = await swarmlab(['--help']);

    expectExit(result, 0);
    expect(result.stdout).toContain('Usage: swarmlab');
    expect(result.stdout).toMatch(/^\s+run \[options\] <dir>/m);
    expect(result.stdout).toMatch(/^\s+gen \[options\] <dir>/m);
    expect(result.stdout).toContain('--version');
    expect(result.stderr).toBe('');
  });

  it.each([
    ['run', '--help'],
    ['help', 'run'],
  ])('lists every flag of run with `%s %s` and exits 0', async (...args) => {
    const result = await swarmlab(args);

    expectExit(result, 0);
    expect(result.stdout).toContain('Usage: swarmlab run [options] <dir>');
    for (const flag of RUN_FLAGS) expect(result.stdout, flag).toContain(flag);
    expect(result.stdout).toContain('sim or threads');
    expect(result.stdout).toContain('random or least-loaded');
    expect(result.stderr).toBe('');
  });

  it('prints the package version with --version', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };

    const result = await swarmlab(['--version']);

    expectExit(result, 0);
    expect(result.stdout).toBe(`${pkg.version}\n`);
    expect(result.stderr).toBe('');
  });
});

describe('run warnings', () => {
  it('warns about a client that wants a file it owns, and still writes its own copy', async () => {
    const dir = await makeTempDir('warn');
    const own = ['aa01', 'aa02'];
    const other = ['bb01', 'bb02', 'bb03'];
    await writeFile(join(dir, 'in1.txt'), `1\nfileA 2\n${own.join('\n')}\n2\nfileA\nfileB\n`);
    await writeFile(join(dir, 'in2.txt'), `1\nfileB 3\n${other.join('\n')}\n0\n`);

    const result = await swarmlab(['run', dir, '--quiet']);

    expectExit(result, 0);
    const warnings = result.stderr.split('\n').filter((line) => line !== '');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: /);
    expect(warnings[0]).toContain(`${join(dir, 'in1.txt')}:6:`);
    expect(warnings[0]).toContain('client 1');
    expect(warnings[0]).toContain('fileA');
    expect(await readFile(join(dir, 'client1_fileA'), 'utf8')).toBe(`${own.join('\n')}\n`);
    expect(await readFile(join(dir, 'client1_fileB'), 'utf8')).toBe(`${other.join('\n')}\n`);
    // Only fileB crosses the network.
    expect(parseSummaryTable(result.stdout).rows.get('total')?.[0]).toBe(other.length);
    expect(result.stdout).toContain(`wrote 2 output files to ${dir}\n`);
  });
});
