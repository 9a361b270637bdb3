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

  it('is seeds then peers without the asking client, wherever the tracker lists it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 60 }),
        fc.nat(),
        fc.array(fc.integer({ min: 0, max: 61 }), { maxLength: 20 }),
        (ranks, self, split, refusers) => {
          const seeds = ranks.slice(0, split % (ranks.length + 1));
          const peers = ranks.slice(seeds.length);
          // The asking client may be listed as a seed, as a peer, or both (after an update).
          if (split % 3 === 0) peers.push(self);
          const candidates = new SwarmCandidates(seeds, peers, self);
          const members = [...seeds, ...peers].filter((rank) => rank !== self);
          expect([...candidates]).toEqual(members);
          for (const rank of refusers) {
            // A refusal is almost always of the member just picked: pick it first, as a selector would.
            const picked = members.indexOf(rank);
            if (picked >= 0 && rank % 2 === 0) candidates.at([...candidates].indexOf(rank));
            candidates.skip(rank);
          }
          const expected = members.filter((rank) => !refusers.includes(rank));
          expect([...candidates]).toEqual(expected);
          expect(expected.map((_, k) => candidates.at(k))).toEqual(expected);
          candidates.clear();
          expect([...candidates]).toEqual(members);
        },
      ),
      { seed: 22 },
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
    let searched = 0;
    const filter = Array.prototype.filter;
    const indexOf = Array.prototype.indexOf;
    const filterSpy = vi.spyOn(Array.prototype, 'filter').mockImplementation(function (
      this: unknown[],
      ...args
    ) {
      filtered += this.length;
      return filter.apply(this, args as Parameters<typeof filter>);
    });
    // A refusal is of the member just picked: finding it again must not search the swarm either.
    const indexOfSpy = vi.spyOn(Array.prototype, 'indexOf').mockImplementation(function (
      this: unknown[],
      ...args
    ) {
      searched += this.length;
      return indexOf.apply(this, args as Parameters<typeof indexOf>);
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
      filterSpy.mockRestore();
      indexOfSpy.mockRestore();
    }
    expect(filtered).toBeLessThan(members.length);
    expect(searched).toBeLessThan(members.length);
  });
});
