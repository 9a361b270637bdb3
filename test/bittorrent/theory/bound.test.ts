import { describe, expect, it } from 'vitest';
import { type BoundPeer, kumarRossBound } from '../../../src/bittorrent/theory/bound.ts';

const MB = 1_000_000;
const seed = (uploadBps: number): BoundPeer => ({
  role: 'seed',
  freeRider: false,
  uploadBps,
  downloadBps: 1,
});
const leecher = (uploadBps: number, downloadBps: number, freeRider = false): BoundPeer => ({
  role: 'leecher',
  freeRider,
  uploadBps,
  downloadBps,
});

describe('Kumar-Ross bound of the peers drawn', () => {
  it('takes the largest of the three terms, for the peers as drawn', () => {
    // F = 10 MB; seed 1 MB/s: 10 s; slowest download 0.5 MB/s: 20 s; 4 peers, 1 + 4 x 0.25 MB/s: 20 s.
    const bound = kumarRossBound(
      [seed(MB), ...[1, 2, 3].map(() => leecher(MB / 4, MB)), leecher(MB / 4, MB / 2)],
      10 * MB,
    );
    expect(bound.seedTermS).toBe(10);
    expect(bound.downloadTermS).toBe(20);
    expect(bound.swarmTermS).toBe(20);
    expect(bound.boundS).toBe(20);
    expect(bound.peers).toBe(4);
  });

  it('leaves free riders out of N, of the slowest download and of the upload', () => {
    const bound = kumarRossBound(
      [seed(MB), leecher(MB, MB), leecher(0, MB / 100, true), leecher(0, MB / 100, true)],
      10 * MB,
    );
    expect(bound.peers).toBe(1);
    expect(bound.freeRiders).toBe(2);
    expect(bound.minDownloadBps).toBe(MB);
    expect(bound.boundS).toBe(10);
  });

  it('has no finite bound when the seeds upload nothing, and none at all with no contributor', () => {
    const stuck = kumarRossBound([seed(0), leecher(MB, MB)], 10 * MB);
    expect(stuck.boundS).toBe(Number.POSITIVE_INFINITY);
    expect(stuck.binding).toBe('seed-upload');
    const riders = kumarRossBound([seed(MB), leecher(0, MB, true)], 10 * MB);
    expect(riders.boundS).toBe(Number.POSITIVE_INFINITY);
    expect(riders.binding).toBe('no-contributors');
  });
});
