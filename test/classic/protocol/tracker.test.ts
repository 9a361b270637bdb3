import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Message,
  type MessageOf,
  type OwnedFile,
  ProtocolError,
  type Rank,
} from '../../../src/classic/protocol/messages.ts';
import { Tracker } from '../../../src/classic/protocol/tracker.ts';
import { hashesOf, RecordingOutbox } from './recording-outbox.ts';

const A: OwnedFile = { name: 'a', hashes: hashesOf('a', 3) };
const B: OwnedFile = { name: 'b', hashes: hashesOf('b', 2) };

/** A tracker for `owned.length` clients, each having reported its files: it is serving. */
function serving(owned: readonly (readonly OwnedFile[])[]): { tracker: Tracker; out: RecordingOutbox } {
  const tracker = new Tracker(owned.length);
  const out = new RecordingOutbox();
  tracker.begin();
  owned.forEach((files, i) => {
    tracker.handle(i + 1, { kind: 'owned-files', files }, out);
  });
  expect(tracker.phase).toBe('serving');
  out.take();
  return { tracker, out };
}

/** Asks the tracker for `file`'s swarm on behalf of `from` and returns the one reply. */
function swarmOf(tracker: Tracker, from: Rank, file: string, refresh = false): Message {
  const out = new RecordingOutbox();
  tracker.handle(from, { kind: 'swarm-request', file, refresh }, out);
  const { to, msg } = out.takeOne();
  expect(to).toBe(from);
  return msg;
}

/** A serving tracker whose clients have all said 'all-done': it is closing. */
function closing(clientCount: number): { tracker: Tracker; out: RecordingOutbox } {
  const { tracker, out } = serving(Array.from({ length: clientCount }, (_, i) => (i === 0 ? [A] : [])));
  for (let rank = 1; rank <= clientCount; rank++) tracker.handle(rank, { kind: 'all-done' }, out);
  expect(tracker.phase).toBe('closing');
  out.take();
  return { tracker, out };
}

describe('Tracker: collecting the clients’ files', () => {
  it('sends nothing until every client has reported its files, then sends start to ranks 1..N', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) =>
          fc.shuffledSubarray(
            Array.from({ length: n }, (_, i) => i + 1),
            { minLength: n, maxLength: n },
          ),
        ),
        (order) => {
          const tracker = new Tracker(order.length);
          const out = new RecordingOutbox();
          tracker.begin();
          for (const [i, rank] of order.entries()) {
            expect(tracker.phase).toBe('collecting');
            tracker.handle(rank, { kind: 'owned-files', files: rank === 1 ? [A] : [] }, out);
            if (i < order.length - 1) expect(out.sent).toEqual([]);
          }
          expect(tracker.phase).toBe('serving');
          expect(out.take()).toEqual(
            Array.from({ length: order.length }, (_, i) => ({ to: i + 1, msg: { kind: 'start' } })),
          );
        },
      ),
    );
  });

  it('does not stop on begin() when it has clients to wait for', () => {
    const tracker = new Tracker(2);
    tracker.begin();
    expect(tracker.stopped).toBe(false);
    expect(tracker.phase).toBe('collecting');
  });

  it('stops at once on begin() when it has no clients', () => {
    const tracker = new Tracker(0);
    expect(tracker.stopped).toBe(false);
    tracker.begin();
    expect(tracker.stopped).toBe(true);
    expect(tracker.phase).toBe('stopped');
  });

  it('rejects a client count that is negative or not a whole number', () => {
    for (const count of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Tracker(count)).toThrow(RangeError);
    }
  });

  it('makes a file owned by several clients one swarm with every owner a seed', () => {
    const { tracker } = serving([[A, B], [B], [A]]);
    expect(swarmOf(tracker, 2, 'a')).toEqual({
      kind: 'swarm',
      file: 'a',
      hashes: A.hashes,
      seeds: [1, 3],
      peers: [],
    });
    expect(swarmOf(tracker, 1, 'b')).toEqual({
      kind: 'swarm',
      file: 'b',
      hashes: B.hashes,
      seeds: [1, 2],
      peers: [],
    });
    expect([...tracker.swarms.files].sort()).toEqual(['a', 'b']);
  });

  it('throws a ProtocolError when two clients report the same file with different hashes', () => {
    const tracker = new Tracker(2);
    const out = new RecordingOutbox();
    tracker.handle(1, { kind: 'owned-files', files: [A] }, out);
    const changed: OwnedFile = { name: 'a', hashes: ['a#0', 'other', 'a#2'] };
    expect(() => tracker.handle(2, { kind: 'owned-files', files: [changed] }, out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError when two clients report the same file with different segment counts', () => {
    const tracker = new Tracker(2);
    const out = new RecordingOutbox();
    tracker.handle(1, { kind: 'owned-files', files: [A] }, out);
    const longer: OwnedFile = { name: 'a', hashes: [...A.hashes, 'a#3'] };
    expect(() => tracker.handle(2, { kind: 'owned-files', files: [longer] }, out)).toThrow(ProtocolError);
    const shorter: OwnedFile = { name: 'a', hashes: A.hashes.slice(0, 2) };
    expect(() => new Tracker(2).handle(1, { kind: 'owned-files', files: [A, shorter] }, out)).toThrow(
      ProtocolError,
    );
  });

  it('throws a ProtocolError when a client reports its files twice', () => {
    const tracker = new Tracker(2);
    const out = new RecordingOutbox();
    tracker.handle(1, { kind: 'owned-files', files: [A] }, out);
    expect(() => tracker.handle(1, { kind: 'owned-files', files: [A] }, out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
    expect(tracker.phase).toBe('collecting');
  });
});

describe('Tracker: serving swarms', () => {
  it('answers a swarm request with a swarm reply to the requester carrying hashes, seeds and peers', () => {
    const { tracker, out } = serving([[A], [], []]);
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    expect(out.sent).toEqual([]);
    tracker.handle(3, { kind: 'swarm-request', file: 'a', refresh: false }, out);
    expect(out.take()).toEqual([
      { to: 3, msg: { kind: 'swarm', file: 'a', hashes: A.hashes, seeds: [1], peers: [2] } },
    ]);
  });

  it('answers a refresh with the members only, since the client has the hashes already', () => {
    const { tracker } = serving([[A], [], []]);
    expect(swarmOf(tracker, 2, 'a', true)).toEqual({
      kind: 'swarm',
      file: 'a',
      hashes: null,
      seeds: [1],
      peers: [],
    });
  });

  it('tells a requester only who is in the swarm, never which segments anyone holds', () => {
    const { tracker, out } = serving([[A], [], []]);
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    const reply = swarmOf(tracker, 3, 'a');
    expect(Object.keys(reply).sort()).toEqual(['file', 'hashes', 'kind', 'peers', 'seeds']);
    // The registry keeps members only: a peer is a rank, not a rank with a bitmap of segments.
    const swarm = tracker.swarms.get('a');
    expect(swarm && Object.keys(swarm).sort()).toEqual(['hashes', 'peers', 'seeds']);
    expect([...(swarm?.peers ?? [])]).toEqual([2]);
  });

  it('gives each reply a snapshot of the swarm that later changes do not alter', () => {
    const { tracker, out } = serving([[A], [], []]);
    const before = swarmOf(tracker, 2, 'a');
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    tracker.handle(3, { kind: 'file-complete', file: 'a' }, out);
    expect(before).toEqual({ kind: 'swarm', file: 'a', hashes: A.hashes, seeds: [1], peers: [] });
    expect(swarmOf(tracker, 2, 'a')).toEqual({
      kind: 'swarm',
      file: 'a',
      hashes: A.hashes,
      seeds: [1, 3],
      peers: [2],
    });
  });

  it('lists a swarm once until it changes: replies in between share the lists, not copies of them', () => {
    // With thousands of clients, a copy per reply was thousands of copies of a swarm of thousands.
    const { tracker, out } = serving([[A], [], [], []]);
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    const first = swarmOf(tracker, 2, 'a', true) as MessageOf<'swarm'>;
    const second = swarmOf(tracker, 3, 'a') as MessageOf<'swarm'>;
    expect(second.seeds).toBe(first.seeds);
    expect(second.peers).toBe(first.peers);
    // An update from a member already listed changes nothing; a new peer or a new seed does.
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    expect((swarmOf(tracker, 4, 'a') as MessageOf<'swarm'>).peers).toBe(first.peers);
    tracker.handle(3, { kind: 'update', file: 'a' }, out);
    const grown = swarmOf(tracker, 4, 'a') as MessageOf<'swarm'>;
    expect(grown.peers).not.toBe(first.peers);
    expect(grown.peers).toEqual([2, 3]);
    tracker.handle(2, { kind: 'file-complete', file: 'a' }, out);
    const promoted = swarmOf(tracker, 4, 'a') as MessageOf<'swarm'>;
    expect([promoted.seeds, promoted.peers]).toEqual([[1, 2], [3]]);
    expect(first).toMatchObject({ seeds: [1], peers: [2] });
  });

  it('throws a ProtocolError on a swarm request, update or file-complete for a file nobody owns', () => {
    const { tracker, out } = serving([[A], []]);
    expect(() => tracker.handle(2, { kind: 'swarm-request', file: 'nope', refresh: false }, out)).toThrow(
      ProtocolError,
    );
    expect(() => tracker.handle(2, { kind: 'update', file: 'nope' }, out)).toThrow(ProtocolError);
    expect(() => tracker.handle(2, { kind: 'file-complete', file: 'nope' }, out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('makes a client a peer of a file once it sends an update for it, and only once', () => {
    const { tracker, out } = serving([[A], [], []]);
    tracker.handle(3, { kind: 'update', file: 'a' }, out);
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    tracker.handle(3, { kind: 'update', file: 'a' }, out);
    expect(out.sent).toEqual([]);
    expect(swarmOf(tracker, 2, 'a')).toMatchObject({ seeds: [1], peers: [3, 2] });
  });

  it('keeps a seed a seed when it sends an update, without listing it as a peer too', () => {
    const { tracker, out } = serving([[A], [A], []]);
    tracker.handle(1, { kind: 'update', file: 'a' }, out);
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    expect(swarmOf(tracker, 3, 'a')).toMatchObject({ seeds: [1, 2], peers: [] });
  });

  it('makes a client a seed of a file once it reports the file complete', () => {
    const { tracker, out } = serving([[A], [], []]);
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    tracker.handle(3, { kind: 'update', file: 'a' }, out);
    tracker.handle(2, { kind: 'file-complete', file: 'a' }, out);
    expect(out.sent).toEqual([]);
    expect(swarmOf(tracker, 1, 'a')).toMatchObject({ seeds: [1, 2], peers: [3] });
    // A later update from the new seed does not demote it.
    tracker.handle(2, { kind: 'update', file: 'a' }, out);
    expect(swarmOf(tracker, 1, 'a')).toMatchObject({ seeds: [1, 2], peers: [3] });
  });

  it('never lists a client as both a seed and a peer of a file, whatever it reports', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ rank: fc.integer({ min: 1, max: 4 }), complete: fc.boolean() }), {
          maxLength: 30,
        }),
        (reports) => {
          const { tracker, out } = serving([[A], [], [], []]);
          const seeds = new Set<Rank>([1]);
          for (const { rank, complete } of reports) {
            tracker.handle(rank, { kind: complete ? 'file-complete' : 'update', file: 'a' }, out);
            if (complete) seeds.add(rank);
          }
          const reply = swarmOf(tracker, 1, 'a');
          if (reply.kind !== 'swarm') throw new Error('not a swarm reply');
          expect(new Set(reply.seeds)).toEqual(seeds);
          expect(reply.seeds).toHaveLength(seeds.size);
          const peers = new Set(reports.map((report) => report.rank).filter((rank) => !seeds.has(rank)));
          expect(new Set(reply.peers)).toEqual(peers);
          expect(reply.peers).toHaveLength(peers.size);
        },
      ),
    );
  });
});

describe('Tracker: shutting down', () => {
  it('sends shutdown to every client only once all N clients have sent all-done', () => {
    const { tracker, out } = serving([[A], [], [], []]);
    for (const rank of [3, 1, 4]) {
      tracker.handle(rank, { kind: 'all-done' }, out);
      expect(out.sent).toEqual([]);
      expect(tracker.phase).toBe('serving');
    }
    tracker.handle(2, { kind: 'all-done' }, out);
    expect(tracker.phase).toBe('closing');
    expect(out.take()).toEqual([1, 2, 3, 4].map((to) => ({ to, msg: { kind: 'shutdown' } })));
  });

  it('keeps answering swarm requests while some clients are still downloading', () => {
    const { tracker, out } = serving([[A], []]);
    tracker.handle(1, { kind: 'all-done' }, out);
    expect(swarmOf(tracker, 2, 'a')).toMatchObject({ kind: 'swarm', seeds: [1] });
  });

  it('stops only after every upload side has sent upload-closed', () => {
    const { tracker, out } = closing(3);
    tracker.handle(2, { kind: 'upload-closed' }, out);
    tracker.handle(3, { kind: 'upload-closed' }, out);
    expect(tracker.stopped).toBe(false);
    expect(tracker.phase).toBe('closing');
    tracker.handle(1, { kind: 'upload-closed' }, out);
    expect(tracker.stopped).toBe(true);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError when a client closes its upload side twice, and does not count it twice', () => {
    const { tracker, out } = closing(2);
    tracker.handle(1, { kind: 'upload-closed' }, out);
    expect(() => tracker.handle(1, { kind: 'upload-closed' }, out)).toThrow(ProtocolError);
    expect(tracker.stopped).toBe(false);
    tracker.handle(2, { kind: 'upload-closed' }, out);
    expect(tracker.stopped).toBe(true);
  });

  it('throws a ProtocolError when a client says all-done twice', () => {
    const { tracker, out } = serving([[A], []]);
    tracker.handle(1, { kind: 'all-done' }, out);
    expect(() => tracker.handle(1, { kind: 'all-done' }, out)).toThrow(ProtocolError);
    expect(tracker.phase).toBe('serving');
    expect(out.sent).toEqual([]);
  });
});

describe('Tracker: protocol violations', () => {
  it('throws a ProtocolError on messages that belong to the serving phase while it is collecting', () => {
    const tracker = new Tracker(2);
    const out = new RecordingOutbox();
    tracker.handle(1, { kind: 'owned-files', files: [A] }, out);
    const early: Message[] = [
      { kind: 'swarm-request', file: 'a', refresh: false },
      { kind: 'update', file: 'a' },
      { kind: 'file-complete', file: 'a' },
      { kind: 'all-done' },
      { kind: 'upload-closed' },
    ];
    for (const msg of early) expect(() => tracker.handle(1, msg, out), msg.kind).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
    expect(tracker.phase).toBe('collecting');
  });

  it('throws a ProtocolError on owned-files or upload-closed while it is serving', () => {
    const { tracker, out } = serving([[A], []]);
    expect(() => tracker.handle(2, { kind: 'owned-files', files: [] }, out)).toThrow(ProtocolError);
    expect(() => tracker.handle(2, { kind: 'upload-closed' }, out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError on anything but upload-closed while it is closing', () => {
    const { tracker, out } = closing(2);
    const late: Message[] = [
      { kind: 'owned-files', files: [] },
      { kind: 'swarm-request', file: 'a', refresh: false },
      { kind: 'update', file: 'a' },
      { kind: 'file-complete', file: 'a' },
      { kind: 'all-done' },
    ];
    for (const msg of late) expect(() => tracker.handle(1, msg, out), msg.kind).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError on any message once it has stopped', () => {
    const { tracker, out } = closing(1);
    tracker.handle(1, { kind: 'upload-closed' }, out);
    expect(tracker.stopped).toBe(true);
    expect(() => tracker.handle(1, { kind: 'upload-closed' }, out)).toThrow(ProtocolError);
    expect(() => tracker.handle(1, { kind: 'swarm-request', file: 'a', refresh: false }, out)).toThrow(
      ProtocolError,
    );
  });

  it('throws a ProtocolError on the kinds only clients take', () => {
    const { tracker, out } = serving([[A], []]);
    const notMine: Message[] = [
      { kind: 'start' },
      { kind: 'swarm', file: 'a', hashes: A.hashes, seeds: [1], peers: [] },
      { kind: 'segment-request', file: 'a', index: 0 },
      { kind: 'segment-reply', file: 'a', index: 0, granted: true },
      { kind: 'shutdown' },
    ];
    for (const msg of notMine) expect(() => tracker.handle(2, msg, out), msg.kind).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  it('throws a ProtocolError on a message from the tracker’s own rank or a rank above N', () => {
    const tracker = new Tracker(3);
    const out = new RecordingOutbox();
    for (const from of [0, 4, -1, 100]) {
      expect(() => tracker.handle(from, { kind: 'owned-files', files: [] }, out), String(from)).toThrow(
        ProtocolError,
      );
    }
    const { tracker: active } = serving([[A], [], []]);
    expect(() => active.handle(4, { kind: 'swarm-request', file: 'a', refresh: false }, out)).toThrow(
      ProtocolError,
    );
    expect(() => active.handle(0, { kind: 'all-done' }, out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });

  // Source bug: handle() only checks `from < 1 || from > clientCount`, which NaN and fractions pass.
  // A report from rank 1.5 then counts toward the N reports, so 'start' goes out although rank 2 never
  // reported. Remove `.fails` once handle() rejects ranks that are not whole numbers.
  it('throws a ProtocolError on a message from a rank that is not a whole number', () => {
    const tracker = new Tracker(2);
    const out = new RecordingOutbox();
    tracker.handle(1, { kind: 'owned-files', files: [A] }, out);
    expect(() => tracker.handle(1.5, { kind: 'owned-files', files: [] }, out)).toThrow(ProtocolError);
    expect(() => tracker.handle(Number.NaN, { kind: 'owned-files', files: [] }, out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
  });
});
