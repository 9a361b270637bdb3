// The simulator's announced views (sim/announced-views.ts) are a way of delivering haves, not a model:
// a run with them must be the same run as one where every have reaches every neighbour's core. Each
// seed below draws a scenario and faults (test/bittorrent/support/vopr.ts) and runs it both ways.
import { describe, expect, it } from 'vitest';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { faultsFor, scenarioFor } from '../support/vopr.ts';

const SEEDS = 120;

describe('announced views', () => {
  it(`change nothing in a run: ${SEEDS} generated scenarios, with and without faults, run both ways`, () => {
    let viewed = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const scenario = scenarioFor(seed);
      const faults = seed % 2 === 0 ? faultsFor(seed, scenario) : {};
      const options = { seed, maxEvents: 5_000_000, faults };
      const direct = simulateSwarm(scenario, { ...options, views: false });
      const throughViews = simulateSwarm(scenario, options);
      const label = `seed ${seed}`;
      expect(throughViews.events, label).toBe(direct.events);
      expect(throughViews.stopReason, label).toBe(direct.stopReason);
      expect(throughViews.peers, label).toEqual(direct.peers);
      expect(throughViews.series, label).toEqual(direct.series);
      const fixed = scenario.network.latencyS.kind === 'fixed' && faults.latencySpikes === undefined;
      if (fixed) viewed++;
    }
    // The comparison means something only where views are used: a fixed latency and no spikes.
    expect(viewed).toBeGreaterThan(SEEDS / 3);
  });
});
