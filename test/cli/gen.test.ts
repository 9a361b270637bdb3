// End to end: `swarmlab gen` through main(), and `swarmlab run` on what it writes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectExit,
  expectedOutputs,
  fileHashes,
  listDir,
  makeTempDir,
  parseSummaryTable,
  readScenarioDir,
  removeTempDirs,
  STACK_FRAME,
  segmentsNeeded,
  snapshotDir,
  swarmlab,
} from './spawn.ts';

afterEach(removeTempDirs);

const GEN_FLAGS = ['--clients', '12', '--files', '4', '--max-segments', '30'];
const IN_FILES = Array.from({ length: 12 }, (_, i) => `in${i + 1}.txt`).sort();

describe('gen', () => {
  it('writes in1.txt .. in12.txt, reproducibly from the seed, and run completes them', async () => {
    const parent = await makeTempDir('gen');
    const dir = join(parent, 'scenario');

    const result = await swarmlab(['gen', dir, ...GEN_FLAGS, '--seed', '7']);

    expectExit(result, 0);
    expect(result.stderr).toBe('');
    expect(await listDir(dir)).toEqual(IN_FILES);

    const clients = await readScenarioDir(dir);
    expect(clients.map((client) => client.rank)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const hashes = fileHashes(clients);
    expect(hashes.size).toBeGreaterThan(0);
    expect(hashes.size).toBeLessThanOrEqual(4);
    for (const [name, list] of hashes) {
      expect(list.length, name).toBeGreaterThanOrEqual(1);
      expect(list.length, name).toBeLessThanOrEqual(30);
    }
    // Every owner of a file lists the same hashes; every wanted file has an owner.
    for (const client of clients) {
      for (const [name, list] of client.owned)
        expect(list, `${client.rank} ${name}`).toEqual(hashes.get(name));
      for (const name of client.wanted) expect(hashes.has(name), `${client.rank} wants ${name}`).toBe(true);
    }
    const needed = segmentsNeeded(clients);
    expect(result.stdout).toBe(
      `wrote in1.txt .. in12.txt to ${dir}: ${hashes.size} files, ${needed} segments to download\n`,
    );

    const out = join(parent, 'out');
    const run = await swarmlab(['run', dir, '--out', out, '--quiet']);

    expectExit(run, 0);
    expect(run.stderr).toBe('');
    const wanted = expectedOutputs(clients);
    expect(wanted.size).toBeGreaterThan(0);
    expect(await listDir(out)).toEqual([...wanted.keys()].sort());
    for (const [name, text] of wanted) expect(await readFile(join(out, name), 'utf8'), name).toBe(text);
    const table = parseSummaryTable(run.stdout);
    expect(table.rows.size).toBe(13);
    expect(table.rows.get('total')?.[0]).toBe(needed);
    expect(table.rows.get('total')?.[3]).toBe(wanted.size);
    // run wrote nothing into the generated folder.
    expect(await listDir(dir)).toEqual(IN_FILES);
  });

  it('writes the same files for the same seed and different files for another seed', async () => {
    const parent = await makeTempDir('gen-seed');
    const first = join(parent, 'first');
    const again = join(parent, 'again');
    const other = join(parent, 'other');

    const results = [
      await swarmlab(['gen', first, ...GEN_FLAGS, '--seed', '7']),
      await swarmlab(['gen', again, ...GEN_FLAGS, '--seed', '7']),
      await swarmlab(['gen', other, ...GEN_FLAGS, '--seed', '8']),
    ];

    for (const result of results) expectExit(result, 0);
    const [firstFiles, againFiles, otherFiles] = await Promise.all([first, again, other].map(snapshotDir));
    expect(Object.keys(firstFiles ?? {}).sort()).toEqual(IN_FILES);
    expect(againFiles).toEqual(firstFiles);
    expect(Object.keys(otherFiles ?? {}).sort()).toEqual(IN_FILES);
    expect(otherFiles).not.toEqual(firstFiles);
  });

  it('overwrites a folder it generated before with the same files, given --force', async () => {
    const dir = await makeTempDir('gen-twice');

    const first = await swarmlab(['gen', dir, ...GEN_FLAGS, '--seed', '3']);
    const before = await snapshotDir(dir);
    // A folder that is not empty is refused without --force (issue 11, item 12).
    const second = await swarmlab(['gen', dir, ...GEN_FLAGS, '--seed', '3', '--force']);

    expectExit(first, 0);
    expectExit(second, 0);
    expect(second.stdout).toBe(first.stdout);
    expect(await snapshotDir(dir)).toEqual(before);
    expect(Object.keys(before).sort()).toEqual(IN_FILES);
  });

  it.each([
    {
      what: '--clients 0',
      flags: ['--clients', '0'],
      stderr: /--clients takes a whole number of at least 1, got '0'/,
    },
    { what: '--want 2', flags: ['--want', '2'], stderr: /--want takes a number from 0 to 1, got '2'/ },
    {
      what: '--files x',
      flags: ['--files', 'x'],
      stderr: /--files takes a whole number of at least 1, got 'x'/,
    },
    {
      what: '--seed -3',
      flags: ['--seed', '-3'],
      stderr: /--seed takes a whole number from 0 to 4294967295, got '-3'/,
    },
  ])('exits 2 on $what and writes nothing', async ({ flags, stderr }) => {
    const parent = await makeTempDir('gen-bad');
    const dir = join(parent, 'scenario');

    const result = await swarmlab(['gen', dir, ...flags]);

    expectExit(result, 2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(stderr);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await listDir(dir)).toBeNull();
  });

  it('exits 2 without a folder argument', async () => {
    const result = await swarmlab(['gen', '--clients', '3']);

    expectExit(result, 2);
    expect(result.stderr).toMatch(/missing required argument 'dir'/);
  });
});
