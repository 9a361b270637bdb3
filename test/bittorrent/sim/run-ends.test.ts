// Every run ends (issue 13): with nothing that can move, a run stalls and says so; an all-free-rider
// swarm runs to its stop time; a peer with no upload capacity holds nobody's pieces hostage.
import { describe, expect, it } from 'vitest';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { flashCrowd, MBIT } from '../../support/swarm-scenarios.ts';

describe('every run ends', () => {
  it('stalls, not runs for ever, when no capacity can send the file (a rate-0 transfer is no progress)', () => {
    const scenario = flashCrowd({ peers: 5, seedUploadBps: 0, peerUploadBps: 1 * MBIT });
    const run = simulateSwarm(scenario, { seed: 1, maxEvents: 1_000_000 });
    expect(run.stopReason).toBe('stalled');
    expect(run.endedAtS).toBeLessThanOrEqual(700);
    expect(run.peers.every((p) => p.role === 'seed' || p.completedS === null)).toBe(true);
  });

  it('runs a swarm of free riders only to its stop time, not to t = 0', () => {
    const scenario = flashCrowd({ peers: 6, freeRiders: 1, stopAtS: 30 });
    const run = simulateSwarm(
      { ...scenario, stop: { whenAllDone: true, atS: 30 } },
      { seed: 1, maxEvents: 1_000_000 },
    );
    expect(run.endedAtS).toBeGreaterThan(0);
    expect(['time', 'all-done']).toContain(run.stopReason);
    if (run.stopReason === 'time') expect(run.endedAtS).toBe(30);
    expect(run.peers.some((p) => p.bytesDown > 0)).toBe(true);
  });

  it('runs free riders only, with all-done and no stop time, until every leecher is done', () => {
    const scenario = flashCrowd({ peers: 4, freeRiders: 1, fileBytes: 2_000_000 });
    const run = simulateSwarm(scenario, { seed: 1, maxEvents: 1_000_000 });
    expect(run.stopReason).toBe('all-done');
    expect(run.peers.every((p) => p.role === 'seed' || p.completedS !== null)).toBe(true);
  });

  it('lets peers with no upload capacity finish from the seed alone', () => {
    const scenario = flashCrowd({
      peers: 4,
      fileBytes: 4_000_000,
      seedUploadBps: 8 * MBIT,
      peerUploadBps: 0,
    });
    const run = simulateSwarm(scenario, { seed: 1, maxEvents: 1_000_000 });
    expect(run.stopReason).toBe('all-done');
    expect(run.peers.filter((p) => p.role === 'leecher').every((p) => p.bytesUp === 0)).toBe(true);
  });
});
