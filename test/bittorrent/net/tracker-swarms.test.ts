import { describe, expect, it } from 'vitest';
import {
  type Announce,
  DEFAULT_LIMITS,
  type TrackerLimits,
  TrackerSwarms,
} from '../../../src/bittorrent/net/tracker-swarms.ts';
import { Rng } from '../../../src/util/rng.ts';

const HASH = 'h'.repeat(20);
const OTHER_HASH = 'g'.repeat(20);

function peerId(n: number): Uint8Array {
  return new TextEncoder().encode(`-SL0001-${String(n).padStart(12, '0')}`);
}

function announce(n: number, overrides: Partial<Announce> = {}): Announce {
  return {
    infoHash: HASH,
    peer: { ip: `10.0.0.${n}`, port: 6000 + n, peerId: peerId(n) },
    left: 100,
    event: 'started',
    numwant: undefined,
    ...overrides,
  };
}

function swarms(limits: Partial<TrackerLimits> = {}): TrackerSwarms {
  return new TrackerSwarms({ ...DEFAULT_LIMITS, ...limits }, new Rng(7));
}

const ports = (answer: { peers: readonly { port: number }[] }) => answer.peers.map((p) => p.port).sort();

describe('TrackerSwarms', () => {
  it('answers a peer with the others of its torrent, never itself, and counts seeds and leechers', () => {
    const tracker = swarms();
    expect(tracker.announce(announce(1), 0).peers).toEqual([]);
    tracker.announce(announce(2, { left: 0 }), 0);
    tracker.announce(announce(9, { infoHash: OTHER_HASH }), 0);
    const answer = tracker.announce(announce(3), 0);
    expect(ports(answer)).toEqual([6001, 6002]);
    expect(answer).toMatchObject({ complete: 1, incomplete: 2 });
  });

  it('gives a seed leechers only', () => {
    const tracker = swarms();
    tracker.announce(announce(1, { left: 0 }), 0);
    tracker.announce(announce(2), 0);
    expect(ports(tracker.announce(announce(3, { left: 0 }), 0))).toEqual([6002]);
  });

  it('forgets a peer that says stopped, and a torrent left with no peer', () => {
    const tracker = swarms();
    tracker.announce(announce(1), 0);
    tracker.announce(announce(2), 0);
    expect(tracker.announce(announce(2, { event: 'stopped' }), 1).peers).toEqual([]);
    expect(ports(tracker.announce(announce(3), 1))).toEqual([6001]);
    tracker.announce(announce(1, { event: 'stopped' }), 2);
    tracker.announce(announce(3, { event: 'stopped' }), 2);
    expect(tracker.torrentCount).toBe(0);
    expect(tracker.peerCount).toBe(0);
  });

  it('takes a stopped only from the address that announced', () => {
    const tracker = swarms();
    tracker.announce(announce(1), 0);
    const spoofed = announce(1, { event: 'stopped' });
    tracker.announce({ ...spoofed, peer: { ...spoofed.peer, ip: '10.9.9.9' } }, 1);
    expect(ports(tracker.announce(announce(2), 1))).toEqual([6001]);
  });

  it('counts completed downloads once a peer, and a leecher that finishes as a seed', () => {
    const tracker = swarms();
    tracker.announce(announce(1), 0);
    tracker.announce(announce(1, { event: 'completed', left: 0 }), 1);
    tracker.announce(announce(1, { event: 'completed', left: 0 }), 2);
    expect(tracker.scrape(HASH)).toEqual({ complete: 1, incomplete: 0, downloaded: 1 });
    expect(tracker.scrape(OTHER_HASH)).toEqual({ complete: 0, incomplete: 0, downloaded: 0 });
  });

  it('forgets peers that stop announcing, after the time-out and not before', () => {
    const tracker = swarms({ peerTimeoutS: 100 });
    tracker.announce(announce(1), 0);
    tracker.announce(announce(2), 50);
    tracker.forget(100);
    expect(tracker.peerCount).toBe(2);
    tracker.forget(101);
    expect(ports(tracker.announce(announce(3), 101))).toEqual([6002]);
    tracker.forget(1000);
    expect(tracker.peerCount).toBe(0);
    expect(tracker.torrentCount).toBe(0);
  });

  it('gives numwant peers at most, and never more than its own bound', () => {
    const tracker = swarms({ maxNumwant: 5 });
    for (let n = 1; n <= 20; n++) tracker.announce(announce(n), 0);
    expect(tracker.announce(announce(21, { numwant: 3 }), 0).peers).toHaveLength(3);
    expect(tracker.announce(announce(21, { numwant: 1000 }), 0).peers).toHaveLength(5);
    expect(tracker.announce(announce(21, { numwant: 0 }), 0).peers).toHaveLength(0);
    const seen = new Set(tracker.announce(announce(21, { numwant: 5 }), 0).peers.map((p) => p.port));
    expect(seen.size).toBe(5);
  });

  it('answers but does not remember peers and torrents past its bounds', () => {
    const tracker = swarms({ maxPeersPerTorrent: 3, maxTorrents: 1, maxPeers: 4 });
    for (let n = 1; n <= 5; n++) tracker.announce(announce(n), 0);
    expect(tracker.peerCount).toBe(3);
    expect(ports(tracker.announce(announce(6), 0))).toEqual([6001, 6002, 6003]);
    expect(tracker.announce(announce(7, { infoHash: OTHER_HASH }), 0).peers).toEqual([]);
    expect(tracker.torrentCount).toBe(1);
  });

  it('moves a peer that announces a new port, without counting it twice', () => {
    const tracker = swarms();
    tracker.announce(announce(1), 0);
    const moved = announce(1);
    tracker.announce({ ...moved, peer: { ...moved.peer, port: 7777 } }, 1);
    expect(tracker.peerCount).toBe(1);
    expect(ports(tracker.announce(announce(2), 1))).toEqual([7777]);
  });
});
