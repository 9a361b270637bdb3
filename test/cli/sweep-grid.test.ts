// The sweep's grid: --vary and --seeds parsed, combinations in order, one results file per run.
import { describe, expect, it } from 'vitest';
import { parseSeeds, parseVary, planRuns } from '../../src/cli/commands/sweep-grid.ts';
import { shellLine } from '../../src/util/shell.ts';

describe('sweep grid', () => {
  it('reads --vary values, keeping commas inside brackets and braces', () => {
    expect(parseVary('strategy.pieces=rarest-first,random')).toEqual({
      field: 'strategy.pieces',
      values: ['rarest-first', 'random'],
    });
    expect(parseVary('network.latency={ uniform: [20 ms, 80 ms] },50 ms').values).toEqual([
      '{ uniform: [20 ms, 80 ms] }',
      '50 ms',
    ]);
    expect(() => parseVary('strategy.pieces')).toThrow('--vary takes field=value1,value2');
    expect(() => parseVary('strategy.pieces=a,,b')).toThrow('a value is empty');
  });

  it('reads --seeds as a range or a list', () => {
    expect(parseSeeds('1..4')).toEqual([1, 2, 3, 4]);
    expect(parseSeeds('7,2,7')).toEqual([7, 2]);
    expect(() => parseSeeds('5..2')).toThrow('--seeds takes A..B');
    expect(() => parseSeeds('1,x')).toThrow('--seeds takes A..B');
  });

  it('plans every combination times every seed, the first --vary changing slowest', () => {
    const runs = planRuns(
      ['peers.count=20'],
      [parseVary('strategy.pieces=rarest-first,random'), parseVary('seeds.upload=1 Mbit/s,2 Mbit/s')],
      [1, 2],
      'runs',
    );
    expect(runs).toHaveLength(8);
    expect(runs[0]?.overrides).toEqual([
      'peers.count=20',
      'strategy.pieces=rarest-first',
      'seeds.upload=1 Mbit/s',
    ]);
    expect(runs.map((run) => run.seed)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(runs[7]?.overrides.at(-1)).toBe('seeds.upload=2 Mbit/s');
    // Every run its own file, named for what it varies (with a hash where characters were replaced).
    expect(new Set(runs.map((run) => run.json)).size).toBe(8);
    expect(runs[0]?.json).toMatch(
      /^runs\/strategy\.pieces=rarest-first_seeds\.upload=1-Mbit-s-[0-9a-f]{8}_seed1\.json$/,
    );
  });

  it('quotes arguments for a shell only where needed', () => {
    expect(shellLine(['swarmlab', '--set', 'seeds.upload=1 Mbit/s', "it's"])).toBe(
      `swarmlab --set 'seeds.upload=1 Mbit/s' 'it'\\''s'`,
    );
  });
});
