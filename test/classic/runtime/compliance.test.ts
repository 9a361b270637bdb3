// One suite for every runtime: the same scenarios must give the same outputs and consistent counters
// on `sim` and `threads` (and, later, `net`). A threads run that hangs fails after its time bound.
import { describe, expect, it } from 'vitest';
import { generateClassic } from '../../../src/classic/input/generate.ts';
import { readClassicScenario } from '../../../src/classic/input/in-dir.ts';
import type { ClassicScenario } from '../../../src/classic/input/scenario.ts';
import { runClassic } from '../../../src/classic/runner/run.ts';
import { RUNTIMES, type RunResult, StuckRunError } from '../../../src/classic/runtime/types.ts';
import { checkOutputs, checkStats } from '../../support/invariants.ts';

const THREADS_TIMEOUT_MS = 90_000;

const scenarios: { name: string; load: () => Promise<ClassicScenario> }[] = [
  { name: 'examples/basic', load: async () => (await readClassicScenario('examples/basic')).scenario },
  {
    name: '32 clients x 6 files',
    load: async () => generateClassic({ clients: 32, files: 6, maxSegments: 40, seed: 11 }),
  },
  {
    name: '40 clients x 3 files, many owners, everyone wants',
    load: async () =>
      generateClassic({ clients: 40, files: 3, maxSegments: 25, maxOwners: 4, wantProbability: 1, seed: 12 }),
  },
];

const outputsOf = (result: RunResult) =>
  result.outputs.map(({ rank, file, hashes }) => ({ rank, file, hashes }));

describe.each(RUNTIMES)('runtime %s', (runtime) => {
  it.each(scenarios)(
    'completes $name with every output right and consistent counters',
    async ({ name, load }) => {
      const scenario = await load();
      const result = await runClassic(scenario, {
        runtime,
        seed: 3,
        strategy: 'random',
        timeoutMs: THREADS_TIMEOUT_MS,
      });
      expect(result.runtime).toBe(runtime);
      checkOutputs(scenario, result, `${runtime} ${name}`);
      checkStats(scenario, result, `${runtime} ${name}`);
      for (const finish of result.finishes) {
        expect(finish.downloadDoneAt).toBeLessThanOrEqual(finish.uploadClosedAt);
        expect(finish.uploadClosedAt).toBeLessThanOrEqual(result.trackerStoppedAt);
      }
    },
  );

  it('reports progress up to the number of segments downloaded', async () => {
    const scenario = (await readClassicScenario('examples/basic')).scenario;
    const seen: number[] = [];
    const result = await runClassic(scenario, {
      runtime,
      seed: 1,
      strategy: 'least-loaded',
      timeoutMs: THREADS_TIMEOUT_MS,
      onProgress: (segments) => seen.push(segments),
    });
    const downloaded = result.clients.reduce((total, stats) => total + stats.downloaded, 0);
    expect(seen.at(-1)).toBe(downloaded);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('sim and threads agree', () => {
  it.each(scenarios)('write the same outputs for $name', async ({ load }) => {
    const scenario = await load();
    const options = { seed: 5, strategy: 'least-loaded', timeoutMs: THREADS_TIMEOUT_MS } as const;
    const sim = await runClassic(scenario, { ...options, runtime: 'sim' });
    const threads = await runClassic(scenario, { ...options, runtime: 'threads' });
    expect(outputsOf(threads)).toEqual(outputsOf(sim));
  });
});

describe('threads: bounded', () => {
  it('fails with a StuckRunError instead of hanging when the time bound is reached', async () => {
    const scenario = generateClassic({ clients: 30, files: 10, minSegments: 100, maxSegments: 100, seed: 1 });
    await expect(
      runClassic(scenario, { runtime: 'threads', seed: 1, strategy: 'random', timeoutMs: 50 }),
    ).rejects.toThrow(StuckRunError);
  });
});
