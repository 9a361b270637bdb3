// The swarm simulator's deterministic simulation testing, in the manner of TigerBeetle's VOPR: a seed
// draws a small scenario (strategies, arrivals, departures, free riders, a seed that may leave) and
// faults (peers that vanish, tracker outages, latency spikes, peers whose data fails the hash check);
// every core's invariants are checked after every event; after the faults, the swarm must still finish.
// `npm test` runs fixed seeds (test/bittorrent/sim/invariants.test.ts); `npm run vopr` runs fresh ones.
import type { PeerGroup, SwarmScenario } from '../../../src/bittorrent/scenario/scenario.ts';
import type { Faults } from '../../../src/bittorrent/sim/faults.ts';
import type { SwarmRun } from '../../../src/bittorrent/sim/run-types.ts';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { runBound } from '../../../src/results/swarm-summary.ts';
import { Rng } from '../../../src/util/rng.ts';
import { MBIT } from '../../support/swarm-scenarios.ts';

export function scenarioFor(seed: number): SwarmScenario {
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

export function check(scenario: SwarmScenario, run: SwarmRun, label: string, faults: Faults = {}): void {
  const vanished = new Set((faults.vanish ?? []).map((v) => v.peer));
  const fail = (message: string): never => {
    throw new Error(`${label}: ${message}`);
  };
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
    if (peer.role === 'leecher' && peer.leftS !== null && peer.completedS === null && !vanished.has(peer.id))
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
  // A peer that vanished is no longer waited for.
  const leechers = run.peers.filter((p) => p.role === 'leecher' && !vanished.has(p.id));
  const contributors = leechers.filter((p) => !p.freeRider);
  if (run.stopReason === 'all-done') {
    if (contributors.some((p) => p.completedS === null) && leechers.some((p) => p.completedS === null)) {
      fail('all-done with a contributor unfinished');
    }
    const flash = scenario.peers.every((g) => g.arrival.kind === 'flash' && g.count > 0);
    // The bound of the peers drawn, free riders aside, holds for the contributors' last completion.
    if (faultFree(faults) && flash && contributors.length > 0) {
      const last = Math.max(...contributors.map((p) => p.completedS as number));
      if (last < runBound(run).boundS * (1 - 1e-9)) fail(`finished at ${last}, before the bound`);
    }
  }
  if (
    !faultFree(faults) &&
    scenario.seeds.leaveAtS === null &&
    contributors.length > 0 &&
    run.stopReason !== 'all-done'
  ) {
    // The faults are over long before the stop time: with the seeds staying, the swarm must finish.
    fail(`stopped (${run.stopReason}) with a contributor unfinished after the faults`);
  }
  if (run.stopReason === 'stalled' && scenario.seeds.leaveAtS === null && contributors.length > 0) {
    // With the seeds staying, every piece stays available: a stall is a bug.
    fail('stalled although the seeds never left');
  }
}

/** Faults for a seed's scenario: none for about half the seeds, one to three kinds for the others. */
export function faultsFor(seed: number, scenario: SwarmScenario): Faults {
  const r = new Rng(seed, 78);
  const peers = scenario.seeds.count + scenario.peers.reduce((n, g) => n + g.count, 0);
  const leechers = Array.from({ length: peers - scenario.seeds.count }, (_, i) => scenario.seeds.count + i);
  if (r.next() < 0.5 || leechers.length === 0) return {};
  const faults: { -readonly [K in keyof Faults]: Faults[K] } = {};
  if (r.next() < 0.5) faults.vanish = [{ peer: r.pick(leechers), atS: r.next() * 100 }];
  if (r.next() < 0.5) {
    const fromS = r.next() * 100;
    faults.trackerOutages = [{ fromS, toS: fromS + r.pick([30, 300]) }];
  }
  if (r.next() < 0.5) {
    const fromS = r.next() * 100;
    faults.latencySpikes = [{ fromS, toS: fromS + 20, extraS: r.pick([0.5, 5]) }];
  }
  if (r.next() < 0.5) faults.corrupt = [r.pick(leechers)];
  return faults;
}

/** Runs one seed with its faults, every touched core checked after every event; returns the run. */
export function runSeed(
  seed: number,
  options: { readonly faults: boolean; readonly invariants: boolean },
): {
  scenario: SwarmScenario;
  faults: Faults;
  run: SwarmRun;
} {
  const scenario = scenarioFor(seed);
  const faults = options.faults ? faultsFor(seed, scenario) : {};
  const run = simulateSwarm(scenario, {
    seed,
    maxEvents: 5_000_000,
    faults,
    ...(options.invariants
      ? {
          afterEvent: (touched) => {
            for (const peer of touched) peer.checkInvariants();
          },
        }
      : {}),
  });
  return { scenario, faults, run };
}

function faultFree(faults: Faults): boolean {
  return Object.keys(faults).length === 0;
}

/**
 * Runs a seed's scenario (and its faults) with the simulator's announced views and without them, and
 * throws if the two runs differ in anything (sim/announced-views.ts must be a way of delivering haves,
 * not a model). Returns whether views were used at all (a fixed latency, no spikes).
 */
export function checkViewsChangeNothing(seed: number, withFaults: boolean): boolean {
  const scenario = scenarioFor(seed);
  const faults = withFaults ? faultsFor(seed, scenario) : {};
  const options = { seed, maxEvents: 5_000_000, faults };
  const direct = simulateSwarm(scenario, { ...options, views: false });
  const viewed = simulateSwarm(scenario, options);
  const differs = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`seed ${seed}: ${what} differ with announced views (sim/announced-views.ts)`);
    }
  };
  differs('events', direct.events, viewed.events);
  differs('stop reasons', direct.stopReason, viewed.stopReason);
  differs('peers', direct.peers, viewed.peers);
  differs('series', direct.series, viewed.series);
  return scenario.network.latencyS.kind === 'fixed' && faults.latencySpikes === undefined;
}
