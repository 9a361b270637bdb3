// The simulator's announced views (sim/announced-views.ts) are a way of delivering haves, not a model:
// a run with them must be the same run as one where every have reaches every neighbour's core. Each
// seed below draws a scenario and faults (test/bittorrent/support/vopr.ts) and runs it both ways;
// `npm run vopr` does the same for fresh seeds.
import { describe, expect, it } from 'vitest';
import { checkViewsChangeNothing } from '../support/vopr.ts';

const SEEDS = 120;

describe('announced views', () => {
  it(`change nothing in a run: ${SEEDS} generated scenarios, with and without faults, run both ways`, () => {
    let viewed = 0;
    for (let seed = 1; seed <= SEEDS; seed++) if (checkViewsChangeNothing(seed, seed % 2 === 0)) viewed++;
    // The comparison means something only where views are used: a fixed latency and no spikes.
    expect(viewed).toBeGreaterThan(SEEDS / 3);
  });
});
