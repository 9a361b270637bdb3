// Every file a command writes: all of them or none, checked before the run, never over an input,
// never lost to a temporary name, and each one named on stdout (issue 11, items 3, 5, 6, 14, 16).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './in-process.ts';
import { listDir, makeTempDir, removeTempDirs, snapshotDir } from './spawn.ts';

afterEach(removeTempDirs);

const HASHES = ['aa', 'bb', 'cc'];

/** Client 1 owns nothing and wants `names`, which client 2 owns, each with HASHES. */
async function wantsFrom(dir: string, names: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'in1.txt'), `0\n${names.length}\n${names.join('\n')}\n`);
  const owned = names.map((name) => `${name} ${HASHES.length}\n${HASHES.join('\n')}`);
  await writeFile(join(dir, 'in2.txt'), `${names.length}\n${owned.join('\n')}\n0\n`);
}

const OUTPUT = `${HASHES.join('\n')}\n`;

describe('run writes every output, all or none', () => {
  it('keeps both outputs of wanted files x.partial and x (a temporary name took one)', async () => {
    const dir = await makeTempDir('partial');
    await wantsFrom(dir, ['x.partial', 'x']);
    const out = join(dir, 'out');
    const result = await runCli(['run', dir, '--out', out, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(await listDir(out)).toEqual(['client1_x', 'client1_x.partial']);
    expect(await readFile(join(out, 'client1_x'), 'utf8')).toBe(OUTPUT);
    expect(await readFile(join(out, 'client1_x.partial'), 'utf8')).toBe(OUTPUT);
    expect(result.stdout).toContain(
      `wrote ${join(out, 'client1_x.partial')}\nwrote ${join(out, 'client1_x')}\n`,
    );
    expect(result.stdout).toContain(`wrote 2 output files to ${out}\n`);
  });

  it('says every file it writes: outputs, JSON, report and CSV', async () => {
    const dir = await makeTempDir('wrote');
    await wantsFrom(dir, ['f']);
    const json = join(dir, 'r/results.json');
    const report = join(dir, 'r/report.html');
    const csv = join(dir, 'csv');
    const result = await runCli(['run', dir, '-q', '--json', json, '--report', report, '--csv', csv]);
    expect(result.code, result.stderr).toBe(0);
    const wrote = result.stdout.split('\n').filter((line) => line.startsWith('wrote /'));
    expect(wrote).toEqual(
      [
        join(dir, 'client1_f'),
        json,
        report,
        join(csv, 'clients.csv'),
        join(csv, 'transfers.csv'),
        join(csv, 'summary.csv'),
      ].map((path) => `wrote ${path}`),
    );
  });

  it.each([
    ['--json', '/dev/full', 'is not a regular file'],
    ['--report', 'A-FILE/sub/report.html', 'is a file, not a folder'],
    ['--csv', 'A-FILE/csv', 'is a file, not a folder'],
    ['--json', 'A-FOLDER', 'a folder is there, not a file'],
  ])('refuses %s %s before the run, and writes nothing', async (flag, target, problem) => {
    const dir = await makeTempDir('refuse');
    await wantsFrom(join(dir, 'in'), ['f']);
    await writeFile(join(dir, 'A-FILE'), 'a file');
    await mkdir(join(dir, 'A-FOLDER'));
    const path = target.startsWith('/') ? target : join(dir, target);
    const before = await snapshotDir(join(dir, 'in'));
    const result = await runCli(['run', join(dir, 'in'), '--out', join(dir, 'out'), '-q', flag, path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`swarmlab: ${flag} ${path}: `);
    expect(result.stderr).toContain(problem);
    expect(result.stdout).toBe('');
    expect(await listDir(join(dir, 'out'))).toBeNull();
    expect(await listDir(dir)).toEqual(['A-FILE', 'A-FOLDER', 'in']);
    expect(await snapshotDir(join(dir, 'in'))).toEqual(before);
  });

  it('accepts a wanted name whose output fits in 255 bytes (the temporary suffix pushed it over)', async () => {
    const dir = await makeTempDir('long');
    const name = 'n'.repeat(255 - 'client1_'.length);
    await wantsFrom(dir, [name]);
    const result = await runCli(['run', dir, '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(dir, `client1_${name}`), 'utf8')).toBe(OUTPUT);
  });

  it('refuses, with path:line and before the run, a wanted name whose output would not fit', async () => {
    const dir = await makeTempDir('long');
    const name = 'n'.repeat(256 - 'client1_'.length);
    await wantsFrom(dir, ['short', name]);
    const result = await runCli(['run', dir, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'in1.txt')}:4: the output of wanted file`);
    expect(result.stderr).toContain('256 bytes, more than the 255');
    expect(await listDir(dir)).toEqual(['in1.txt', 'in2.txt']);
  });
});

describe('no command overwrites its own inputs', () => {
  it('run refuses --json naming one of its in-files, and leaves it alone', async () => {
    const dir = await makeTempDir('inputs');
    await wantsFrom(dir, ['f']);
    const before = await snapshotDir(dir);
    const result = await runCli(['run', dir, '-q', '--json', join(dir, 'in1.txt')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is one of the inputs');
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('run refuses --json naming one of its own outputs', async () => {
    const dir = await makeTempDir('inputs');
    await wantsFrom(dir, ['f']);
    const result = await runCli(['run', dir, '-q', '--json', join(dir, 'client1_f')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is also one of the run's outputs");
    expect(await listDir(dir)).toEqual(['in1.txt', 'in2.txt']);
  });

  it('run refuses one file named by two flags', async () => {
    const dir = await makeTempDir('inputs');
    await wantsFrom(dir, ['f']);
    const same = join(dir, 'same');
    const result = await runCli(['run', dir, '-q', '--json', same, '--report', same]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--report ${same}: is also the destination of --json`);
    expect(await listDir(dir)).toEqual(['in1.txt', 'in2.txt']);
  });

  it('simulate refuses --json naming its scenario file', async () => {
    const dir = await makeTempDir('inputs');
    const scenario = join(dir, 's.yaml');
    await writeFile(scenario, await readFile('scenarios/flash-crowd.yaml', 'utf8'));
    const before = await snapshotDir(dir);
    const result = await runCli(['simulate', scenario, '-q', '--set', 'peers.count=3', '--json', scenario]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--json ${scenario}: is one of the inputs`);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('report refuses -o naming one of the results it reads, even by another path', async () => {
    const dir = await makeTempDir('inputs');
    const json = join(dir, 'a.json');
    expect(
      (await runCli(['run', 'examples/basic', '-q', '--out', join(dir, 'o'), '--json', json])).code,
    ).toBe(0);
    const before = await readFile(json, 'utf8');
    const result = await runCli(['report', json, '-o', join(dir, 'o', '..', 'a.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is one of the inputs');
    expect(await readFile(json, 'utf8')).toBe(before);
  });
});

describe('simulate says every file it writes', () => {
  it('lists the JSON, the CSV files and the report', async () => {
    const dir = await makeTempDir('simulate');
    const json = join(dir, 'run.json');
    const report = join(dir, 'run.html');
    const csv = join(dir, 'csv');
    const result = await runCli([
      'simulate',
      'scenarios/flash-crowd.yaml',
      '-q',
      '--set',
      'peers.count=5',
      '--json',
      json,
      '--csv',
      csv,
      '--report',
      report,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const wrote = result.stdout.split('\n').filter((line) => line.startsWith('wrote '));
    expect(wrote).toEqual(
      [json, join(csv, 'peers.csv'), join(csv, 'series.csv'), join(csv, 'summary.csv'), report].map(
        (path) => `wrote ${path}`,
      ),
    );
    expect(await listDir(dir)).toEqual(['csv', 'run.html', 'run.json']);
  });
});
