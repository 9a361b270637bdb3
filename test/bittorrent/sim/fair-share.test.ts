// Max-min fair bandwidth seen from whole swarms (issue 13): capacity a slow transfer cannot use goes to
// the others, so slow uploaders no longer hold fast ones back.
import { describe, expect, it } from 'vitest';
import type { SwarmScenario } from '../../../src/bittorrent/scenario/scenario.ts';
import type { SwarmRun } from '../../../src/bittorrent/sim/run-types.ts';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { flashCrowd, MBIT } from '../../support/swarm-scenarios.ts';

const SEEDS = [1, 2, 3, 4, 5, 6];

/** When the last leecher completed (Infinity if one did not). */
function lastCompletion(run: SwarmRun): number {
  let last = 0;
  for (const peer of run.peers) {
    if (peer.role !== 'leecher') continue;
    last = Math.max(last, peer.completedS ?? Number.POSITIVE_INFINITY);
  }
  return last;
}

function meanOver(seeds: readonly number[], scenario: SwarmScenario): number {
  const times = seeds.map((seed) => lastCompletion(simulateSwarm(scenario, { seed })));
  return times.reduce((a, b) => a + b, 0) / times.length;
}

describe('max-min fair bandwidth in a swarm', () => {
  it('lets 5 peers uploading 0.05 Mbit/s finish about as fast as peers uploading nothing', () => {
    // The example: 8 Mbit/s downloads and a 40 Mbit/s seed: F/d = 40 s. With equal shares the
    // slow uploads made it 3.6x slower (143 s against 40 s).
    const swarm = (upload: number) =>
      flashCrowd({
        peers: 5,
        fileBytes: 40_000_000,
        seedUploadBps: 40 * MBIT,
        peerUploadBps: upload * MBIT,
        peerDownloadBps: 8 * MBIT,
      });
    const silent = meanOver(SEEDS.slice(0, 3), swarm(0));
    const slow = SEEDS.map((seed) => lastCompletion(simulateSwarm(swarm(0.05), { seed }))).sort(
      (a, b) => a - b,
    );
    const median = ((slow[2] as number) + (slow[3] as number)) / 2;
    const says = `0.05 Mbit/s: ${slow.map((t) => t.toFixed(1)).join(', ')} s; 0: ${silent.toFixed(1)} s`;
    expect(silent).toBeLessThan(50);
    expect(median, says).toBeLessThanOrEqual(silent * 1.05);
    // A last piece asked in end game of three slow neighbours still waits for one of them (2 seeds in 6).
    expect(slow.at(-1) as number, says).toBeLessThanOrEqual(silent * 1.75);
  });

  it('finishes a download-bound flash crowd within 30% of F/d', () => {
    // 30 peers download at 2 Mbit/s, upload at 8, from a 100 Mbit/s seed: only downloads bind. The
    // first peers finish at F/d; the last about 13% later (the last pieces come from fewer holders).
    const scenario = flashCrowd({
      peers: 30,
      fileBytes: 40_000_000,
      seedUploadBps: 100 * MBIT,
      peerUploadBps: 8 * MBIT,
      peerDownloadBps: 2 * MBIT,
    });
    const fOverD = 40_000_000 / (2 * MBIT);
    for (const seed of SEEDS.slice(0, 2)) {
      const run = simulateSwarm(scenario, { seed });
      expect(run.stopReason).toBe('all-done');
      expect(lastCompletion(run)).toBeGreaterThanOrEqual(fOverD);
      expect(lastCompletion(run), `seed ${seed}`).toBeLessThanOrEqual(1.3 * fOverD);
    }
  });

  it('never makes a swarm finish later, over seeds, when one peer uploads more', () => {
    // A mixed swarm (uploads 0.2 to 2 Mbit/s): raising any one peer's upload to 4 Mbit/s leaves the
    // mean over seeds of the last completion no later (within the noise of 6 seeds: 3%).
    const base = flashCrowd({ peers: 12, fileBytes: 4_000_000, seedUploadBps: 2 * MBIT });
    const group = base.peers[0] as SwarmScenario['peers'][number];
    const uploads = [0.2, 0.5, 1, 2];
    const mixed: SwarmScenario = {
      ...base,
      peers: uploads.map((up, i) => ({
        ...group,
        name: `up${i}`,
        count: 3,
        uploadBps: { kind: 'fixed', value: up * MBIT },
      })),
    };
    const before = meanOver(SEEDS, mixed);
    for (let raised = 0; raised < uploads.length; raised++) {
      const faster: SwarmScenario = {
        ...mixed,
        peers: mixed.peers.map((g, i) =>
          i === raised ? { ...g, uploadBps: { kind: 'fixed', value: 4 * MBIT } } : g,
        ),
      };
      const after = meanOver(SEEDS, faster);
      expect(
        after,
        `group ${raised} raised: ${after.toFixed(1)} s against ${before.toFixed(1)} s`,
      ).toBeLessThanOrEqual(before * 1.03);
    }
  });
});
