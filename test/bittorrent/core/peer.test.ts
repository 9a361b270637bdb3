import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitset } from '../../../src/bittorrent/core/bitset.ts';
import {
  type Choker,
  leastLoadedChoker,
  randomChoker,
  titForTat,
} from '../../../src/bittorrent/core/choker.ts';
import {
  BtPeer,
  type PeerOptions,
  QUEUED_REQUESTS,
  UPLOAD_SLOTS,
} from '../../../src/bittorrent/core/peer.ts';
import { PeerStore } from '../../../src/bittorrent/core/peer-store.ts';
import {
  type PiecePicker,
  randomPicker,
  rarestFirstAfterRandom,
  rarestFirstPicker,
  sequentialPicker,
} from '../../../src/bittorrent/core/piece-picker.ts';
import type { WireOut } from '../../../src/bittorrent/core/wire.ts';
import { Rng } from '../../../src/util/rng.ts';
import { RecordingWire } from './recording-wire.ts';

const SELF = 0;
const PIECE_BYTES = 1000;

function options(overrides: Partial<PeerOptions> = {}): PeerOptions {
  return {
    pieces: 8,
    pieceBytes: () => PIECE_BYTES,
    picker: sequentialPicker,
    choker: titForTat,
    endgame: false,
    piecesInFlight: 1,
    maxConnections: 20,
    freeRider: false,
    seed: false,
    ...overrides,
  };
}

function bits(capacity: number, pieces: Iterable<number> = []): Bitset {
  const out = new Bitset(capacity);
  for (const piece of pieces) out.add(piece);
  return out;
}

function setup(overrides: Partial<PeerOptions> = {}, seed = 1): { peer: BtPeer; wire: RecordingWire } {
  return { peer: new BtPeer(SELF, options(overrides), new Rng(seed)), wire: new RecordingWire() };
}

/** The ids of the neighbours we do not choke. */
function unchoked(peer: BtPeer): number[] {
  return [...peer.connections.values()].filter((c) => !c.amChoking).map((c) => c.peer);
}

/** Connects neighbours `ids` with the given bitfield, and makes each interested in us. */
function interestedNeighbours(peer: BtPeer, wire: RecordingWire, ids: readonly number[], pieces: number) {
  for (const id of ids) peer.onConnected(id, bits(pieces), wire);
  for (const id of ids) peer.onInterested(id, true, wire);
}

describe('BtPeer: joining', () => {
  it('announces to the tracker on start', () => {
    const { peer, wire } = setup();
    peer.start(wire);
    expect(wire.take()).toEqual([{ kind: 'announce', from: SELF }]);
  });

  it('connects to the peers the tracker returns, but never to itself or to a neighbour already connected', () => {
    const { peer, wire } = setup();
    peer.onConnected(2, bits(8), wire);
    wire.take();
    peer.onPeers([0, 1, 2, 3], wire);
    expect(wire.take()).toEqual([
      { kind: 'connect', from: SELF, to: 1 },
      { kind: 'connect', from: SELF, to: 3 },
    ]);
  });

  it('connects to nobody when at its connection limit', () => {
    const { peer, wire } = setup({ maxConnections: 2 });
    peer.onConnected(1, bits(8), wire);
    peer.onConnected(2, bits(8), wire);
    wire.take();
    peer.onPeers([3, 4, 5], wire);
    expect(wire.take()).toEqual([]);
  });

  // PeerOptions.maxConnections and onPeers' comment ("connect to those we are not connected to, up to our
  // limit"): the limit check reads connections.size, which no connect call changes, so one tracker answer
  // makes the peer connect to every peer in it.
  // Repro: new BtPeer(0, {..., maxConnections: 3}, rng).onPeers([1..8], out) calls out.connect 8 times.
  it('connects to at most maxConnections peers, counting the connections it already has', () => {
    const { peer, wire } = setup({ maxConnections: 3 });
    peer.onPeers([1, 2, 3, 4, 5, 6, 7, 8], wire);
    expect(wire.takeOf('connect').length).toBeLessThanOrEqual(3);
    peer.onConnected(1, bits(8), wire);
    wire.take();
    peer.onPeers([2, 3, 4, 5, 6], wire);
    expect(wire.takeOf('connect').length).toBeLessThanOrEqual(2);
  });

  it('accepts a connection only from another peer, not yet connected, below the limit', () => {
    const { peer, wire } = setup({ maxConnections: 2 });
    expect(peer.canAccept(SELF)).toBe(false);
    expect(peer.canAccept(1)).toBe(true);
    peer.onConnected(1, bits(8), wire);
    expect(peer.canAccept(1)).toBe(false);
    expect(peer.canAccept(2)).toBe(true);
    peer.onConnected(2, bits(8), wire);
    expect(peer.canAccept(3)).toBe(false);
    peer.onDisconnected(2, wire);
    expect(peer.canAccept(3)).toBe(true);
    expect(peer.connectionCount).toBe(1);
  });

  it('disconnects from a seed when it is a seed itself, and from nobody else', () => {
    const { peer, wire } = setup({ seed: true, pieces: 4 });
    peer.onConnected(1, bits(4, [0, 1]), wire);
    peer.onConnected(2, Bitset.full(4), wire);
    expect(wire.take()).toEqual([{ kind: 'disconnect', from: SELF, to: 2 }]);
  });
});

describe('BtPeer: interest', () => {
  it('sends interested once when a new neighbour has pieces we lack', () => {
    const { peer, wire } = setup();
    peer.onConnected(1, bits(8, [2, 3]), wire);
    expect(wire.take()).toEqual([{ kind: 'interested', from: SELF, to: 1, interested: true }]);
    peer.onHave(1, 5, wire);
    peer.onHave(1, 5, wire);
    expect(wire.take()).toEqual([]);
  });

  it('says nothing to a neighbour with nothing we lack', () => {
    const { peer, wire } = setup({ seed: true });
    peer.onConnected(1, bits(8, [1, 2]), wire);
    peer.onConnected(2, bits(8), wire);
    expect(wire.take()).toEqual([]);
  });

  it('becomes interested in a neighbour when it announces a piece we lack', () => {
    const { peer, wire } = setup();
    peer.onConnected(1, bits(8), wire);
    expect(wire.take()).toEqual([]);
    peer.onHave(1, 6, wire);
    expect(wire.take()).toEqual([{ kind: 'interested', from: SELF, to: 1, interested: true }]);
  });

  it('stays uninterested when a neighbour announces a piece we hold', () => {
    const { peer, wire } = setup();
    peer.onConnected(1, bits(8, [0]), wire);
    peer.onChoke(1, false, wire);
    peer.onPiece(1, 0, wire);
    peer.onConnected(2, bits(8), wire);
    wire.take();
    peer.onHave(2, 0, wire);
    expect(wire.take()).toEqual([]);
  });

  it('sends not-interested once we hold every piece a neighbour has, whoever sent them', () => {
    const { peer, wire } = setup();
    peer.onConnected(1, bits(8, [2, 3]), wire);
    peer.onConnected(2, bits(8, [3, 4]), wire);
    peer.onChoke(1, false, wire);
    expect(wire.takeOf('request')).toEqual([{ kind: 'request', from: SELF, to: 1, piece: 2 }]);
    peer.onPiece(1, 2, wire);
    // Neighbour 1 still has piece 3 for us; it is asked for it.
    expect(wire.of('interested')).toEqual([]);
    expect(wire.takeOf('request')).toEqual([{ kind: 'request', from: SELF, to: 1, piece: 3 }]);
    // Piece 3 arrives from neighbour 2 instead (say, through a reject and a re-request there).
    peer.onPiece(2, 3, wire);
    expect(wire.of('interested')).toEqual([{ kind: 'interested', from: SELF, to: 1, interested: false }]);
    expect(peer.connections.get(1)?.amInterested).toBe(false);
    expect(peer.connections.get(2)?.amInterested).toBe(true);
  });
});

describe('BtPeer: requesting', () => {
  it('requests nothing while choked', () => {
    const { peer, wire } = setup({ piecesInFlight: 3 });
    peer.onConnected(1, Bitset.full(8), wire);
    peer.onHave(1, 0, wire);
    expect(wire.of('request')).toEqual([]);
  });

  it('on unchoke, requests up to piecesInFlight pieces, the lowest first with the sequential picker', () => {
    const { peer, wire } = setup({ piecesInFlight: 3 });
    peer.onConnected(1, bits(8, [1, 4, 6, 7]), wire);
    wire.take();
    peer.onChoke(1, false, wire);
    expect(wire.take()).toEqual([1, 4, 6].map((piece) => ({ kind: 'request', from: SELF, to: 1, piece })));
    expect(peer.connections.get(1)?.inFlight).toEqual([1, 4, 6]);
  });

  it('requests only pieces the neighbour has, distinct, at most piecesInFlight, whatever the picker', () => {
    const pickers: PiecePicker[] = [
      sequentialPicker,
      randomPicker,
      rarestFirstPicker,
      rarestFirstAfterRandom(2),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...pickers),
        fc.uniqueArray(fc.nat(15), { maxLength: 16 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        (picker, has, piecesInFlight, seed) => {
          const { peer, wire } = setup({ pieces: 16, picker, piecesInFlight }, seed);
          // Another neighbour, never unchoking, makes availability uneven.
          peer.onConnected(2, bits(16, [0, 1, 2, 3, 4, 5, 6, 7]), wire);
          peer.onConnected(1, bits(16, has), wire);
          peer.onChoke(1, false, wire);
          const requests = wire.of('request');
          expect(requests).toHaveLength(Math.min(piecesInFlight, has.length));
          for (const request of requests) {
            expect(request.to).toBe(1);
            expect(has).toContain(request.piece);
          }
          expect(new Set(requests.map((r) => r.piece)).size).toBe(requests.length);
        },
      ),
    );
  });

  it('tops up the requests when an unchoking neighbour announces a new piece', () => {
    const { peer, wire } = setup({ piecesInFlight: 2 });
    peer.onConnected(1, bits(8, [5]), wire);
    peer.onChoke(1, false, wire);
    wire.take();
    peer.onHave(1, 2, wire);
    expect(wire.take()).toEqual([{ kind: 'request', from: SELF, to: 1, piece: 2 }]);
  });

  it('never asks two neighbours for the same piece outside end game', () => {
    const { peer, wire } = setup({ pieces: 2, piecesInFlight: 2 });
    peer.onConnected(1, Bitset.full(2), wire);
    peer.onConnected(2, Bitset.full(2), wire);
    peer.onChoke(1, false, wire);
    peer.onChoke(2, false, wire);
    expect(wire.of('request').map((r) => [r.to, r.piece])).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });
});

describe('BtPeer: serving requests', () => {
  it('rejects a request from a neighbour it chokes', () => {
    const { peer, wire } = setup({ seed: true });
    peer.onConnected(1, bits(8), wire);
    wire.take();
    peer.onRequest(1, 3, wire);
    expect(wire.take()).toEqual([{ kind: 'reject', from: SELF, to: 1, piece: 3 }]);
  });

  it('rejects a request for a piece it lacks, even when unchoked', () => {
    const { peer, wire } = setup();
    peer.onConnected(1, bits(8), wire);
    peer.onInterested(1, true, wire);
    expect(wire.take()).toEqual([{ kind: 'choke', from: SELF, to: 1, choked: false }]);
    peer.onRequest(1, 3, wire);
    expect(wire.take()).toEqual([{ kind: 'reject', from: SELF, to: 1, piece: 3 }]);
  });

  it('transmits one piece at a time, queueing further requests and sending the next when one is done', () => {
    const { peer, wire } = setup({ seed: true });
    peer.onConnected(1, bits(8), wire);
    peer.onInterested(1, true, wire);
    wire.take();
    peer.onRequest(1, 3, wire);
    expect(wire.take()).toEqual([{ kind: 'transmit', from: SELF, to: 1, piece: 3 }]);
    peer.onRequest(1, 5, wire);
    peer.onRequest(1, 6, wire);
    expect(wire.take()).toEqual([]);
    peer.onTransmitted(1, 3, wire);
    expect(wire.take()).toEqual([{ kind: 'transmit', from: SELF, to: 1, piece: 5 }]);
    peer.onTransmitted(1, 5, wire);
    expect(wire.take()).toEqual([{ kind: 'transmit', from: SELF, to: 1, piece: 6 }]);
    peer.onTransmitted(1, 6, wire);
    expect(wire.take()).toEqual([]);
    expect(peer.bytesSent).toBe(3 * PIECE_BYTES);
    expect(peer.connections.get(1)?.sentTotal).toBe(3 * PIECE_BYTES);
  });

  it('queues QUEUED_REQUESTS requests from one neighbour and rejects the next, serving the queued in order', () => {
    const pieces = QUEUED_REQUESTS + 2;
    const { peer, wire } = setup({ seed: true, pieces });
    peer.onConnected(1, bits(pieces), wire);
    peer.onInterested(1, true, wire);
    wire.take();
    for (let piece = 0; piece < QUEUED_REQUESTS; piece++) peer.onRequest(1, piece, wire);
    expect(wire.take()).toEqual([{ kind: 'transmit', from: SELF, to: 1, piece: 0 }]);
    peer.onRequest(1, QUEUED_REQUESTS, wire);
    expect(wire.take()).toEqual([{ kind: 'reject', from: SELF, to: 1, piece: QUEUED_REQUESTS }]);
    // Once the head is sent there is room again, and the queue is still in the order asked.
    peer.onTransmitted(1, 0, wire);
    peer.onRequest(1, QUEUED_REQUESTS + 1, wire);
    expect(wire.take()).toEqual([{ kind: 'transmit', from: SELF, to: 1, piece: 1 }]);
    const expected = Array.from({ length: QUEUED_REQUESTS - 1 }, (_, i) => i + 1);
    expect(peer.connections.get(1)?.uploadQueue).toEqual([...expected, QUEUED_REQUESTS + 1]);
  });

  it('refuses to live in a store with fewer request slots than its pieces in flight', () => {
    const store = new PeerStore(1, 8, 20, { inFlight: 2, queued: 2 });
    expect(
      () => new BtPeer(SELF, options({ piecesInFlight: 3, place: { store, index: 0 } }), new Rng(1)),
    ).toThrow(/3 pieces in flight, but the store has slots for 2/);
  });

  it('serves each neighbour its own queue', () => {
    const { peer, wire } = setup({ seed: true });
    interestedNeighbours(peer, wire, [1, 2], 8);
    wire.take();
    peer.onRequest(1, 0, wire);
    peer.onRequest(2, 1, wire);
    peer.onRequest(1, 2, wire);
    expect(wire.take()).toEqual([
      { kind: 'transmit', from: SELF, to: 1, piece: 0 },
      { kind: 'transmit', from: SELF, to: 2, piece: 1 },
    ]);
    peer.onTransmitted(2, 1, wire);
    expect(wire.take()).toEqual([]);
    peer.onTransmitted(1, 0, wire);
    expect(wire.take()).toEqual([{ kind: 'transmit', from: SELF, to: 1, piece: 2 }]);
  });
});

describe('BtPeer: blocks counted as they move', () => {
  it('counts the blocks of a piece under way in the round they arrive, and the piece once in all', () => {
    const { peer, wire } = setup({ pieces: 4 });
    const link = peer.onConnected(1, Bitset.full(4), wire);
    peer.onChoke(1, false, wire);
    peer.onBlocksReceived(1, 0, 300);
    peer.onBlocksReceived(1, 0, 200);
    expect(link.receivedThisRound).toBe(500);
    expect(peer.bytesReceived).toBe(500);
    peer.rechoke(wire);
    expect(link.receivedLastRound).toBe(500);
    // The piece ends in the next round: only what was not counted yet counts there.
    peer.onPiece(1, 0, wire);
    expect(link.receivedThisRound).toBe(PIECE_BYTES - 500);
    expect(peer.bytesReceived).toBe(PIECE_BYTES);
  });

  it('forgets the blocks of a piece that did not finish when another piece starts', () => {
    const { peer, wire } = setup({ pieces: 4, seed: true });
    const link = peer.onConnected(1, bits(4), wire);
    peer.onInterested(1, true, wire);
    peer.onRequest(1, 2, wire);
    peer.onBlocksSent(1, 2, 400);
    // Piece 2 was cancelled: piece 3's blocks start from zero, and piece 3 counts whole in the end.
    peer.onBlocksSent(1, 3, 100);
    expect(link.sentThisRound).toBe(500);
    peer.onTransmitted(1, 3, wire);
    expect(peer.bytesSent).toBe(400 + PIECE_BYTES);
    expect(link.sentTotal).toBe(400 + PIECE_BYTES);
  });
});

describe('BtPeer: receiving pieces', () => {
  it('records a piece, announces it once, and requests the next', () => {
    const { peer, wire } = setup({ pieces: 4 });
    peer.onConnected(1, Bitset.full(4), wire);
    peer.onChoke(1, false, wire);
    wire.take();
    peer.onPiece(1, 0, wire);
    expect(peer.have.has(0)).toBe(true);
    expect(peer.bytesReceived).toBe(PIECE_BYTES);
    expect(wire.take()).toEqual([
      { kind: 'have', from: SELF, piece: 0 },
      { kind: 'request', from: SELF, to: 1, piece: 1 },
    ]);
    // The same piece again (a late duplicate) is not announced again.
    peer.onPiece(1, 0, wire);
    expect(wire.of('have')).toEqual([]);
  });

  it('calls completed exactly once, after the last have, and becomes a seed', () => {
    const { peer, wire } = setup({ pieces: 4, piecesInFlight: 2 });
    peer.onConnected(1, Bitset.full(4), wire);
    peer.onConnected(2, bits(4, [3]), wire);
    peer.onChoke(1, false, wire);
    for (let step = 0; step < 10 && !peer.isSeed; step++) {
      const next = peer.connections.get(1)?.inFlight[0];
      if (next === undefined) break;
      peer.onPiece(1, next, wire);
    }
    expect(peer.isSeed).toBe(true);
    expect(peer.have.count).toBe(4);
    const haves = wire.of('have').map((h) => h.piece);
    expect([...haves].sort()).toEqual([0, 1, 2, 3]);
    expect(wire.of('completed')).toEqual([{ kind: 'completed', from: SELF }]);
    const calls = wire.take();
    const completedAt = calls.findIndex((c) => c.kind === 'completed');
    expect(calls.findLastIndex((c) => c.kind === 'have')).toBeLessThan(completedAt);
    // A seed has nothing to gain from another seed, and loses interest in everyone.
    expect(calls.filter((c) => c.kind === 'disconnect')).toEqual([{ kind: 'disconnect', from: SELF, to: 1 }]);
    const notInterested = calls.flatMap((c) => (c.kind === 'interested' && !c.interested ? [c.to] : []));
    expect(notInterested).toEqual([1, 2]);
    // Nothing more happens on a late duplicate.
    peer.onPiece(1, 3, wire);
    expect(wire.of('completed')).toEqual([]);
  });

  it('a seed never requests anything', () => {
    const { peer, wire } = setup({ seed: true });
    peer.onConnected(1, Bitset.full(8), wire);
    peer.onChoke(1, false, wire);
    expect(wire.of('request')).toEqual([]);
    expect(peer.isSeed).toBe(true);
  });
});

describe('BtPeer: choking', () => {
  it('rechoke with tit-for-tat unchokes at most 4 regular and 1 optimistic interested neighbours', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { peer, wire } = setup({ seed: true }, seed);
      interestedNeighbours(peer, wire, [1, 2, 3, 4, 5, 6, 7, 8], 8);
      peer.onConnected(9, bits(8), wire); // never interested
      const before = new Set(unchoked(peer));
      expect(before).toEqual(new Set([1, 2, 3, 4, 5]));
      wire.take();
      peer.rechoke(wire);
      const after = unchoked(peer);
      expect(after).toHaveLength(UPLOAD_SLOTS + 1);
      expect(after).not.toContain(9);
      // Every choke message moved a neighbour into its new state, and only those that changed.
      const chokes = wire.takeOf('choke');
      for (const { to, choked } of chokes) expect(after.includes(to)).toBe(!choked);
      const changed = [1, 2, 3, 4, 5, 6, 7, 8].filter((id) => before.has(id) !== after.includes(id));
      expect(chokes.map((c) => c.to).sort()).toEqual(changed.sort());
    }
  });

  it('rechoke chokes unchoked neighbours that are no longer interested', () => {
    const { peer, wire } = setup({ seed: true });
    interestedNeighbours(peer, wire, [1, 2, 3], 8);
    peer.onInterested(2, false, wire);
    wire.take();
    peer.rechoke(wire);
    expect(wire.take()).toEqual([{ kind: 'choke', from: SELF, to: 2, choked: true }]);
    expect(unchoked(peer).sort()).toEqual([1, 3]);
  });

  it('as a leecher, keeps unchoked the neighbours that uploaded most, beyond the optimistic slot', () => {
    // Neighbours 1..4 give us data in round 1; 5..10 give nothing. After round 2 (in which all keep
    // giving the same) the four givers must hold the regular slots.
    for (let seed = 0; seed < 10; seed++) {
      const { peer, wire } = setup({ pieces: 64, piecesInFlight: 1 }, seed);
      const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
      for (const id of ids) peer.onConnected(id, id <= 4 ? Bitset.full(64) : bits(64), wire);
      for (const id of ids) peer.onInterested(id, true, wire);
      let next = 0;
      for (let round = 0; round < 2; round++) {
        for (const id of [1, 2, 3, 4]) peer.onPiece(id, next++, wire);
        peer.rechoke(wire);
      }
      expect(unchoked(peer)).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    }
  });

  // docs/simulator.md: "tit-for-tat: 4 regular slots for the neighbours that sent us most in the last
  // round". rechoke() calls choker.choose() before connection.endRound(), so the choker ranks by
  // receivedLastRound / sentLastRound of the round before the one that just ended: the bytes of the last
  // 10 s are ignored. Repro: 10 interested neighbours, neighbours 1..4 send us a piece each, rechoke:
  // 1..4 are not favoured (each is unchoked with probability 1/2, by the random tie-break among zeros).
  it('as a leecher, unchokes at the next rechoke the neighbours that uploaded most in the round just ended', () => {
    for (let seed = 0; seed < 10; seed++) {
      const { peer, wire } = setup({ pieces: 64 }, seed);
      const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
      for (const id of ids) peer.onConnected(id, id <= 4 ? Bitset.full(64) : bits(64), wire);
      for (const id of ids) peer.onInterested(id, true, wire);
      for (const id of [1, 2, 3, 4]) peer.onPiece(id, id, wire);
      peer.rechoke(wire);
      expect(unchoked(peer)).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    }
  });

  it('choking a neighbour rejects its queued requests, but finishes the piece being sent', () => {
    const { peer, wire } = setup({ seed: true });
    interestedNeighbours(peer, wire, [1, 2, 3, 4, 5, 6], 8);
    for (const piece of [0, 1, 2]) peer.onRequest(1, piece, wire);
    peer.onInterested(1, false, wire);
    wire.take();
    peer.rechoke(wire);
    const toOne = wire.take().filter((c) => 'to' in c && c.to === 1);
    expect(toOne).toEqual([
      { kind: 'choke', from: SELF, to: 1, choked: true },
      { kind: 'reject', from: SELF, to: 1, piece: 1 },
      { kind: 'reject', from: SELF, to: 1, piece: 2 },
    ]);
    // The piece under way completes; nothing follows it.
    peer.onTransmitted(1, 0, wire);
    expect(wire.take()).toEqual([]);
    expect(peer.connections.get(1)?.sentTotal).toBe(PIECE_BYTES);
  });

  it.each([
    ['tit-for-tat', titForTat],
    ['random', randomChoker],
    ['least-loaded', leastLoadedChoker],
  ] as [string, Choker][])(
    '%s: unchokes a newly interested neighbour at once while fewer than 5 are unchoked',
    (_name, choker) => {
      const { peer, wire } = setup({ seed: true, choker });
      const ids = [1, 2, 3, 4, 5, 6, 7];
      for (const id of ids) peer.onConnected(id, bits(8), wire);
      for (const id of ids) {
        peer.onInterested(id, true, wire);
        const expected = id <= UPLOAD_SLOTS + 1 ? [{ kind: 'choke', from: SELF, to: id, choked: false }] : [];
        expect(wire.take()).toEqual(expected);
      }
      // A slot frees when an unchoked neighbour leaves; the next newly interested one takes it.
      peer.onDisconnected(3, wire);
      peer.onInterested(6, false, wire);
      peer.onInterested(6, true, wire);
      expect(wire.take()).toEqual([{ kind: 'choke', from: SELF, to: 6, choked: false }]);
    },
  );

  it('with a choker without optimistic slot, rechoke unchokes 5 regular neighbours', () => {
    for (const choker of [randomChoker, leastLoadedChoker]) {
      const { peer, wire } = setup({ seed: true, choker });
      interestedNeighbours(peer, wire, [1, 2, 3, 4, 5, 6, 7, 8], 8);
      peer.rechoke(wire);
      expect(unchoked(peer)).toHaveLength(UPLOAD_SLOTS + 1);
    }
  });

  it('a free rider never unchokes anyone, on interest or at rechoke, and rejects every request', () => {
    for (const choker of [titForTat, randomChoker, leastLoadedChoker]) {
      const { peer, wire } = setup({ freeRider: true, choker });
      peer.onConnected(1, Bitset.full(8), wire);
      interestedNeighbours(peer, wire, [2, 3, 4], 8);
      peer.onInterested(1, true, wire);
      for (let round = 0; round < 7; round++) peer.rechoke(wire);
      expect(wire.of('choke')).toEqual([]);
      expect(unchoked(peer)).toEqual([]);
      // It still downloads.
      peer.onChoke(1, false, wire);
      expect(wire.of('request')).toEqual([{ kind: 'request', from: SELF, to: 1, piece: 0 }]);
      peer.onPiece(1, 0, wire);
      wire.take();
      peer.onRequest(2, 0, wire);
      expect(wire.take()).toEqual([{ kind: 'reject', from: SELF, to: 2, piece: 0 }]);
    }
  });
});

describe('BtPeer: rejects and disconnections', () => {
  it('after a reject, asks another unchoking neighbour that has the piece', () => {
    const { peer, wire } = setup({ pieces: 4 });
    peer.onConnected(1, bits(4, [3]), wire);
    peer.onConnected(2, bits(4, [3]), wire);
    peer.onConnected(3, bits(4, [0]), wire);
    peer.onChoke(3, false, wire);
    peer.onChoke(1, false, wire);
    peer.onChoke(2, false, wire);
    expect(wire.takeOf('request')).toEqual([
      { kind: 'request', from: SELF, to: 3, piece: 0 },
      { kind: 'request', from: SELF, to: 1, piece: 3 },
    ]);
    // BEP 6 order: the choke, then the reject of what was queued.
    peer.onChoke(1, true, wire);
    peer.onReject(1, 3, wire);
    expect(wire.take()).toEqual([{ kind: 'request', from: SELF, to: 2, piece: 3 }]);
  });

  it('ignores a reject for a piece it did not ask that neighbour for', () => {
    const { peer, wire } = setup({ pieces: 4 });
    peer.onConnected(1, Bitset.full(4), wire);
    peer.onConnected(2, Bitset.full(4), wire);
    peer.onChoke(1, false, wire);
    wire.take();
    peer.onReject(2, 0, wire);
    peer.onReject(1, 3, wire);
    expect(wire.take()).toEqual([]);
    expect(peer.connections.get(1)?.inFlight).toEqual([0]);
  });

  it('keeps a rejected piece requestable when no other neighbour can give it, and asks for it later', () => {
    const { peer, wire } = setup({ pieces: 4 });
    peer.onConnected(1, bits(4, [2]), wire);
    peer.onChoke(1, false, wire);
    peer.onChoke(1, true, wire);
    peer.onReject(1, 2, wire);
    wire.take();
    peer.onConnected(2, bits(4, [2]), wire);
    peer.onChoke(2, false, wire);
    expect(wire.takeOf('request')).toEqual([{ kind: 'request', from: SELF, to: 2, piece: 2 }]);
  });

  it('on disconnection, asks other neighbours for what was in flight there', () => {
    const { peer, wire } = setup({ pieces: 2, piecesInFlight: 2 });
    peer.onConnected(1, Bitset.full(2), wire);
    peer.onConnected(2, Bitset.full(2), wire);
    peer.onChoke(1, false, wire);
    peer.onChoke(2, false, wire);
    expect(wire.takeOf('request').map((r) => r.to)).toEqual([1, 1]);
    peer.onDisconnected(1, wire);
    expect(wire.take()).toEqual([
      { kind: 'request', from: SELF, to: 2, piece: 0 },
      { kind: 'request', from: SELF, to: 2, piece: 1 },
    ]);
    expect(peer.connections.has(1)).toBe(false);
  });

  /**
   * Neighbours 1, 2 and 5 have piece 0; 4 and 5 have piece 1: piece 1 is the rarer until 1 and 2 leave.
   * Neighbour 5 unchokes us last; returns the piece we then ask it for.
   */
  function rarity(disconnect: readonly number[], seed: number): number {
    const { peer, wire } = setup({ pieces: 2, picker: rarestFirstPicker }, seed);
    peer.onConnected(1, bits(2, [0]), wire);
    peer.onConnected(2, bits(2, [0]), wire);
    peer.onConnected(4, bits(2, [1]), wire);
    peer.onConnected(5, bits(2, [0, 1]), wire);
    for (const id of disconnect) peer.onDisconnected(id, wire);
    wire.take();
    peer.onChoke(5, false, wire);
    const [request] = wire.takeOf('request');
    return request?.piece ?? -1;
  }

  it('on disconnection, forgets the neighbour’s pieces: rarest-first then sees them rarer', () => {
    for (let seed = 0; seed < 10; seed++) {
      // Piece 0: 3 holders, piece 1: 2 holders.
      expect(rarity([], seed)).toBe(1);
      // Without neighbours 1 and 2, piece 0 has 1 holder.
      expect(rarity([1, 2], seed)).toBe(0);
    }
  });

  it('announces again when a leecher loses its last neighbour, but not a seed', () => {
    const leecher = setup();
    leecher.peer.onConnected(1, bits(8), leecher.wire);
    leecher.peer.onDisconnected(1, leecher.wire);
    expect(leecher.wire.take()).toEqual([{ kind: 'announce', from: SELF }]);
    const seed = setup({ seed: true });
    seed.peer.onConnected(1, bits(8), seed.wire);
    seed.peer.onDisconnected(1, seed.wire);
    expect(seed.wire.take()).toEqual([]);
    // A neighbour we never met: nothing.
    leecher.peer.onDisconnected(7, leecher.wire);
    expect(leecher.wire.take()).toEqual([]);
  });
});

describe('BtPeer: end game', () => {
  it('once every missing piece is requested, asks a free neighbour for one of them again', () => {
    const { peer, wire } = setup({ pieces: 3, piecesInFlight: 2, endgame: true });
    peer.onConnected(1, Bitset.full(3), wire);
    peer.onConnected(2, Bitset.full(3), wire);
    peer.onChoke(1, false, wire);
    peer.onChoke(2, false, wire);
    const requests = wire.takeOf('request');
    expect(requests.slice(0, 3).map((r) => [r.to, r.piece])).toEqual([
      [1, 0],
      [1, 1],
      [2, 2],
    ]);
    // The fourth is a duplicate, of a piece asked of neighbour 1.
    expect(requests).toHaveLength(4);
    const duplicate = requests[3];
    expect(duplicate?.to).toBe(2);
    expect([0, 1]).toContain(duplicate?.piece);
  });

  it('keeps at most 2 copies of a piece in flight', () => {
    const { peer, wire } = setup({ pieces: 1, endgame: true });
    for (const id of [1, 2, 3, 4]) peer.onConnected(id, Bitset.full(1), wire);
    for (const id of [1, 2, 3, 4]) peer.onChoke(id, false, wire);
    expect(wire.takeOf('request').map((r) => [r.to, r.piece])).toEqual([
      [1, 0],
      [2, 0],
    ]);
  });

  it('cancels the other copy when the piece arrives, and completes', () => {
    const { peer, wire } = setup({ pieces: 1, endgame: true });
    for (const id of [1, 2, 3]) peer.onConnected(id, Bitset.full(1), wire);
    for (const id of [1, 2, 3]) peer.onChoke(id, false, wire);
    wire.take();
    peer.onPiece(2, 0, wire);
    const calls = wire.take();
    expect(calls.filter((c) => c.kind === 'cancel')).toEqual([
      { kind: 'cancel', from: SELF, to: 1, piece: 0 },
    ]);
    expect(calls.filter((c) => c.kind === 'have')).toEqual([{ kind: 'have', from: SELF, piece: 0 }]);
    expect(calls.filter((c) => c.kind === 'completed')).toHaveLength(1);
    expect(peer.connections.get(1)?.inFlight).toEqual([]);
    // The cancelled copy arriving anyway changes nothing.
    peer.onPiece(1, 0, wire);
    expect(wire.take().filter((c) => c.kind !== 'disconnect')).toEqual([]);
  });

  it('after a reject in end game, the piece is asked again elsewhere', () => {
    const { peer, wire } = setup({ pieces: 2, endgame: true });
    for (const id of [1, 2, 3]) peer.onConnected(id, Bitset.full(2), wire);
    for (const id of [1, 2, 3]) peer.onChoke(id, false, wire);
    // 1 -> 0, 2 -> 1, then 3 duplicates one of them.
    const first = wire.takeOf('request');
    expect(first).toHaveLength(3);
    const third = first[2]?.piece as number;
    const other = 1 - third;
    // Neighbour 3 chokes us and rejects; end game asks 3's piece... of nobody new (1 and 2 are busy).
    peer.onChoke(3, true, wire);
    peer.onReject(3, third, wire);
    expect(wire.take()).toEqual([]);
    // When the other piece arrives, the neighbour that sent it is asked for a second copy of `third`.
    const sender = first.find((r) => r.piece === other)?.to as number;
    peer.onPiece(sender, other, wire);
    expect(wire.takeOf('request')).toEqual([{ kind: 'request', from: SELF, to: sender, piece: third }]);
  });

  it('without end game, never asks for a piece twice', () => {
    const { peer, wire } = setup({ pieces: 1, endgame: false });
    for (const id of [1, 2, 3]) peer.onConnected(id, Bitset.full(1), wire);
    for (const id of [1, 2, 3]) peer.onChoke(id, false, wire);
    expect(wire.of('request')).toEqual([{ kind: 'request', from: SELF, to: 1, piece: 0 }]);
  });
});

describe('BtPeer: cancel', () => {
  function serving(): { peer: BtPeer; wire: RecordingWire } {
    const s = setup({ seed: true });
    s.peer.onConnected(1, bits(8), s.wire);
    s.peer.onInterested(1, true, s.wire);
    for (const piece of [0, 1, 2]) s.peer.onRequest(1, piece, s.wire);
    s.wire.take();
    return s;
  }

  it('a cancel of the piece under transmission aborts it and transmits the next queued piece', () => {
    const { peer, wire } = serving();
    peer.onCancel(1, 0, wire);
    expect(wire.take()).toEqual([
      { kind: 'abortTransmit', from: SELF, to: 1 },
      { kind: 'transmit', from: SELF, to: 1, piece: 1 },
    ]);
    expect(peer.bytesSent).toBe(0);
  });

  it('a cancel of a queued piece drops it silently', () => {
    const { peer, wire } = serving();
    peer.onCancel(1, 1, wire);
    expect(wire.take()).toEqual([]);
    peer.onTransmitted(1, 0, wire);
    expect(wire.take()).toEqual([{ kind: 'transmit', from: SELF, to: 1, piece: 2 }]);
  });

  it('a cancel of a piece not asked for does nothing', () => {
    const { peer, wire } = serving();
    peer.onCancel(1, 7, wire);
    peer.onCancel(9, 0, wire);
    expect(wire.take()).toEqual([]);
  });
});

/**
 * A tiny runtime for several BtPeers: every call is delivered in the order made (one FIFO, as over TCP),
 * a transmit completes after the messages already sent, and a rechoke round runs whenever nothing else
 * is pending. It checks, on every call, what a peer must never say.
 */
class InOrderSwarm implements WireOut {
  private readonly queue: (() => void)[] = [];
  private readonly transfer = new Map<string, number>();
  private tokens = 0;
  readonly peers: BtPeer[];
  readonly done: number[] = [];
  readonly violations: string[] = [];

  constructor(
    count: number,
    make: (id: number) => BtPeer,
    private readonly maxCopies: number,
  ) {
    this.peers = Array.from({ length: count }, (_, id) => make(id));
  }

  run(rounds: number): number {
    for (const peer of this.peers) peer.start(this);
    for (let round = 0; round < rounds; round++) {
      for (let steps = 0; this.queue.length > 0; steps++) {
        if (steps > 1_000_000) throw new Error('no quiescence');
        (this.queue.shift() as () => void)();
      }
      if (this.peers.every((peer) => peer.isSeed)) return round;
      for (const peer of this.peers) peer.rechoke(this);
    }
    return rounds;
  }

  private peer(id: number): BtPeer {
    return this.peers[id] as BtPeer;
  }

  private check(ok: boolean, what: string) {
    if (!ok) this.violations.push(what);
  }

  announce(from: number): void {
    const others = this.peers.map((p) => p.id).filter((id) => id !== from);
    this.queue.push(() => this.peer(from).onPeers(others, this));
  }

  connect(from: number, to: number): void {
    this.queue.push(() => {
      const a = this.peer(from);
      const b = this.peer(to);
      if (!a.canAccept(to) || !b.canAccept(from)) return;
      a.onConnected(to, b.have, this);
      b.onConnected(from, a.have, this);
    });
  }

  disconnect(from: number, to: number): void {
    this.queue.push(() => {
      if (!this.peer(from).connections.has(to)) return;
      this.transfer.delete(`${from}>${to}`);
      this.transfer.delete(`${to}>${from}`);
      this.peer(from).onDisconnected(to, this);
      this.peer(to).onDisconnected(from, this);
    });
  }

  interested(from: number, to: number, interested: boolean): void {
    this.queue.push(() => this.peer(to).onInterested(from, interested, this));
  }

  choke(from: number, to: number, choked: boolean): void {
    const open = this.peer(from).links.filter((c) => !c.amChoking).length;
    this.check(open <= UPLOAD_SLOTS + 1, `${from} unchokes ${open} neighbours at once`);
    this.queue.push(() => this.peer(to).onChoke(from, choked, this));
  }

  request(from: number, to: number, piece: number): void {
    const asker = this.peer(from);
    this.check(!asker.have.has(piece), `${from} asks ${to} for ${piece}, which it has`);
    this.check(this.peer(to).have.has(piece), `${from} asks ${to} for ${piece}, which ${to} lacks`);
    const copies = asker.links.filter((c) => c.inFlight.includes(piece)).length;
    this.check(copies <= this.maxCopies, `${from} has ${copies} requests for ${piece} in flight`);
    this.queue.push(() => this.peer(to).onRequest(from, piece, this));
  }

  cancel(from: number, to: number, piece: number): void {
    this.queue.push(() => this.peer(to).onCancel(from, piece, this));
  }

  have(from: number, piece: number): void {
    this.queue.push(() => {
      for (const link of [...this.peer(from).links]) this.peer(link.peer).onHave(from, piece, this);
    });
  }

  transmit(from: number, to: number, piece: number): void {
    const key = `${from}>${to}`;
    this.check(!this.transfer.has(key), `${from} transmits to ${to} twice at once`);
    this.check(this.peer(from).have.has(piece), `${from} transmits ${piece}, which it lacks`);
    this.check(this.peer(from).connections.get(to)?.amChoking === false, `${from} transmits to choked ${to}`);
    const token = ++this.tokens;
    this.transfer.set(key, token);
    this.queue.push(() => {
      if (this.transfer.get(key) !== token) return;
      this.transfer.delete(key);
      this.peer(from).onTransmitted(to, piece, this);
      this.peer(to).onPiece(from, piece, this);
    });
  }

  abortTransmit(from: number, to: number): void {
    this.check(
      this.transfer.delete(`${from}>${to}`),
      `${from} aborts a transfer to ${to} that is not under way`,
    );
  }

  reject(from: number, to: number, piece: number): void {
    this.queue.push(() => this.peer(to).onReject(from, piece, this));
  }

  completed(from: number): void {
    this.check(!this.done.includes(from), `${from} completes twice`);
    this.done.push(from);
  }
}

describe('BtPeer: in a small swarm over an in-order network', () => {
  const swarmArb = fc.record({
    leechers: fc.integer({ min: 1, max: 7 }),
    pieces: fc.integer({ min: 1, max: 16 }),
    picker: fc.constantFrom<PiecePicker>(
      sequentialPicker,
      randomPicker,
      rarestFirstPicker,
      rarestFirstAfterRandom(2),
    ),
    choker: fc.constantFrom<Choker>(titForTat, randomChoker, leastLoadedChoker),
    endgame: fc.boolean(),
    piecesInFlight: fc.integer({ min: 1, max: 3 }),
    maxConnections: fc.integer({ min: 2, max: 8 }),
    freeRiders: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
    seed: fc.integer(),
  });

  it('every leecher completes, free riders included, and no peer ever says what it must not', () => {
    fc.assert(
      fc.property(swarmArb, (s) => {
        const swarm = new InOrderSwarm(
          s.leechers + 1,
          (id) =>
            new BtPeer(
              id,
              options({
                pieces: s.pieces,
                picker: s.picker,
                choker: s.choker,
                endgame: s.endgame,
                piecesInFlight: s.piecesInFlight,
                maxConnections: s.maxConnections,
                freeRider: id > 0 && s.freeRiders[id - 1] === true,
                seed: id === 0,
              }),
              new Rng(s.seed, id),
            ),
          s.endgame ? 2 : 1,
        );
        swarm.run(500);
        expect(swarm.violations).toEqual([]);
        expect(swarm.peers.filter((peer) => !peer.isSeed).map((peer) => peer.id)).toEqual([]);
        expect([...swarm.done].sort((a, b) => a - b)).toEqual(swarm.peers.slice(1).map((p) => p.id));
      }),
      { numRuns: 200 },
    );
  });
});
