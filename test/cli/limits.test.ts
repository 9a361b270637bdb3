// Inputs too large to run are refused up front with the limit and the reason (exit 2), never left to a
// V8 out-of-memory abort, an endless loop, or a blocked read (issue 11, items 8 and 9, and the Low items).
import { execFile } from 'node:child_process';
import { mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './in-process.ts';
import { expectExit, listDir, makeTempDir, ROOT, removeTempDirs, STACK_FRAME, swarmlab } from './spawn.ts';

afterEach(removeTempDirs);

describe('simulate refuses a scenario that cannot run', () => {
  // Child processes: on code without the checks these would run out of memory or never end.
  it.each([
    [
      ['--set', 'peers.count=1e9'],
      /1000000001 peers and 382 pieces need at least [\d.]+ GiB of memory, more than the/,
    ],
    [
      ['--set', 'file.size=1 TB', '--set', 'file.piece=1 B', '--set', 'file.block=1 B'],
      /1000000000000 pieces need at least [\d.]+ GiB of memory/,
    ],
    [
      ['--set', 'sample-every=1e-300 s'],
      /sample-every: a sampling interval of 1e-300 s is too short: the least is 0.01 s/,
    ],
    [
      // Without all-done the run goes to its stop time: 36 million samples of 382 piece counts.
      ['--set', 'stop.all-done=false', '--set', 'stop.at=100000 h'],
      /1001 peers and 382 pieces need at least [\d.]+ GiB of memory/,
    ],
    [
      ['--set', 'seeds.upload=0 Mbit/s'],
      /seeds.upload: must be more than 0: the seeds alone hold the file at the start/,
    ],
    [
      ['--set', 'tracker.reannounce=1 ms'],
      /tracker.reannounce: a reannounce interval of 0.001 s is too short: the least is 1 s/,
    ],
  ])('%j', async (flags, problem) => {
    const dir = await makeTempDir('limits');
    const result = await swarmlab([
      'simulate',
      'scenarios/flash-crowd.yaml',
      '-q',
      ...flags,
      '--json',
      join(dir, 'r.json'),
    ]);
    expectExit(result, 2);
    expect(result.stderr).toMatch(problem);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await listDir(dir)).toEqual([]);
  });

  it('refuses to draw a billion peers for bound, saying why', async () => {
    const result = await runCli(['bound', 'scenarios/flash-crowd.yaml', '--set', 'peers.count=1e9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/drawing 1000000001 peers needs at least [\d.]+ GiB of memory/);
  });

  it('still runs a million peers (the floor is not a forecast)', async () => {
    const result = await runCli(['bound', 'scenarios/flash-crowd.yaml', '--set', 'peers.count=1000000']);
    expect(result.code, result.stderr).toBe(0);
    const { checkFitsInMemory } = await import('../../src/bittorrent/scenario/memory.ts');
    const { readSwarmScenario } = await import('../../src/bittorrent/scenario/scenario-file.ts');
    const scenario = await readSwarmScenario('scenarios/flash-crowd.yaml', ['peers.count=1000000']);
    // Each peer's announced pieces are kept once for all its neighbours (sim/announced-views.ts), not in a
    // row per possible link: a million peers need about 2 GB before the run, which a 4 GB heap holds.
    expect(() => checkFitsInMemory(scenario, 1000, 4 * 2 ** 30, 'x')).not.toThrow();
    expect(() => checkFitsInMemory(scenario, 1000, 1 * 2 ** 30, 'x')).toThrow(/at least [12]\.\d GiB/);
  });
});

describe('run reads only regular in-files it can hold', () => {
  it('refuses a FIFO as in1.txt instead of waiting for ever', async () => {
    const dir = await makeTempDir('fifo');
    await promisify(execFile)('mkfifo', [join(dir, 'in1.txt')]);
    const result = await runCli(['run', dir, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `swarmlab: ${join(dir, 'in1.txt')}: is not a regular file (a FIFO, device or socket)\n`,
    );
  });

  it('refuses /dev/zero as in1.txt, saying why (it said "cannot be read (undefined)")', async () => {
    const dir = await makeTempDir('zero');
    await symlink('/dev/zero', join(dir, 'in1.txt'));
    const result = await runCli(['run', dir, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a regular file');
  });

  it('refuses an in-file larger than Node can read as text, with the sizes', async () => {
    const dir = await makeTempDir('huge');
    const file = await open(join(dir, 'in1.txt'), 'w');
    await file.truncate(600 * 2 ** 20); // sparse: 600 MiB of zeros that take no disk
    await file.close();
    const result = await runCli(['run', dir, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/in1.txt: is 600 MiB, more than the \d+ MiB an in-file may have/);
  });

  it('reads an in-file of 60 million blank lines in a 256 MB heap (a string per line ran out of memory)', async () => {
    const dir = await makeTempDir('blank');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'in1.txt'), `0\n${'\n'.repeat(60_000_000)}0\n`);
    const run = promisify(execFile);
    const result = await run(
      process.execPath,
      ['--max-old-space-size=256', '--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'run', dir, '-q'],
      { cwd: ROOT, timeout: 60_000 },
    ).catch((error: { code: unknown; stderr: string }) => ({
      stdout: '',
      stderr: `${error.code} ${error.stderr}`,
    }));
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`wrote 0 output files to ${dir}`);
  }, 60_000);
});
