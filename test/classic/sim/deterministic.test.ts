// Deterministic simulation testing: the real protocol code under many seeded interleavings, with the
// protocol's invariants checked after each run. A failure names its seed; rerun it with that seed.
import { describe, expect, it } from 'vitest';
import { generateClassic } from '../../../src/classic/input/generate.ts';
import type { ClassicScenario } from '../../../src/classic/input/scenario.ts';
import { PEER_STRATEGIES } from '../../../src/classic/protocol/strategies/index.ts';
import type { Delivery } from '../../../src/classic/runtime/types.ts';
import { runSim } from '../../../src/classic/sim/runtime.ts';
import { Rng } from '../../../src/util/rng.ts';
import { checkOutputs, checkStats, checkTrace } from '../../support/invariants.ts';

const SEEDS = 240;

/** A scenario whose shape itself depends on the seed: sizes, owners, idle clients all vary. */
function scenarioFor(seed: number): ClassicScenario {
  const shape = new Rng(seed, 99);
  return generateClassic({
    seed,
    clients: shape.between(1, 24),
    files: shape.between(1, 7),
    minSegments: 1,
    maxSegments: shape.pick([1, 5, 12, 35, 60]),
    maxOwners: shape.between(1, 4),
    wantProbability: shape.pick([0, 0.2, 0.5, 0.9, 1]),
    idleProbability: shape.pick([0, 0.1, 0.4]),
  });
}

function traced(scenario: ClassicScenario, seed: number, strategy: (typeof PEER_STRATEGIES)[number]) {
  const trace: Delivery[] = [];
  const result = runSim(scenario, {
    seed,
    strategy,
    // Wide jitter relative to latency reorders messages between different pairs aggressively.
    latencyS: 0.0001,
    jitterS: 0.01,
    maxDeliveries: 5_000_000,
    observe: (delivery) => trace.push(delivery),
  });
  return { trace, result };
}

describe('sim: deterministic simulation over many seeds', () => {
  for (const strategy of PEER_STRATEGIES) {
    it(`keeps every invariant for ${SEEDS} seeds with ${strategy} peer selection`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const label = `seed ${seed}, ${strategy} (reproduce: swarmlab gen DIR ... --seed ${seed})`;
        const scenario = scenarioFor(seed);
        const { trace, result } = traced(scenario, seed, strategy);
        checkOutputs(scenario, result, label);
        checkTrace(scenario, trace, result, label);
        checkStats(scenario, result, label);
      }
    });
  }

  it('replays exactly the same run for the same seed', () => {
    for (const seed of [3, 17, 101]) {
      const scenario = scenarioFor(seed);
      const first = traced(scenario, seed, 'random');
      const second = traced(scenario, seed, 'random');
      expect(second.trace).toEqual(first.trace);
      expect(second.result.clients).toEqual(first.result.clients);
    }
  });

  it('explores different interleavings for different seeds', () => {
    const scenario = scenarioFor(7);
    const orders = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) {
      const { trace } = traced(scenario, seed, 'random');
      orders.add(trace.map((d) => `${d.from}>${d.to}:${d.msg.kind}`).join(','));
    }
    expect(orders.size).toBeGreaterThan(5);
  });

  it('runs the seed-sized scenario of 100 clients to completion', () => {
    const scenario = generateClassic({
      clients: 100,
      files: 10,
      minSegments: 100,
      maxSegments: 100,
      seed: 5,
    });
    const { trace, result } = traced(scenario, 5, 'least-loaded');
    checkOutputs(scenario, result, 'seed 5, 100 clients');
    checkTrace(scenario, trace, result, 'seed 5, 100 clients');
    checkStats(scenario, result, 'seed 5, 100 clients');
  });

  it('ends at once with a tracker alone when every client owns and wants nothing', () => {
    const scenario: ClassicScenario = { clients: [1, 2, 3].map((rank) => ({ rank, owned: [], wanted: [] })) };
    const { trace, result } = traced(scenario, 1, 'random');
    expect(result.outputs).toEqual([]);
    expect(trace.map((d) => d.msg.kind).sort()).toEqual(
      [...Array(3).fill('owned-files'), ...Array(3).fill('start'), ...Array(3).fill('all-done')]
        .concat(Array(3).fill('shutdown'), Array(3).fill('upload-closed'))
        .sort(),
    );
  });
});
