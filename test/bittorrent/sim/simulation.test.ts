// The swarm simulator on small swarms: every peer gets the whole file, no sooner than theory allows,
// and the same seed gives the same run.
import { describe, expect, it } from 'vitest';
import { simulateSwarm } from '../../../src/bittorrent/sim/simulation.ts';
import { runBound } from '../../../src/results/swarm-summary.ts';
import { flashCrowd, MBIT } from '../../support/swarm-scenarios.ts';

const STRATEGIES = [
  ['rarest-first', 'tit-for-tat'],
  ['random', 'tit-for-tat'],
  ['sequential', 'random'],
  ['rarest-first', 'least-loaded'],
] as const;

describe('simulateSwarm', () => {
  it.each(STRATEGIES)(
    'completes a flash crowd with %s pieces and %s peers, never faster than Kumar-Ross',
    (pieces, peers) => {
      const scenario = flashCrowd({ peers: 15, pieces, peerStrategy: peers });
      const run = simulateSwarm(scenario, { seed: 3 });
      expect(run.stopReason).toBe('all-done');
      const leechers = run.peers.filter((p) => p.role === 'leecher');
      expect(leechers).toHaveLength(15);
      for (const peer of leechers) {
        expect(peer.completedS, `peer ${peer.id}`).not.toBeNull();
        // End game may fetch a last piece twice; nothing else is ever fetched twice.
        expect(peer.bytesDown).toBeGreaterThanOrEqual(scenario.file.sizeBytes);
        expect(peer.bytesDown).toBeLessThanOrEqual(scenario.file.sizeBytes + 5 * scenario.file.pieceBytes);
      }
      const bound = runBound(run).boundS;
      expect(run.endedAtS).toBeGreaterThanOrEqual(bound);
      const uploaded = run.peers.reduce((total, p) => total + p.bytesUp, 0);
      const downloaded = run.peers.reduce((total, p) => total + p.bytesDown, 0);
      expect(uploaded).toBe(downloaded);
    },
  );

  it('replays the same run for the same seed, and another for another seed', () => {
    const scenario = flashCrowd({ peers: 12 });
    const a = simulateSwarm(scenario, { seed: 9 });
    const b = simulateSwarm(scenario, { seed: 9 });
    const c = simulateSwarm(scenario, { seed: 10 });
    expect(b.peers).toEqual(a.peers);
    expect(b.series).toEqual(a.series);
    expect(c.peers).not.toEqual(a.peers);
  });

  it('stops at the scenario time when asked, with peers still downloading', () => {
    const run = simulateSwarm(flashCrowd({ peers: 10, stopAtS: 5 }), { seed: 1 });
    expect(run.stopReason).toBe('time');
    expect(run.endedAtS).toBe(5);
    expect(run.peers.some((p) => p.role === 'leecher' && p.completedS === null)).toBe(true);
  });

  it('reports a stall instead of running for ever when the only seed leaves before anyone has a piece', () => {
    const run = simulateSwarm(flashCrowd({ peers: 5, seedLeaveAtS: 0.01 }), { seed: 1 });
    expect(run.stopReason).toBe('stalled');
    expect(run.series.minAvailability.at(-1)).toBe(0);
  });

  it('lets peers that leave when done leave, and the rest still finish', () => {
    const run = simulateSwarm(
      flashCrowd({ peers: 10, afterDone: { kind: 'leave' }, seedUploadBps: 8 * MBIT }),
      { seed: 2 },
    );
    expect(run.stopReason).toBe('all-done');
    for (const peer of run.peers.filter((p) => p.role === 'leecher')) {
      expect(peer.leftS).toBe(peer.completedS);
    }
  });

  it('samples the series at the scenario interval', () => {
    const run = simulateSwarm(flashCrowd({ peers: 8 }), { seed: 4 });
    const times = run.series.timeS;
    expect(times[0]).toBe(0);
    expect(times[1]).toBe(10);
    // The flash crowd is there from t = 0.
    expect(run.series.leechers[0]).toBe(8);
    expect(Math.max(...run.series.leechers)).toBe(8);
  });
});
