import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Availability } from '../../../src/bittorrent/core/availability.ts';
import { Bitset } from '../../../src/bittorrent/core/bitset.ts';
import {
  ENDGAME_MAX_ASKS,
  endgamePick,
  type PickContext,
  type PiecePicker,
  randomPicker,
  rarestFirstAfterRandom,
  rarestFirstPicker,
  sequentialPicker,
} from '../../../src/bittorrent/core/piece-picker.ts';
import { Rng } from '../../../src/util/rng.ts';

const MAX_AVAILABILITY = 8;

interface PieceState {
  /** How many neighbours hold it (the remote included, if it has it). */
  readonly holders: number;
  readonly remote: boolean;
  readonly have: boolean;
  readonly requested: number;
}

interface Setup {
  readonly pieces: readonly PieceState[];
  readonly seed: number;
}

/** The picker's view of a peer in the given state, with its availability built as a peer builds it. */
function contextOf(setup: Setup): PickContext {
  const n = setup.pieces.length;
  const availability = new Availability(n, MAX_AVAILABILITY);
  const remote = new Bitset(n);
  const have = new Bitset(n);
  // Pieces of one block each: a piece is open while it is neither held nor asked of anyone.
  const open = new Int32Array(n);
  setup.pieces.forEach((state, piece) => {
    for (let i = 0; i < state.holders; i++) availability.increment(piece);
    if (state.remote) remote.add(piece);
    if (state.have) have.add(piece);
    open[piece] = !state.have && state.requested === 0 ? 1 : 0;
  });
  return { availability, remoteWords: remote.words, remoteFrom: 0, open, have, rng: new Rng(setup.seed) };
}

/** Pieces the remote has, we lack, and nobody is asked for. */
function candidatesOf(setup: Setup): number[] {
  const out: number[] = [];
  setup.pieces.forEach((s, piece) => {
    if (s.remote && !s.have && s.requested === 0) out.push(piece);
  });
  return out;
}

const pieceArb: fc.Arbitrary<PieceState> = fc
  .record({
    others: fc.nat(MAX_AVAILABILITY - 1),
    remote: fc.boolean(),
    have: fc.boolean(),
    requested: fc.constantFrom(0, 0, 0, 1, 2),
  })
  .map(({ others, remote, have, requested }) => ({
    // The remote is one of the neighbours: a piece it has is held by at least one.
    holders: others + (remote ? 1 : 0),
    remote,
    have,
    // Nothing we hold is requested.
    requested: have ? 0 : requested,
  }));

const setupArb: fc.Arbitrary<Setup> = fc.record({
  pieces: fc.array(pieceArb, { minLength: 1, maxLength: 40 }),
  seed: fc.integer(),
});

const PICKERS: readonly [string, PiecePicker][] = [
  ['sequential', sequentialPicker],
  ['random', randomPicker],
  ['rarest-first', rarestFirstPicker],
  ['rarest-first after 3 random', rarestFirstAfterRandom(3)],
];

describe.each(PICKERS)('%s picker', (_name, picker) => {
  it('returns a piece the remote has, we lack and nobody is asked for, or -1 when there is none', () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        const context = contextOf(setup);
        const candidates = candidatesOf(setup);
        for (let draw = 0; draw < 5; draw++) {
          const piece = picker(context);
          if (candidates.length === 0) expect(piece).toBe(-1);
          else expect(candidates).toContain(piece);
        }
      }),
    );
  });

  it('returns -1 when we hold everything the remote has', () => {
    const pieces = [0, 1, 2, 3].map((p) => ({ holders: 1, remote: p < 2, have: p < 2, requested: 0 }));
    expect(picker(contextOf({ pieces, seed: 1 }))).toBe(-1);
  });

  it('returns -1 when everything the remote can give is already requested', () => {
    const pieces = [0, 1, 2, 3].map(() => ({ holders: 1, remote: true, have: false, requested: 1 }));
    expect(picker(contextOf({ pieces, seed: 1 }))).toBe(-1);
  });
});

describe('sequential picker', () => {
  it('returns the lowest candidate', () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        const candidates = candidatesOf(setup);
        expect(sequentialPicker(contextOf(setup))).toBe(candidates.length === 0 ? -1 : candidates[0]);
      }),
    );
  });
});

describe('rarest-first picker', () => {
  it('returns a candidate of minimum availability among the candidates', () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        const context = contextOf(setup);
        const candidates = candidatesOf(setup);
        fc.pre(candidates.length > 0);
        const rarest = Math.min(...candidates.map((p) => (setup.pieces[p] as PieceState).holders));
        for (let draw = 0; draw < 5; draw++) {
          const piece = rarestFirstPicker(context);
          expect(candidates).toContain(piece);
          expect(context.availability.of(piece)).toBe(rarest);
        }
      }),
    );
  });

  it('breaks ties at random: every tied piece is picked sometimes', () => {
    // Pieces 1, 3 and 6 tie at availability 2; the others are rarer but not candidates, or more common.
    const pieces: PieceState[] = [
      { holders: 1, remote: false, have: false, requested: 0 },
      { holders: 2, remote: true, have: false, requested: 0 },
      { holders: 1, remote: true, have: false, requested: 1 },
      { holders: 2, remote: true, have: false, requested: 0 },
      { holders: 3, remote: true, have: false, requested: 0 },
      { holders: 2, remote: true, have: true, requested: 0 },
      { holders: 2, remote: true, have: false, requested: 0 },
      { holders: 2, remote: false, have: false, requested: 0 },
    ];
    for (const seed of [1, 2, 3]) {
      const context = contextOf({ pieces, seed });
      const seen = new Map<number, number>();
      for (let draw = 0; draw < 300; draw++) {
        const piece = rarestFirstPicker(context);
        seen.set(piece, (seen.get(piece) ?? 0) + 1);
      }
      expect([...seen.keys()].sort()).toEqual([1, 3, 6]);
    }
  });
});

describe('rarest-first after random first pieces', () => {
  /** Piece 0 is the unique rarest candidate; pieces 1..9 are common. */
  function skewed(held: number, seed: number): PickContext {
    const pieces: PieceState[] = Array.from({ length: 20 }, (_, piece) => ({
      holders: piece === 0 ? 1 : 5,
      remote: piece < 10,
      have: piece >= 20 - held,
      requested: 0,
    }));
    return contextOf({ pieces, seed });
  }

  it('picks exactly as the random picker while fewer than randomFirst pieces are held', () => {
    const picker = rarestFirstAfterRandom(4);
    for (let seed = 0; seed < 50; seed++) {
      for (const held of [0, 3]) {
        expect(picker(skewed(held, seed))).toBe(randomPicker(skewed(held, seed)));
      }
    }
    const picks = new Set(Array.from({ length: 50 }, (_, seed) => picker(skewed(3, seed))));
    expect(picks.size).toBeGreaterThan(1);
  });

  it('picks the rarest once randomFirst pieces are held', () => {
    const picker = rarestFirstAfterRandom(4);
    for (let seed = 0; seed < 50; seed++) {
      expect(picker(skewed(4, seed))).toBe(0);
      expect(picker(skewed(7, seed))).toBe(0);
    }
  });

  it('with randomFirst 0 is rarest-first from the start', () => {
    const picker = rarestFirstAfterRandom(0);
    for (let seed = 0; seed < 20; seed++) expect(picker(skewed(0, seed))).toBe(0);
  });
});

describe('random picker', () => {
  // The docs (simulator.md: "`random` a uniform one") and the code comment ("Uniformly among the pieces
  // the neighbour can give") promise a uniform choice; a random start followed by the first fit favours
  // a candidate that follows a long run of non-candidates in `order`.
  it('picks uniformly among the candidates', () => {
    // The remote has only pieces 0 and 1; order is the identity (nothing counted yet).
    const pieces: PieceState[] = Array.from({ length: 10 }, (_, piece) => ({
      holders: 0,
      remote: piece < 2,
      have: false,
      requested: 0,
    }));
    const context = contextOf({ pieces, seed: 7 });
    let zeros = 0;
    const draws = 2000;
    for (let draw = 0; draw < draws; draw++) if (randomPicker(context) === 0) zeros++;
    // Uniform: about 1000 each; a binomial(2000, 1/2) is within 850..1150 with overwhelming probability.
    expect(zeros).toBeGreaterThan(850);
    expect(zeros).toBeLessThan(1150);
  });
});

describe('endgame pick', () => {
  const endgameSetupArb = fc.record({
    setup: setupArb,
    already: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  });

  it('returns a missing piece the remote has, with fewer than 2 requests, not already asked of it; or -1', () => {
    fc.assert(
      fc.property(endgameSetupArb, ({ setup, already }) => {
        const context = contextOf(setup);
        const fromThisPeer = (piece: number) => already[piece] === true;
        const askable = (piece: number) =>
          (setup.pieces[piece]?.requested ?? 0) < ENDGAME_MAX_ASKS && !fromThisPeer(piece);
        const eligible = setup.pieces.flatMap((s, piece) =>
          s.remote && !s.have && s.requested < ENDGAME_MAX_ASKS && !fromThisPeer(piece) ? [piece] : [],
        );
        for (let draw = 0; draw < 5; draw++) {
          const piece = endgamePick(context, askable);
          if (eligible.length === 0) expect(piece).toBe(-1);
          else expect(eligible).toContain(piece);
        }
      }),
    );
  });

  it('keeps to the pieces the asker may still ask for (end game: asked once, not as often as allowed)', () => {
    const pieces: PieceState[] = [
      { holders: 1, remote: true, have: false, requested: ENDGAME_MAX_ASKS },
      { holders: 1, remote: true, have: false, requested: 1 },
      { holders: 1, remote: true, have: true, requested: 0 },
    ];
    const context = contextOf({ pieces, seed: 3 });
    const asks = (piece: number) => pieces[piece]?.requested ?? 0;
    for (let draw = 0; draw < 20; draw++)
      expect(endgamePick(context, (p) => asks(p) < ENDGAME_MAX_ASKS)).toBe(1);
    expect(endgamePick(context, (p) => asks(p) < ENDGAME_MAX_ASKS && p !== 1)).toBe(-1);
  });

  it('returns -1 when every piece is held', () => {
    const pieces: PieceState[] = [{ holders: 1, remote: true, have: true, requested: 0 }];
    expect(endgamePick(contextOf({ pieces, seed: 3 }), () => false)).toBe(-1);
  });
});
