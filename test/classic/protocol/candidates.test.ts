import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { SwarmCandidates } from '../../../src/classic/protocol/candidates.ts';
import { emptyStats } from '../../../src/classic/protocol/counters.ts';
import { ClientDownload } from '../../../src/classic/protocol/download.ts';
import { Holdings } from '../../../src/classic/protocol/holdings.ts';
import { createPeerSelector } from '../../../src/classic/protocol/strategies/index.ts';
import { Rng } from '../../../src/util/rng.ts';
import { RecordingOutbox } from './recording-outbox.ts';

describe('SwarmCandidates', () => {
  it('is the swarm without the members that refused, in swarm order, as a filter would give', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 210 }), { maxLength: 20 }),
        (members, refusers) => {
          const candidates = new SwarmCandidates(members);
          for (const rank of refusers) candidates.skip(rank);
          const expected = members.filter((rank) => !refusers.includes(rank));
          expect(candidates.length).toBe(expected.length);
          expect(expected.map((_, k) => candidates.at(k))).toEqual(expected);
          expect([...candidates]).toEqual(expected);
          expect(candidates.at(expected.length)).toBeUndefined();
          expect(candidates.at(-1)).toBe(expected.at(-1));
          candidates.clear();
          expect([...candidates]).toEqual(members);
        },
      ),
      { seed: 21 },
    );
  });
});

describe('a segment request in a large swarm', () => {
  it('does not walk the swarm: refusals cost work in proportion to themselves, not to the swarm', () => {
    // The sim runtime slowed per message as clients grew because every request after a refusal
    // filtered the whole swarm. Count the array elements filtered while segments are requested.
    const members = Array.from({ length: 20_000 }, (_, i) => i + 2);
    const hashes = Array.from({ length: 50 }, (_, i) => `h${i}`);
    const download = new ClientDownload(
      1,
      ['f'],
      new Holdings(),
      createPeerSelector('random'),
      new Rng(1),
      emptyStats(1),
    );
    const out = new RecordingOutbox();
    download.handle(0, { kind: 'start' }, out);
    out.take();
    download.handle(0, { kind: 'swarm', file: 'f', hashes, seeds: members, peers: [] }, out);
    let filtered = 0;
    const filter = Array.prototype.filter;
    const spy = vi.spyOn(Array.prototype, 'filter').mockImplementation(function (this: unknown[], ...args) {
      filtered += this.length;
      return filter.apply(this, args as Parameters<typeof filter>);
    });
    try {
      // Each of 9 segments is refused three times, then granted.
      for (let index = 0; index < 9; index++) {
        for (let attempt = 0; attempt < 4; attempt++) {
          const { to, msg } = out.takeOne();
          expect(msg).toEqual({ kind: 'segment-request', file: 'f', index });
          download.handle(to, { kind: 'segment-reply', file: 'f', index, granted: attempt === 3 }, out);
        }
      }
    } finally {
      spy.mockRestore();
    }
    expect(filtered).toBeLessThan(members.length);
  });
});
