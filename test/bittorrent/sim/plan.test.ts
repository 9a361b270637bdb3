import { describe, expect, it } from 'vitest';
import { planPeers } from '../../../src/bittorrent/sim/plan.ts';
import { Rng } from '../../../src/util/rng.ts';
import { flashCrowd } from '../../support/swarm-scenarios.ts';

describe('planPeers', () => {
  it('plans a group of a million peers (a spread push overflowed the stack at about 125,000)', () => {
    const plans = planPeers(flashCrowd({ peers: 1_000_000 }), new Rng(1));
    expect(plans.length).toBe(1_000_001);
    expect(plans[1_000_000]?.id).toBe(1_000_000);
    expect(plans[1_000_000]?.group).toBe('leechers');
  });
});
