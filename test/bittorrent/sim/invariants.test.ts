// Deterministic simulation testing for the swarm simulator: many seeds, each drawing a different small
// scenario (strategies, arrivals, departures, free riders, a seed that may leave), with the rules every
// run must keep checked after each. A failure names its seed; the same seed replays it.
import { describe, expect, it, vi } from 'vitest';
import { Connection } from '../../../src/bittorrent/core/connection.ts';
import type { PeerGroup, SwarmScenario } from '../../../src/bittorrent/scenario/scenario.ts';
import type { SwarmRun } from '../../../src/bittorrent/sim/run-types.ts';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { kumarRossBound } from '../../../src/bittorrent/theory/bound.ts';
import { Rng } from '../../../src/util/rng.ts';
import { MBIT } from '../../support/swarm-scenarios.ts';

const SEEDS = 400;

function scenarioFor(seed: number): SwarmScenario {
  const r = new Rng(seed, 77);
  const pieceBytes = r.pick([64, 128, 256]) * 1024;
  const pieces = r.between(1, 40);
  const groups: PeerGroup[] = Array.from({ length: r.between(1, 3) }, (_, g) => {
    const count = r.between(0, 12);
    const arrival: PeerGroup['arrival'] = r.pick([
      { kind: 'flash' } as const,
      { kind: 'poisson', ratePerS: r.pick([0.05, 0.5, 5]) } as const,
      { kind: 'times', atS: Array.from({ length: count }, () => r.next() * 100) } as const,
    ]);
    return {
      name: `g${g}`,
      count,
      uploadBps: r.pick([
        { kind: 'fixed', value: r.pick([0.5, 1, 4]) * MBIT } as const,
        { kind: 'uniform', min: 0.2 * MBIT, max: 2 * MBIT } as const,
      ]),
      downloadBps: { kind: 'fixed', value: r.pick([1, 8, 50]) * MBIT },
      arrival,
      afterDone: r.pick([{ kind: 'leave' }, { kind: 'forever' }, { kind: 'stay', forS: 30 }] as const),
      freeRiders: r.pick([0, 0, 0.3]),
    };
  });
  return {
    name: `seed-${seed}`,
    description: '',
    file: { sizeBytes: pieces * pieceBytes - r.int(pieceBytes / 2), pieceBytes, blockBytes: 16 * 1024 },
    seeds: {
      count: r.between(1, 2),
      uploadBps: { kind: 'fixed', value: r.pick([1, 4, 10]) * MBIT },
      leaveAtS: r.pick([null, null, 20, 200]),
    },
    peers: groups,
    network: {
      latencyS: r.pick([
        { kind: 'fixed', value: 0.05 } as const,
        { kind: 'uniform', min: 0.001, max: 0.2 } as const,
      ]),
    },
    tracker: { peersPerRequest: r.pick([3, 50]), reannounceS: r.pick([60, 1800]) },
    strategy: {
      pieces: r.pick(['sequential', 'random', 'rarest-first'] as const),
      randomFirstPieces: r.pick([0, 4]),
      endgame: r.pick([true, false]),
      peers: r.pick(['random', 'least-loaded', 'tit-for-tat'] as const),
      maxConnections: r.pick([2, 10, 80]),
      requestsInFlight: r.pick([1, 5, 40]),
    },
    stop: { whenAllDone: true, atS: 20_000 },
    sampleEveryS: 10,
  };
}

function check(scenario: SwarmScenario, run: SwarmRun, label: string): void {
  const fail = (message: string) => expect.fail(`${label}: ${message}`);
  const size = scenario.file.sizeBytes;
  let up = 0;
  let down = 0;
  for (const peer of run.peers) {
    up += peer.bytesUp;
    down += peer.bytesDown;
    if (peer.freeRider && peer.bytesUp > 0) fail(`free rider ${peer.id} uploaded`);
    if (peer.role === 'seed' && peer.bytesDown > 0) fail(`seed ${peer.id} downloaded`);
    if (peer.completedS !== null) {
      if (peer.completedS < peer.arrivalS) fail(`peer ${peer.id} completed before arriving`);
      if (peer.bytesDown < size) fail(`peer ${peer.id} completed with ${peer.bytesDown} of ${size} bytes`);
    }
    if (peer.leftS !== null && peer.leftS < peer.arrivalS) fail(`peer ${peer.id} left before arriving`);
    // Leechers leave only once done (the scenario's `after`); only seeds leave at a set time.
    if (peer.role === 'leecher' && peer.leftS !== null && peer.completedS === null)
      fail(`peer ${peer.id} left unfinished`);
  }
  if (up !== down) fail(`uploaded ${up} but downloaded ${down}`);
  const { series } = run;
  const n = series.timeS.length;
  for (const key of ['leechers', 'seeds', 'meanPieces', 'minAvailability', 'uploadBps'] as const) {
    if (series[key].length !== n) fail(`series ${key} has ${series[key].length} samples, not ${n}`);
  }
  for (let i = 1; i < n; i++)
    if ((series.timeS[i] as number) < (series.timeS[i - 1] as number)) fail('time went back');
  if (series.minAvailability.some((a) => a < 0)) fail('negative availability');
  const leechers = run.peers.filter((p) => p.role === 'leecher');
  const contributors = leechers.filter((p) => !p.freeRider);
  if (run.stopReason === 'all-done') {
    if (contributors.some((p) => p.completedS === null) && leechers.some((p) => p.completedS === null)) {
      fail('all-done with a contributor unfinished');
    }
    const flash = scenario.peers.every((g) => g.arrival.kind === 'flash' && g.count > 0);
    if (flash && contributors.length === leechers.length && leechers.length > 0) {
      const last = Math.max(...leechers.map((p) => p.completedS as number));
      if (last < kumarRossBound(scenario).boundS * (1 - 1e-9)) fail(`finished at ${last}, before the bound`);
    }
  }
  if (run.stopReason === 'stalled' && scenario.seeds.leaveAtS === null && contributors.length > 0) {
    // With the seeds staying, every piece stays available: a stall is a bug.
    fail('stalled although the seeds never left');
  }
}

describe('swarm simulator: deterministic simulation over many seeds', () => {
  it(`keeps every rule for ${SEEDS} generated scenarios`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const scenario = scenarioFor(seed);
      const run = simulateSwarm(scenario, { seed, maxEvents: 5_000_000 });
      check(scenario, run, `seed ${seed} (${scenario.strategy.pieces}, ${scenario.strategy.peers})`);
    }
  });

  it('never turns a request away for a full queue: a queue holds what one neighbour keeps in flight', () => {
    // The store gives each queue as many slots as a peer keeps pieces in flight (swarm.ts says why
    // that is enough); a full queue would reject, and the asker would ask again and again.
    const enqueue = vi.spyOn(Connection.prototype, 'enqueue');
    try {
      let tight = 0;
      for (let seed = 1; seed <= 120; seed++) {
        const scenario = scenarioFor(seed);
        simulateSwarm(scenario, { seed, maxEvents: 5_000_000 });
        const full = enqueue.mock.results.findIndex((result) => result.value === false);
        if (full >= 0) expect.fail(`seed ${seed}: a request found its queue full`);
        if (scenario.strategy.requestsInFlight * 16 * 1024 > scenario.file.pieceBytes) tight++;
        enqueue.mockClear();
      }
      // Many of these scenarios keep several pieces in flight, with drawn latencies and departures.
      expect(tight).toBeGreaterThan(30);
    } finally {
      enqueue.mockRestore();
    }
  });

  it('replays a generated scenario exactly for the same seed', () => {
    for (const seed of [5, 50]) {
      const scenario = scenarioFor(seed);
      expect(simulateSwarm(scenario, { seed }).peers).toEqual(simulateSwarm(scenario, { seed }).peers);
    }
  });
});
