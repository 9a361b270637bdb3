// Deterministic simulation testing for the swarm simulator: many seeds, each drawing a different small
// scenario (strategies, arrivals, departures, free riders, a seed that may leave), with the rules every
// run must keep checked after each. A failure names its seed; the same seed replays it.
import { describe, expect, it } from 'vitest';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { check, runSeed, scenarioFor } from '../support/vopr.ts';

const SEEDS = 400;
const FAULT_SEEDS = 60;

describe('swarm simulator: deterministic simulation over many seeds', () => {
  it(`keeps every rule for ${SEEDS} generated scenarios`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const scenario = scenarioFor(seed);
      const run = simulateSwarm(scenario, { seed, maxEvents: 5_000_000 });
      check(scenario, run, `seed ${seed} (${scenario.strategy.pieces}, ${scenario.strategy.peers})`);
    }
  });

  it('keeps every core consistent after every event, through faults (fixed seeds; npm run vopr tries fresh ones)', () => {
    for (let seed = 1; seed <= FAULT_SEEDS; seed++) {
      const { scenario, faults, run } = runSeed(seed, { faults: true, invariants: true });
      check(scenario, run, `seed ${seed} with faults ${JSON.stringify(faults)}`, faults);
    }
  });

  it('replays a generated scenario exactly for the same seed', () => {
    for (const seed of [5, 50]) {
      const scenario = scenarioFor(seed);
      expect(simulateSwarm(scenario, { seed }).peers).toEqual(simulateSwarm(scenario, { seed }).peers);
    }
  });
});
