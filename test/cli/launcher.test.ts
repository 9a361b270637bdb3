// End to end: bin/swarmlab.js, the command `npx swarmlab` runs, on the build `npm ci` makes. `simulate`
// goes through a child process with a larger heap (src/cli/heap.ts): its output, files and exit codes
// must be the same as in one process.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SwarmResults } from '../../src/results/swarm.ts';
import { expectExit, makeTempDir, removeTempDirs, STACK_FRAME, swarmlab } from './spawn.ts';

afterEach(removeTempDirs);

describe('the swarmlab launcher', () => {
  it('runs simulate to the same results and summary as the CLI in one process', async () => {
    const dir = await makeTempDir('launcher');
    const args = (file: string) => [
      'simulate',
      'scenarios/classic.yaml',
      '--quiet',
      '--json',
      join(dir, file),
    ];
    const launched = await swarmlab(args('launched.json'), { launcher: true });
    const direct = await swarmlab(args('direct.json'));
    expectExit(launched, 0);
    expectExit(direct, 0);
    const read = async (file: string) => JSON.parse(await readFile(join(dir, file), 'utf8')) as SwarmResults;
    const [a, b] = [await read('launched.json'), await read('direct.json')];
    expect(a.summary).toEqual(b.summary);
    expect(a.peers).toEqual(b.peers);
    expect(a.summary.completed).toBe(2);
    // The wall time differs between runs, and so does the name of the file each one wrote.
    const withoutWall = (out: string) =>
      out
        .split('\n')
        .filter((line) => !line.includes(' s wall'))
        .map((line) => line.replace(/(launched|direct)\.json$/, 'run.json'));
    expect(launched.stdout).toContain(`wrote ${join(dir, 'launched.json')}\n`);
    expect(withoutWall(launched.stdout)).toEqual(withoutWall(direct.stdout));
  });

  it('passes a bad input’s message and exit code on from the child, with no stack trace', async () => {
    const result = await swarmlab(['simulate', 'scenarios/no-such.yaml'], { launcher: true });
    expectExit(result, 2);
    expect(result.stderr).toContain('scenarios/no-such.yaml: no such file');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('runs every other command in one process, as before', async () => {
    const result = await swarmlab(['bound', 'scenarios/classic.yaml'], { launcher: true });
    expectExit(result, 0);
    expect(result.stdout).toMatch(/^classic: Kumar-Ross lower bound /);
  });
});
