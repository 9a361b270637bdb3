import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../../src/classic/protocol/counters.ts';
import { ClientDownload, UPDATE_EVERY } from '../../../src/classic/protocol/download.ts';
import { Holdings } from '../../../src/classic/protocol/holdings.ts';
import {
  type Message,
  type OwnedFile,
  ProtocolError,
  type Rank,
  TRACKER,
} from '../../../src/classic/protocol/messages.ts';
import {
  createPeerSelector,
  PEER_STRATEGIES,
  type PeerSelector,
  type PeerStrategyName,
} from '../../../src/classic/protocol/strategies/index.ts';
import { Rng } from '../../../src/util/rng.ts';
import { hashesOf, RecordingOutbox } from './recording-outbox.ts';

interface Setup {
  readonly rank?: Rank;
  readonly wanted: readonly string[];
  readonly owned?: readonly OwnedFile[];
  readonly strategy?: PeerStrategyName;
  readonly selector?: PeerSelector;
  readonly seed?: number;
}

function setup({ rank = 1, wanted, owned = [], strategy = 'random', selector, seed = 1 }: Setup) {
  const holdings = new Holdings();
  for (const file of owned) holdings.own(file.name, file.hashes);
  const stats = emptyStats(rank);
  const download = new ClientDownload(
    rank,
    wanted,
    holdings,
    selector ?? createPeerSelector(strategy),
    new Rng(seed),
    stats,
  );
  return { download, stats, holdings, out: new RecordingOutbox() };
}

function swarm(file: string, hashes: readonly string[] | null, seeds: Rank[], peers: Rank[] = []): Message {
  return { kind: 'swarm', file, hashes, seeds, peers };
}

function reply(file: string, index: number, granted: boolean): Message {
  return { kind: 'segment-reply', file, index, granted };
}

/** A selector that records what it is offered and always asks the last candidate. */
class ScriptedSelector implements PeerSelector {
  readonly offered: Rank[][] = [];
  readonly observed: [Rank, boolean][] = [];

  pick(candidates: readonly Rank[]): Rank {
    this.offered.push([...candidates]);
    return candidates.at(-1) as Rank;
  }

  observe(peer: Rank, granted: boolean): void {
    this.observed.push([peer, granted]);
  }
}

interface SwarmFile {
  readonly hashes: readonly string[];
  readonly seeds: Rank[];
  readonly peers: Rank[];
}

interface World {
  readonly files: Record<string, SwarmFile>;
  /** Whether a peer (a member that is not a seed) holds a segment; seeds hold every segment. */
  readonly peerHolds?: (peer: Rank, file: string, index: number) => boolean;
}

interface Event {
  readonly from: Rank;
  readonly to: Rank;
  readonly msg: Message;
}

/**
 * Plays the tracker and every other client for one download side, from 'start' until it stops
 * sending, and returns every message in and out in order.
 */
function play(download: ClientDownload, out: RecordingOutbox, rank: Rank, world: World): Event[] {
  const log: Event[] = [];
  const inbox: { from: Rank; msg: Message }[] = [{ from: TRACKER, msg: { kind: 'start' } }];
  for (let steps = 0; inbox.length > 0; steps++) {
    if (steps > 100_000) throw new Error('the download side never finished');
    const { from, msg } = inbox.shift() as { from: Rank; msg: Message };
    log.push({ from, to: rank, msg });
    download.handle(from, msg, out);
    const sent = out.take();
    // One request at a time, as the seed does.
    expect(sent.filter((s) => s.msg.kind === 'segment-request').length).toBeLessThanOrEqual(1);
    for (const { to, msg: m } of sent) {
      log.push({ from: rank, to, msg: m });
      if (m.kind === 'swarm-request') {
        expect(to).toBe(TRACKER);
        const file = world.files[m.file] as SwarmFile;
        inbox.push({ from: TRACKER, msg: swarm(m.file, file.hashes, file.seeds, file.peers) });
      } else if (m.kind === 'segment-request') {
        const file = world.files[m.file] as SwarmFile;
        const granted = file.seeds.includes(to) || (world.peerHolds?.(to, m.file, m.index) ?? false);
        inbox.push({ from: to, msg: reply(m.file, m.index, granted) });
      }
    }
  }
  return log;
}

const sentBy = (log: Event[], rank: Rank) => log.filter((event) => event.from === rank);
const requests = (log: Event[], rank: Rank) =>
  sentBy(log, rank).flatMap((event) =>
    event.msg.kind === 'segment-request' ? [{ ...event.msg, to: event.to }] : [],
  );

describe('ClientDownload: starting', () => {
  it('sends nothing before start, then asks the tracker for the first wanted file’s swarm', () => {
    const { download, out } = setup({ wanted: ['b', 'a'] });
    expect(download.phase).toBe('waiting-start');
    expect(out.sent).toEqual([]);
    download.handle(TRACKER, { kind: 'start' }, out);
    expect(out.take()).toEqual([{ to: TRACKER, msg: { kind: 'swarm-request', file: 'b', refresh: false } }]);
    expect(download.phase).toBe('awaiting-swarm');
    expect(download.done).toBe(false);
  });

  it('sends all-done at once on start when it wants no file', () => {
    const { download, out, stats } = setup({ wanted: [] });
    download.handle(TRACKER, { kind: 'start' }, out);
    expect(out.take()).toEqual([{ to: TRACKER, msg: { kind: 'all-done' } }]);
    expect(out.completions).toEqual([]);
    expect(download.done).toBe(true);
    expect(stats).toEqual(emptyStats(1));
  });

  it('completes a wanted file it already owns at once, with its own hashes and no swarm request', () => {
    const a: OwnedFile = { name: 'a', hashes: hashesOf('a', 4) };
    const { download, out, stats } = setup({ wanted: ['a', 'b'], owned: [a] });
    download.handle(TRACKER, { kind: 'start' }, out);
    expect(out.completions).toEqual([{ file: 'a', hashes: a.hashes }]);
    expect(out.take()).toEqual([{ to: TRACKER, msg: { kind: 'swarm-request', file: 'b', refresh: false } }]);
    expect(stats.filesCompleted).toBe(1);
    expect(stats.downloaded).toBe(0);
  });

  it('sends all-done at once on start when it already owns every wanted file', () => {
    const a: OwnedFile = { name: 'a', hashes: hashesOf('a', 2) };
    const b: OwnedFile = { name: 'b', hashes: hashesOf('b', 1) };
    const { download, out, stats } = setup({ wanted: ['b', 'a'], owned: [a, b] });
    download.handle(TRACKER, { kind: 'start' }, out);
    expect(out.completions).toEqual([
      { file: 'b', hashes: b.hashes },
      { file: 'a', hashes: a.hashes },
    ]);
    expect(out.take()).toEqual([{ to: TRACKER, msg: { kind: 'all-done' } }]);
    expect(download.done).toBe(true);
    expect(stats.filesCompleted).toBe(2);
  });
});

describe('ClientDownload: fetching segments', () => {
  it('requests the segments of a file in order 0..n-1 when every request is granted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 35 }), fc.integer(), (n, seed) => {
        const { download, out } = setup({ rank: 2, wanted: ['a'], seed });
        const log = play(download, out, 2, {
          files: { a: { hashes: hashesOf('a', n), seeds: [1, 3], peers: [] } },
        });
        expect(requests(log, 2).map((request) => request.index)).toEqual([...Array(n).keys()]);
      }),
    );
  });

  it('never asks itself for a segment, even when the tracker lists it as a seed or a peer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 25 }),
        fc.constantFrom(...PEER_STRATEGIES),
        fc.integer(),
        (rank, seedList, peerList, n, strategy, seed) => {
          const others = seedList.filter((s) => s !== rank);
          fc.pre(others.length > 0);
          // The tracker lists this client too: as a seed and, once it has sent an update, as a peer.
          const seeds = [...new Set([...seedList, rank])];
          const peers = [...peerList.filter((p) => !seeds.includes(p)), rank];
          const { download, out } = setup({ rank, wanted: ['a'], strategy, seed });
          const log = play(download, out, rank, { files: { a: { hashes: hashesOf('a', n), seeds, peers } } });
          const asked = requests(log, rank).map((request) => request.to);
          expect(asked.length).toBeGreaterThanOrEqual(n);
          for (const to of asked) {
            expect(to).not.toBe(rank);
            expect(to).not.toBe(TRACKER);
            expect([...seeds, ...peers]).toContain(to);
          }
          expect(download.done).toBe(true);
        },
      ),
    );
  });

  it('asks another member for a refused segment and never the refuser again for that segment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(...PEER_STRATEGIES),
        fc.integer(),
        fc.func(fc.boolean()),
        (n, strategy, seed, holds) => {
          const { download, out, stats } = setup({ rank: 1, wanted: ['a'], strategy, seed });
          const log = play(download, out, 1, {
            files: { a: { hashes: hashesOf('a', n), seeds: [2], peers: [3, 4, 5, 6] } },
            peerHolds: (peer, _file, index) => holds(peer, index),
          });
          let refusals = 0;
          const refusers = new Map<number, Set<Rank>>();
          let lastRefusal: { index: number; from: Rank } | undefined;
          for (const event of log) {
            if (event.from === 1 && event.msg.kind === 'segment-request') {
              expect(refusers.get(event.msg.index)?.has(event.to) ?? false).toBe(false);
              if (lastRefusal !== undefined) {
                // The retry follows the refusal at once, for the same segment, from another member.
                expect(event.msg.index).toBe(lastRefusal.index);
                expect(event.to).not.toBe(lastRefusal.from);
              }
              lastRefusal = undefined;
            }
            if (event.to === 1 && event.msg.kind === 'segment-reply' && !event.msg.granted) {
              refusals++;
              lastRefusal = { index: event.msg.index, from: event.from };
              const refused = refusers.get(event.msg.index) ?? new Set();
              refused.add(event.from);
              refusers.set(event.msg.index, refused);
            }
          }
          expect(lastRefusal).toBeUndefined();
          expect(stats.refusalsReceived).toBe(refusals);
          expect(stats.downloaded).toBe(n);
        },
      ),
    );
  });

  it('offers the selector every member but the refusers of the current segment, and forgets them after', () => {
    const selector = new ScriptedSelector();
    const { download, out } = setup({ rank: 1, wanted: ['a'], selector });
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    download.handle(TRACKER, swarm('a', hashesOf('a', 3), [2], [3, 4]), out);
    expect(out.takeOne()).toEqual({ to: 4, msg: { kind: 'segment-request', file: 'a', index: 0 } });
    download.handle(4, reply('a', 0, false), out);
    expect(out.takeOne()).toEqual({ to: 3, msg: { kind: 'segment-request', file: 'a', index: 0 } });
    download.handle(3, reply('a', 0, false), out);
    expect(out.takeOne()).toEqual({ to: 2, msg: { kind: 'segment-request', file: 'a', index: 0 } });
    download.handle(2, reply('a', 0, true), out);
    // Segment 1 is a new segment: the refusers of segment 0 may be asked for it.
    expect(out.takeOne()).toEqual({ to: 4, msg: { kind: 'segment-request', file: 'a', index: 1 } });
    expect(selector.offered).toEqual([[2, 3, 4], [2, 3], [2], [2, 3, 4]]);
    expect(selector.observed).toEqual([
      [4, false],
      [3, false],
      [2, true],
    ]);
  });

  it('throws a ProtocolError when every member but itself has refused a segment', () => {
    const selector = new ScriptedSelector();
    const { download, out } = setup({ rank: 1, wanted: ['a'], selector });
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    download.handle(TRACKER, swarm('a', hashesOf('a', 3), [1], [3]), out);
    expect(out.takeOne().to).toBe(3);
    expect(() => download.handle(3, reply('a', 0, false), out)).toThrow(ProtocolError);
  });

  it('throws a ProtocolError when the swarm has no member but itself', () => {
    const { download, out } = setup({ rank: 1, wanted: ['a'] });
    download.handle(TRACKER, { kind: 'start' }, out);
    expect(() => download.handle(TRACKER, swarm('a', hashesOf('a', 3), [1], [1]), out)).toThrow(
      ProtocolError,
    );
  });
});

describe('ClientDownload: progress reports', () => {
  it('after 10 segments sends update then swarm-request, and requests nothing until the swarm arrives', () => {
    const hashes = hashesOf('a', 25);
    const { download, out } = setup({ rank: 1, wanted: ['a'] });
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    download.handle(TRACKER, swarm('a', hashes, [2]), out);
    for (let index = 0; index < 10; index++) {
      expect(out.takeOne()).toEqual({ to: 2, msg: { kind: 'segment-request', file: 'a', index } });
      download.handle(2, reply('a', index, true), out);
    }
    expect(out.take()).toEqual([
      { to: TRACKER, msg: { kind: 'update', file: 'a' } },
      { to: TRACKER, msg: { kind: 'swarm-request', file: 'a', refresh: true } },
    ]);
    expect(download.phase).toBe('awaiting-swarm');
    // No request is outstanding while it waits: a reply now is a protocol error.
    expect(() => download.handle(2, reply('a', 10, true), out)).toThrow(ProtocolError);
    // The refreshed swarm (members only, no hashes) lists the client itself as a peer now, and a new peer.
    download.handle(TRACKER, swarm('a', null, [2], [1, 3]), out);
    const next = out.takeOne();
    expect(next.msg).toEqual({ kind: 'segment-request', file: 'a', index: 10 });
    expect([2, 3]).toContain(next.to);
  });

  it("refuses a first swarm reply that comes without the file's hashes", () => {
    const { download, out } = setup({ rank: 1, wanted: ['a'] });
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    expect(() => download.handle(TRACKER, swarm('a', null, [2]), out)).toThrow(ProtocolError);
  });

  it('sends an update and refreshes the swarm after every 10 segments, but not when the file completes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 45 }), fc.integer(), fc.func(fc.boolean()), (n, seed, holds) => {
        const { download, out } = setup({ rank: 1, wanted: ['a'], seed });
        const log = play(download, out, 1, {
          files: { a: { hashes: hashesOf('a', n), seeds: [2], peers: [3] } },
          peerHolds: (peer, _file, index) => holds(peer, index),
        });
        const outgoing = sentBy(log, 1).map((event) => event.msg);
        const updates = outgoing.filter((msg) => msg.kind === 'update');
        expect(updates).toHaveLength(Math.floor((n - 1) / UPDATE_EVERY));
        // Between two reports, exactly 10 segments were granted.
        let granted = 0;
        for (const [i, event] of log.entries()) {
          if (event.to === 1 && event.msg.kind === 'segment-reply' && event.msg.granted) granted++;
          if (event.from === 1 && event.msg.kind === 'update') {
            expect(granted).toBe(UPDATE_EVERY);
            granted = 0;
            expect(log[i + 1]?.msg).toEqual({ kind: 'swarm-request', file: 'a', refresh: true });
            expect(log[i + 2]?.msg.kind).toBe('swarm');
          }
        }
        expect(outgoing.filter((msg) => msg.kind === 'swarm-request')).toHaveLength(updates.length + 1);
      }),
    );
  });

  it('sends UPDATE_EVERY = 10, as the seed does', () => {
    expect(UPDATE_EVERY).toBe(10);
  });
});

describe('ClientDownload: completing files', () => {
  it('sends file-complete, hands over the hashes in order, then asks for the next wanted file', () => {
    const hashesA = hashesOf('a', 3);
    const hashesB = hashesOf('b', 2);
    const { download, out, stats } = setup({ rank: 1, wanted: ['a', 'b'] });
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    download.handle(TRACKER, swarm('a', hashesA, [2]), out);
    for (let index = 0; index < 3; index++) {
      expect(out.completions).toEqual([]);
      out.takeOne();
      download.handle(2, reply('a', index, true), out);
    }
    expect(out.take()).toEqual([
      { to: TRACKER, msg: { kind: 'file-complete', file: 'a' } },
      { to: TRACKER, msg: { kind: 'swarm-request', file: 'b', refresh: false } },
    ]);
    expect(out.completions).toEqual([{ file: 'a', hashes: hashesA }]);
    expect(stats.filesCompleted).toBe(1);

    download.handle(TRACKER, swarm('b', hashesB, [3]), out);
    for (let index = 0; index < 2; index++) {
      expect(out.takeOne()).toEqual({ to: 3, msg: { kind: 'segment-request', file: 'b', index } });
      download.handle(3, reply('b', index, true), out);
    }
    expect(out.take()).toEqual([
      { to: TRACKER, msg: { kind: 'file-complete', file: 'b' } },
      { to: TRACKER, msg: { kind: 'all-done' } },
    ]);
    expect(out.completions).toEqual([
      { file: 'a', hashes: hashesA },
      { file: 'b', hashes: hashesB },
    ]);
    expect(download.done).toBe(true);
    expect(download.phase).toBe('done');
  });

  it('completes every wanted file in the wanted order and sends all-done last', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 5 }),
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 5 }),
        (wanted, ownedNames) => {
          const sizes: Record<string, number> = { a: 1, b: 9, c: 10, d: 11, e: 23 };
          const files = Object.fromEntries(
            Object.entries(sizes).map(([name, n]) => [
              name,
              { hashes: hashesOf(name, n), seeds: [2, 3], peers: [] },
            ]),
          );
          const owned = ownedNames.map((name) => ({ name, hashes: hashesOf(name, sizes[name] as number) }));
          const { download, out, stats } = setup({ rank: 1, wanted, owned });
          const log = play(download, out, 1, { files });
          expect(out.completions).toEqual(
            wanted.map((file) => ({ file, hashes: hashesOf(file, sizes[file] as number) })),
          );
          const outgoing = sentBy(log, 1).map((event) => event.msg);
          expect(outgoing.at(-1)).toEqual({ kind: 'all-done' });
          expect(outgoing.filter((msg) => msg.kind === 'all-done')).toHaveLength(1);
          const toDownload = wanted.filter((file) => !ownedNames.includes(file));
          expect(outgoing.filter((msg) => msg.kind === 'file-complete')).toEqual(
            toDownload.map((file) => ({ kind: 'file-complete', file })),
          );
          const asked = outgoing.flatMap((msg) => (msg.kind === 'swarm-request' ? [msg.file] : []));
          expect([...new Set(asked)]).toEqual(toDownload);
          expect(stats.filesCompleted).toBe(wanted.length);
          expect(stats.downloaded).toBe(toDownload.reduce((sum, file) => sum + (sizes[file] as number), 0));
          expect(download.done).toBe(true);
        },
      ),
    );
  });

  it('counts downloaded segments, refusals, completed files and who each segment came from', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(...PEER_STRATEGIES),
        fc.integer(),
        fc.func(fc.boolean()),
        (na, nb, strategy, seed, holds) => {
          const { download, out, stats } = setup({ rank: 3, wanted: ['a', 'b'], strategy, seed });
          const log = play(download, out, 3, {
            files: {
              a: { hashes: hashesOf('a', na), seeds: [1], peers: [2, 4] },
              b: { hashes: hashesOf('b', nb), seeds: [4], peers: [1, 2, 3] },
            },
            peerHolds: (peer, file, index) => holds(peer, file, index),
          });
          const replies = log.flatMap((event) =>
            event.to === 3 && event.msg.kind === 'segment-reply' ? [{ from: event.from, ...event.msg }] : [],
          );
          const grants = replies.filter((r) => r.granted);
          const from = new Map<Rank, number>();
          for (const grant of grants) from.set(grant.from, (from.get(grant.from) ?? 0) + 1);
          expect(stats).toEqual({
            rank: 3,
            downloaded: na + nb,
            served: 0,
            refused: 0,
            refusalsReceived: replies.length - grants.length,
            filesCompleted: 2,
            downloadedFrom: from,
          });
          expect(grants).toHaveLength(na + nb);
        },
      ),
    );
  });
});

describe('ClientDownload: protocol violations', () => {
  /** A download side of client 1 that has asked client 2 for segment 0 of a. */
  function awaitingSegment() {
    const selector = new ScriptedSelector();
    const ctx = setup({ rank: 1, wanted: ['a'], selector });
    ctx.download.handle(TRACKER, { kind: 'start' }, ctx.out);
    ctx.download.handle(TRACKER, swarm('a', hashesOf('a', 3), [2]), ctx.out);
    ctx.out.take();
    return ctx;
  }

  it('throws a ProtocolError on a reply from another peer than the one it asked', () => {
    const { download, out } = awaitingSegment();
    expect(() => download.handle(3, reply('a', 0, true), out)).toThrow(ProtocolError);
    expect(() => download.handle(TRACKER, reply('a', 0, true), out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError on a reply for another segment or another file', () => {
    const { download, out, stats } = awaitingSegment();
    expect(() => download.handle(2, reply('a', 1, true), out)).toThrow(ProtocolError);
    expect(() => download.handle(2, reply('b', 0, true), out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
    expect(stats.downloaded).toBe(0);
    // The right reply is still taken afterwards.
    download.handle(2, reply('a', 0, true), out);
    expect(out.takeOne().msg).toEqual({ kind: 'segment-request', file: 'a', index: 1 });
  });

  it('throws a ProtocolError on a second reply to the same request', () => {
    const { download, out } = awaitingSegment();
    download.handle(2, reply('a', 0, true), out);
    out.take();
    expect(() => download.handle(2, reply('a', 0, true), out)).toThrow(ProtocolError);
  });

  it('throws a ProtocolError on start or swarm from a client, or start twice', () => {
    const { download, out } = setup({ rank: 1, wanted: ['a'] });
    expect(() => download.handle(2, { kind: 'start' }, out)).toThrow(ProtocolError);
    expect(() => download.handle(TRACKER, swarm('a', hashesOf('a', 1), [2]), out)).toThrow(ProtocolError);
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    expect(() => download.handle(TRACKER, { kind: 'start' }, out)).toThrow(ProtocolError);
    expect(() => download.handle(2, swarm('a', hashesOf('a', 1), [2]), out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError on the swarm of a file it did not ask for', () => {
    const { download, out } = setup({ rank: 1, wanted: ['a', 'b'] });
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    expect(() => download.handle(TRACKER, swarm('b', hashesOf('b', 1), [2]), out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError on a swarm while a segment request is outstanding', () => {
    const { download, out } = awaitingSegment();
    expect(() => download.handle(TRACKER, swarm('a', hashesOf('a', 3), [2]), out)).toThrow(ProtocolError);
  });

  it('throws a ProtocolError on kinds that are not for a download side', () => {
    const { download, out } = awaitingSegment();
    const notMine: Message[] = [
      { kind: 'owned-files', files: [] },
      { kind: 'swarm-request', file: 'a', refresh: false },
      { kind: 'segment-request', file: 'a', index: 0 },
      { kind: 'update', file: 'a' },
      { kind: 'file-complete', file: 'a' },
      { kind: 'all-done' },
      { kind: 'shutdown' },
      { kind: 'upload-closed' },
    ];
    for (const msg of notMine)
      expect(() => download.handle(TRACKER, msg, out), msg.kind).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError on any message once it is done', () => {
    const { download, out } = setup({ rank: 1, wanted: [] });
    download.handle(TRACKER, { kind: 'start' }, out);
    out.take();
    expect(() => download.handle(TRACKER, { kind: 'start' }, out)).toThrow(ProtocolError);
    expect(() => download.handle(TRACKER, swarm('a', hashesOf('a', 1), [2]), out)).toThrow(ProtocolError);
    expect(() => download.handle(2, reply('a', 0, true), out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });
});
