// Runs gathered into a sweep's configurations: grouped by scenario, named by what differs, figures averaged.
import { describe, expect, it } from 'vitest';
import { groupRuns, summaryFigures, toSweepResults } from '../../src/results/sweep.ts';
import { swarmRun } from '../support/report-pages.ts';

const meta = { swarmlab: '0', createdAt: new Date(0) };

describe('sweep results', () => {
  it('groups runs by configuration, named by the overrides that differ, seeds in order', () => {
    const runs = [
      { ...swarmRun({ pieces: 'random' }, 2), overrides: ['peers.count=10', 'strategy.pieces=random'] },
      { ...swarmRun({}, 1), overrides: ['peers.count=10', 'strategy.pieces=rarest-first'] },
      { ...swarmRun({ pieces: 'random' }, 1), overrides: ['peers.count=10', 'strategy.pieces=random'] },
    ];
    const groups = groupRuns(runs);
    expect(groups.map((g) => [g.set, g.runs.map((r) => r.seed)])).toEqual([
      [{ 'strategy.pieces': 'random' }, [1, 2]],
      [{ 'strategy.pieces': 'rarest-first' }, [1]],
    ]);
  });

  it('names configurations by scenario fields when files keep no overrides', () => {
    const { overrides: _a, ...a } = swarmRun({}, 1);
    const { overrides: _b, ...b } = swarmRun({ pieces: 'random' }, 1);
    expect(groupRuns([a, b]).map((g) => g.set)).toEqual([
      { 'strategy.pieces': 'rarest-first' },
      { 'strategy.pieces': 'random' },
    ]);
  });

  it('averages each figure over the runs that have it', () => {
    const done = swarmRun({}, 1);
    const stalled = { ...swarmRun({}, 2), summary: { ...swarmRun({}, 2).summary, lastCompletion: null } };
    const sweep = toSweepResults([done, stalled], meta);
    const [configuration] = sweep.configurations;
    expect(configuration?.metrics.lastCompletion).toEqual({
      mean: done.summary.lastCompletion,
      ci95: null,
      n: 1,
    });
    expect(configuration?.metrics.p50?.n).toBe(2);
    expect(configuration?.stopReasons).toEqual({ 'all-done': 2 });
    expect(Object.keys(summaryFigures(done.summary))).toContain('shareRatio.p50');
  });
});
