// `swarmlab sweep` end to end: a small grid run on two jobs, resumed, emitted as commands, merged.
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SweepResults } from '../../src/results/sweep.ts';
import { expectExit, listDir, makeTempDir, ROOT, removeTempDirs, STACK_FRAME, swarmlab } from './spawn.ts';

afterEach(removeTempDirs);

const SMALL = ['--set', 'peers.count=20', '--set', 'file.size=2MB'];
const GRID = ['scenarios/flash-crowd.yaml', ...SMALL, '--vary', 'strategy.pieces=rarest-first,random'];

async function readSweep(path: string): Promise<SweepResults> {
  return JSON.parse(await readFile(path, 'utf8')) as SweepResults;
}

describe('swarmlab sweep', () => {
  it('runs every configuration times every seed, gives means with 95% intervals, and resumes', async () => {
    const dir = await makeTempDir('sweep');
    const json = join(dir, 'sweep.json');
    const args = ['sweep', ...GRID, '--seeds', '1..3', '--jobs', '2', '--json', json];
    // Sweep's runs are children of the sweep process: it must be a process of its own.
    const result = await swarmlab(args, { child: true });
    expectExit(result, 0);
    expect((await readdir(join(dir, 'sweep-runs'))).sort()).toEqual(
      ['random', 'rarest-first'].flatMap((s) =>
        [1, 2, 3].map((seed) => `strategy.pieces=${s}_seed${seed}.json`),
      ),
    );
    const sweep = await readSweep(json);
    expect(sweep.format).toBe('swarmlab-sweep');
    expect(sweep.configurations.map((c) => c.set)).toEqual([
      { 'strategy.pieces': 'rarest-first' },
      { 'strategy.pieces': 'random' },
    ]);
    for (const configuration of sweep.configurations) {
      expect(configuration.seeds).toEqual([1, 2, 3]);
      const last = configuration.metrics.lastCompletion;
      expect(last?.n).toBe(3);
      const [lo, hi] = last?.ci95 ?? [Number.NaN, Number.NaN];
      expect(lo).toBeLessThanOrEqual(last?.mean as number);
      expect(hi).toBeGreaterThanOrEqual(last?.mean as number);
      expect(hi - lo).toBeGreaterThan(0);
      expect(configuration.metrics.peers).toEqual({ mean: 20, ci95: [20, 20], n: 3 });
    }
    // The mean is the mean of the runs' own summaries.
    const runs = await Promise.all(
      [1, 2, 3].map(async (seed) =>
        JSON.parse(
          await readFile(join(dir, 'sweep-runs', `strategy.pieces=random_seed${seed}.json`), 'utf8'),
        ),
      ),
    );
    const mean = runs.reduce((sum, run) => sum + run.summary.lastCompletion, 0) / 3;
    expect(sweep.configurations[1]?.metrics.lastCompletion?.mean).toBeCloseTo(mean, 9);
    expect(result.stdout).toContain('strategy.pieces=random');
    expect(result.stdout).toMatch(/95% confidence interval/);

    // Resumed: a whole run is kept; a cut-short one and an empty one are run again.
    const runsDir = join(dir, 'sweep-runs');
    const kept = join(runsDir, 'strategy.pieces=random_seed1.json');
    const keptTime = (await stat(kept)).mtimeMs;
    await writeFile(
      join(runsDir, 'strategy.pieces=random_seed2.json'),
      '{"format": "swarmlab-swarm-run", "se',
    );
    await writeFile(join(runsDir, 'strategy.pieces=rarest-first_seed3.json'), '');
    const again = await swarmlab(args, { child: true });
    expectExit(again, 0);
    expect(again.stderr).toContain(`4 of 6 runs already done in ${runsDir}`);
    expect((await stat(kept)).mtimeMs).toBe(keptTime);
    // Runs are deterministic: the runs made again give the same figures.
    expect((await readSweep(json)).configurations.map((c) => c.metrics)).toEqual(
      sweep.configurations.map((c) => c.metrics),
    );
  });

  it('prints one simulate command per run, and merges the results those commands write', async () => {
    const dir = await makeTempDir('sweep-emit');
    const runsDir = join(dir, 'runs');
    const emitted = await swarmlab([
      'sweep',
      ...GRID,
      '--seeds',
      '4,5',
      '--runs',
      runsDir,
      '--emit-commands',
    ]);
    expectExit(emitted, 0);
    const lines = emitted.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      `swarmlab simulate scenarios/flash-crowd.yaml --set peers.count=20 --set file.size=2MB --set strategy.pieces=rarest-first --seed 4 --json ${join(runsDir, 'strategy.pieces=rarest-first_seed4.json')} --quiet`,
    );
    expect(await readdir(dir)).toEqual([]);
    // Run the emitted commands as other machines would, then merge what they wrote.
    const ran = await Promise.all(lines.map((line) => swarmlab(line.split(' ').slice(1))));
    for (const run of ran) expectExit(run, 0);
    const files = lines.map((line) => line.split(' ').at(-2) as string);
    const json = join(dir, 'merged.json');
    const html = join(dir, 'merged.html');
    const merged = await swarmlab(['sweep', '--merge', ...files, '--json', json, '--report', html]);
    expectExit(merged, 0);
    const sweep = await readSweep(json);
    expect(sweep.configurations.map((c) => [c.set, c.seeds])).toEqual([
      [{ 'strategy.pieces': 'rarest-first' }, [4, 5]],
      [{ 'strategy.pieces': 'random' }, [4, 5]],
    ]);
    expect(await readFile(html, 'utf8')).toContain('<html');
  });

  it('stops its runs on Ctrl-C, keeps what finished, and goes on when run again', async () => {
    const dir = await makeTempDir('sweep-interrupt');
    const json = join(dir, 'sweep.json');
    // Four runs, one at a time: enough to stop after the first and resume the other three, and each
    // resumed run is a process start (seconds on a loaded machine, against the spawn time-out).
    const args = ['sweep', ...GRID, '--seeds', '1..2', '--jobs', '1', '--json', json];
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Interrupt once the first run has written its whole results file (at most 30 s from now).
    const wholeRuns = async () => {
      const names = (await listDir(join(dir, 'sweep-runs'))) ?? [];
      const whole = await Promise.all(
        names.map((name) =>
          readFile(join(dir, 'sweep-runs', name), 'utf8').then(
            (text) => {
              JSON.parse(text);
              return true;
            },
            () => false,
          ),
        ),
      ).catch(() => []);
      return whole.filter(Boolean).length;
    };
    for (let i = 0; i < 300 && (await wholeRuns().catch(() => 0)) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('sweep interrupted; finished runs are kept in');
    await expect(stat(json)).rejects.toThrow();
    const kept = ((await listDir(join(dir, 'sweep-runs'))) ?? []).length;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(4);

    const again = await swarmlab(args, { child: true });
    expectExit(again, 0);
    expect(again.stderr).toMatch(/[1-3] of 4 runs already done/);
    expect((await readSweep(json)).configurations.map((c) => c.seeds)).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it('refuses a bad field before running anything, naming it', async () => {
    const dir = await makeTempDir('sweep-bad');
    const json = join(dir, 's.json');
    const field = await swarmlab(['sweep', ...GRID, '--vary', 'strategy.pieces=fastest', '--json', json]);
    expectExit(field, 2);
    expect(field.stderr).toContain('strategy.pieces');
    expect(field.stderr).not.toMatch(STACK_FRAME);
    expect(await readdir(dir)).toEqual([]);
  });
});
