// The simulator against theory, on sizes small enough for CI (docs/simulator.md gives full-size figures).
import { describe, expect, it } from 'vitest';
import type { SwarmScenario } from '../../../src/bittorrent/scenario/scenario.ts';
import type { SwarmRun } from '../../../src/bittorrent/sim/run-types.ts';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { runBound, summarizeSwarm } from '../../../src/results/swarm-summary.ts';
import { flashCrowd, MBIT } from '../../support/swarm-scenarios.ts';

/**
 * The two runs of thousands of peers take about a minute each on a 2-core machine since the core's
 * rewrite (about 3x the CPU of 2c1d5f4; see bench/baseline.json): their bound, beyond the default.
 */
const SLOW_TEST_MS = 600_000;

function poisson(ratePerS: number, count: number): SwarmScenario {
  const base = flashCrowd({
    peers: count,
    fileBytes: 10_000_000,
    seedUploadBps: 1 * MBIT,
    afterDone: { kind: 'stay', forS: 20 },
  });
  const group = base.peers[0] as SwarmScenario['peers'][number];
  return { ...base, peers: [{ ...group, arrival: { kind: 'poisson', ratePerS } }] };
}

/** Mean download time of the peers that arrived in the middle half: the swarm's steady state. */
function steadyStateMean(run: SwarmRun): number {
  const leechers = run.peers.filter((p) => p.role === 'leecher').sort((a, b) => a.arrivalS - b.arrivalS);
  const middle = leechers.slice(Math.floor(leechers.length / 4), Math.ceil((leechers.length * 3) / 4));
  const times = middle.map((p) => (p.completedS as number) - p.arrivalS);
  return times.reduce((a, b) => a + b, 0) / times.length;
}

/**
 * Minimum piece availability at the first sample at or after `timeS` (the last sample if the run ended
 * first). A departure at a sample's time comes before the sample: a seed leaving at `timeS` is gone.
 */
function minAvailabilityFrom(run: SwarmRun, timeS: number): number {
  const at = run.series.timeS.findIndex((t) => t >= timeS);
  return run.series.minAvailability.at(at) as number;
}

describe('Kumar-Ross', () => {
  it.each(['rarest-first', 'random', 'sequential'] as const)(
    'a homogeneous flash crowd never beats the bound (%s pieces)',
    (pieces) => {
      for (const seed of [1, 2, 3]) {
        const scenario = flashCrowd({ peers: 40, pieces, fileBytes: 6_000_000 });
        const run = simulateSwarm(scenario, { seed });
        expect(run.stopReason).toBe('all-done');
        expect(run.endedAtS).toBeGreaterThanOrEqual(runBound(run).boundS);
      }
    },
  );

  it(
    'with rarest-first, 1,000 peers finish within 15% of the bound',
    () => {
      // 40 MB in 128 KiB pieces, 40 neighbours each: as many pieces as 100 MB in 256 KiB (the ramp-up and
      // end game last a few piece times, so the ratio depends on the piece count), at a third of the cost.
      const base = flashCrowd({
        peers: 1000,
        fileBytes: 40_000_000,
        pieceBytes: 128 * 1024,
        seedUploadBps: 10 * MBIT,
      });
      const scenario: SwarmScenario = {
        ...base,
        strategy: { ...base.strategy, maxConnections: 40 },
        tracker: { ...base.tracker, peersPerRequest: 40 },
      };
      const run = simulateSwarm(scenario, { seed: 1 });
      const ratio = run.endedAtS / runBound(run).boundS;
      expect(run.stopReason).toBe('all-done');
      expect(ratio).toBeGreaterThanOrEqual(1);
      expect(ratio).toBeLessThanOrEqual(1.15);
    },
    SLOW_TEST_MS,
  );
});

describe('Kumar-Ross from the peers drawn (the cases issue 13 found printing no bound)', () => {
  const base = flashCrowd({ peers: 30, fileBytes: 4_000_000, seedUploadBps: 2 * MBIT });
  const group = base.peers[0] as SwarmScenario['peers'][number];
  const cases: Array<[string, SwarmScenario]> = [
    [
      'exponential download',
      { ...base, peers: [{ ...group, downloadBps: { kind: 'exponential', mean: 4 * MBIT } }] },
    ],
    [
      'choice download',
      {
        ...base,
        peers: [
          {
            ...group,
            downloadBps: { kind: 'choice', values: [0.5 * MBIT, 8 * MBIT, 50 * MBIT], weights: [1, 5, 1] },
          },
        ],
      },
    ],
    [
      'truncated normal upload',
      {
        ...base,
        peers: [{ ...group, uploadBps: { kind: 'normal', mean: 0.5 * MBIT, sd: 0.5 * MBIT, min: 0 } }],
      },
    ],
    ['80% free riders', { ...base, peers: [{ ...group, freeRiders: 0.8 }] }],
  ];
  // Free riders still take a share of the seed that the bound (rightly, for a bound) does not charge:
  // with 24 of them to 6 contributors the contributors finish several times later than it.
  const loosest = (name: string) => (name === '80% free riders' ? 20 : 3);
  it.each(cases)(
    '%s: a finite bound that the contributors never beat, and a ratio above 1',
    (name, scenario) => {
      for (const seed of [1, 2]) {
        const run = simulateSwarm(scenario, { seed });
        const bound = runBound(run);
        const summary = summarizeSwarm(run, bound);
        expect(Number.isFinite(bound.boundS)).toBe(true);
        expect(bound.peers).toBe(run.peers.filter((p) => p.role === 'leecher' && !p.freeRider).length);
        expect(run.stopReason).toBe('all-done');
        const last = Math.max(
          ...run.peers.filter((p) => p.role === 'leecher' && !p.freeRider).map((p) => p.completedS as number),
        );
        expect(last, `seed ${seed}`).toBeGreaterThanOrEqual(bound.boundS);
        expect(summary.boundRatio).not.toBeNull();
        expect(summary.boundRatio as number).toBeGreaterThanOrEqual(1);
        expect(summary.boundRatio as number, `seed ${seed}`).toBeLessThanOrEqual(loosest(name));
      }
    },
  );
});

describe('Qiu-Srikant', () => {
  it(
    'keeps the mean download time flat across arrival rates an order of magnitude apart',
    () => {
      // Peers stay 20 s after finishing; the fluid model's time is F/u - 1/gamma = 80 s - 20 s = 60 s.
      const means = [0.1, 1, 10].map((rate) =>
        steadyStateMean(simulateSwarm(poisson(rate, rate * 500), { seed: 1 })),
      );
      const [slowest, fastest] = [Math.max(...means), Math.min(...means)];
      expect(slowest / fastest, `means ${means.map((m) => m.toFixed(1)).join(', ')}`).toBeLessThanOrEqual(
        1.2,
      );
      for (const mean of means) {
        expect(mean).toBeGreaterThanOrEqual(60);
        expect(mean).toBeLessThanOrEqual(60 * 1.4);
      }
    },
    SLOW_TEST_MS,
  );
});

describe('rarest-first against random when the seed leaves early', () => {
  it('keeps every piece in more copies by the time the seed goes, and so the swarm completes', () => {
    // The 1 Mbit/s seed has sent the 10 MB about 1.5 times over when it leaves at 120 s. (With blocks
    // counted as they arrive, tit-for-tat serves this crowd well enough that by 160 s random had every
    // piece out in many copies too: the difference shows while copies are still few.) Whether one run
    // keeps a last copy of every piece is a matter of chance, so the claim is over 12 seeds: on the same
    // criteria, the simulator before the core's rewrite (2c1d5f4) gave 11, 11 and 12 of 12.
    const SEEDS = 12;
    let rarestKeepsMore = 0;
    let rarestCompletes = 0;
    let randomStalls = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const [rarest, random] = (['rarest-first', 'random'] as const).map((pieces) =>
        simulateSwarm(
          flashCrowd({
            peers: 80,
            fileBytes: 10_000_000,
            seedUploadBps: 1 * MBIT,
            seedLeaveAtS: 120,
            pieces,
          }),
          { seed },
        ),
      ) as [SwarmRun, SwarmRun];
      // What the swarm holds without the seed decides whether it can finish.
      if (minAvailabilityFrom(rarest, 120) > minAvailabilityFrom(random, 120)) rarestKeepsMore++;
      if (rarest.stopReason === 'all-done') rarestCompletes++;
      if (random.stopReason === 'stalled') randomStalls++;
    }
    expect(rarestKeepsMore).toBeGreaterThanOrEqual(10);
    expect(rarestCompletes).toBeGreaterThanOrEqual(10);
    // Random leaves some piece with the seed alone often enough that most swarms lose it.
    expect(randomStalls).toBeGreaterThanOrEqual(9);
  });
});

describe('free riders', () => {
  // 40 MB (153 pieces): tit-for-tat acts round by round, so it needs a download long enough to matter.
  const ratio = (peerStrategy: 'tit-for-tat' | 'random', seed: number) => {
    const { contributors, freeRiders } = summarizeSwarm(
      simulateSwarm(
        flashCrowd({
          peers: 100,
          fileBytes: 40_000_000,
          seedUploadBps: 2 * MBIT,
          freeRiders: 0.2,
          peerStrategy,
          stopAtS: 20_000,
        }),
        { seed },
      ),
    ).meanDownload;
    return (freeRiders as number) / (contributors as number);
  };

  it('finish later than contributors under tit-for-tat', () => {
    const ratios = [1, 2, 3].map((seed) => ratio('tit-for-tat', seed));
    for (const [i, r] of ratios.entries()) expect(r, `seed ${i + 1}`).toBeGreaterThan(1.03);
    expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeGreaterThan(1.08);
  });

  it('do not finish later under random peer selection', () => {
    for (const seed of [1, 2, 3]) expect(ratio('random', seed), `seed ${seed}`).toBeLessThanOrEqual(1.03);
  });
});
