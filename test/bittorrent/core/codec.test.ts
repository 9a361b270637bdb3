import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitset } from '../../../src/bittorrent/core/bitset.ts';
import {
  type DecoderOptions,
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  WireDecoder,
  WireError,
  type WireMessage,
} from '../../../src/bittorrent/core/codec.ts';
import type { Handshake, PeerMessage } from '../../../src/bittorrent/core/messages.ts';

const SEED = 20261130;
const BLOCK = 16384;
/** A torrent of 20 pieces: bitfields of 3 bytes with 4 spare bits. */
const TWENTY: DecoderOptions = { pieces: 20, maxBlockBytes: BLOCK, expectHandshake: false };

/** Bytes from hex digits, spaces ignored: `bytes('00 00 00 05 04 00 00 00 05')`. */
function bytes(hexDigits: string): Uint8Array {
  const digits = hexDigits.replace(/\s+/g, '');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function bitset(capacity: number, indices: readonly number[]): Bitset {
  const bits = new Bitset(capacity);
  for (const index of indices) bits.add(index);
  return bits;
}

function members(bits: Bitset): number[] {
  const out: number[] = [];
  bits.forEach((index) => {
    out.push(index);
  });
  return out;
}

/** A message with its Bitset as a sorted list of pieces, so that toEqual compares what it says. */
function comparable(msg: PeerMessage): unknown {
  if (msg.kind !== 'bitfield') return msg;
  return {
    kind: 'bitfield',
    capacity: msg.pieces.capacity,
    count: msg.pieces.count,
    has: members(msg.pieces),
  };
}

/** Feeds `input` in chunks of the given sizes (cycled) and gathers every message and the error. */
function decode(options: DecoderOptions, input: Uint8Array, sizes: readonly number[] = [input.length]) {
  const decoder = new WireDecoder(options);
  const messages: PeerMessage[] = [];
  let error: WireError | null = null;
  for (let at = 0, turn = 0; at < input.length; turn++) {
    const size = Math.max(1, sizes[turn % sizes.length]!);
    const result = decoder.push(input.subarray(at, at + size));
    messages.push(...result.messages);
    error = result.error;
    at += size;
  }
  return { messages, error, decoder };
}

/** The one error a hostile input must produce, and that it produces no message before it. */
function refusal(options: DecoderOptions, input: Uint8Array): string {
  const { messages, error } = decode(options, input);
  expect(messages).toEqual([]);
  expect(error).toBeInstanceOf(WireError);
  return error!.message;
}

/** The largest `new Uint8Array(n)` that `run` makes (the decoder's only way to allocate a buffer). */
function largestAllocation<T>(run: () => T): { result: T; largest: number } {
  const Real = globalThis.Uint8Array;
  let largest = 0;
  globalThis.Uint8Array = new Proxy(Real, {
    construct(target, args, newTarget) {
      if (typeof args[0] === 'number') largest = Math.max(largest, args[0]);
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    return { result: run(), largest };
  } finally {
    globalThis.Uint8Array = Real;
  }
}

const INFO_HASH = bytes('0102030405060708090a0b0c0d0e0f1011121314');
const PEER_ID = new TextEncoder().encode('-SL0001-abcdefghijkl');
const HANDSHAKE: Handshake = { kind: 'handshake', infoHash: INFO_HASH, peerId: PEER_ID, fast: true };
/** pstrlen 19, "BitTorrent protocol", reserved with the fast bit, info hash, peer id. */
const HANDSHAKE_BYTES = bytes(
  '13 426974546f7272656e742070726f746f636f6c 0000000000000004 0102030405060708090a0b0c0d0e0f1011121314' +
    ' 2d534c303030312d6162636465666768696a6b6c',
);

/** Every message after the handshake, with its bytes written out by hand from BEP 3, 5 and 6. */
const VECTORS: readonly [WireMessage, string][] = [
  [{ kind: 'keep-alive' }, '00000000'],
  [{ kind: 'choke' }, '00000001 00'],
  [{ kind: 'unchoke' }, '00000001 01'],
  [{ kind: 'interested' }, '00000001 02'],
  [{ kind: 'not-interested' }, '00000001 03'],
  [{ kind: 'have', index: 5 }, '00000005 04 00000005'],
  // Pieces 0, 9 and 19 of 20: 1000 0000, 0100 0000, 0001 0000 (the last 4 bits spare).
  [{ kind: 'bitfield', pieces: bitset(20, [0, 9, 19]) }, '00000004 05 80 40 10'],
  [{ kind: 'request', index: 1, begin: 0x4000, length: 0x4000 }, '0000000d 06 00000001 00004000 00004000'],
  [
    { kind: 'piece', index: 2, begin: 0x8000, length: 4, data: bytes('deadbeef') },
    '0000000d 07 00000002 00008000 deadbeef',
  ],
  [{ kind: 'cancel', index: 19, begin: 0, length: 0x4000 }, '0000000d 08 00000013 00000000 00004000'],
  [{ kind: 'port', port: 6881 }, '00000003 09 1ae1'],
  [{ kind: 'suggest', index: 7 }, '00000005 0d 00000007'],
  [{ kind: 'have-all' }, '00000001 0e'],
  [{ kind: 'have-none' }, '00000001 0f'],
  [{ kind: 'reject', index: 3, begin: 0x4000, length: 100 }, '0000000d 10 00000003 00004000 00000064'],
  [{ kind: 'allowed-fast', index: 17 }, '00000005 11 00000011'],
];

describe('encoding', () => {
  it('writes the handshake as pstrlen, protocol name, reserved bytes, info hash and peer id', () => {
    expect(encodeHandshake(HANDSHAKE)).toEqual(HANDSHAKE_BYTES);
  });

  it('leaves every reserved bit clear without the fast extension', () => {
    const plain = encodeHandshake({ ...HANDSHAKE, fast: false });
    expect(plain.subarray(20, 28)).toEqual(new Uint8Array(8));
  });

  for (const [msg, expected] of VECTORS) {
    it(`writes ${msg.kind} as ${expected}`, () => {
      expect(encodeMessage(msg, 20)).toEqual(bytes(expected));
    });
  }

  it('writes a piece header that, followed by the data, is the whole piece message', () => {
    const data = bytes('0102030405');
    const whole = encodeMessage({ kind: 'piece', index: 4, begin: 16, length: 5, data }, 20);
    const header = encodePieceHeader({ index: 4, begin: 16, length: 5 }, 20);
    expect(header).toEqual(bytes('0000000e 07 00000004 00000010'));
    expect(concat([header, data])).toEqual(whole);
  });

  it('puts piece 0 in the high bit of the first byte, and piece 8 in the high bit of the second', () => {
    expect(encodeMessage({ kind: 'bitfield', pieces: bitset(16, [0]) }, 16)).toEqual(
      bytes('00000003 05 8000'),
    );
    expect(encodeMessage({ kind: 'bitfield', pieces: bitset(16, [8]) }, 16)).toEqual(
      bytes('00000003 05 0080'),
    );
    expect(encodeMessage({ kind: 'bitfield', pieces: bitset(16, [7, 15]) }, 16)).toEqual(
      bytes('00000003 05 0101'),
    );
  });

  it('writes a full bitfield with its spare bits zero', () => {
    expect(encodeMessage({ kind: 'bitfield', pieces: Bitset.full(10) }, 10)).toEqual(
      bytes('00000003 05 ffc0'),
    );
    // Bitset.add does not check its capacity; a stray index there must not reach the wire.
    expect(encodeMessage({ kind: 'bitfield', pieces: bitset(10, [9, 12]) }, 10)).toEqual(
      bytes('00000003 05 0040'),
    );
  });

  it('refuses a piece without its data, or with data of another length than it says', () => {
    expect(() => encodeMessage({ kind: 'piece', index: 0, begin: 0, length: 4 }, 20)).toThrow(RangeError);
    expect(() =>
      encodeMessage({ kind: 'piece', index: 0, begin: 0, length: 4, data: bytes('010203') }, 20),
    ).toThrow(/says 4 bytes but carries 3/);
  });

  it('refuses what a peer would disconnect us for: a bitfield of another size, an index past the end', () => {
    expect(() => encodeMessage({ kind: 'bitfield', pieces: new Bitset(19) }, 20)).toThrow(RangeError);
    expect(() => encodeMessage({ kind: 'have', index: 20 }, 20)).toThrow(/torrent has 20 pieces/);
    expect(() => encodeMessage({ kind: 'request', index: -1, begin: 0, length: 1 }, 20)).toThrow(RangeError);
    expect(() => encodeMessage({ kind: 'cancel', index: 0, begin: 0, length: 0 }, 20)).toThrow(/of 0 bytes/);
    expect(() => encodePieceHeader({ index: 0, begin: 0, length: 0 }, 20)).toThrow(/of 0 bytes/);
  });

  it('refuses fields the wire cannot hold rather than wrapping them', () => {
    expect(() => encodeMessage({ kind: 'request', index: 0, begin: 2 ** 32, length: 1 }, 20)).toThrow(
      /32 unsigned bits/,
    );
    expect(() => encodeMessage({ kind: 'port', port: 65536 }, 20)).toThrow(RangeError);
    expect(() => encodeHandshake({ ...HANDSHAKE, infoHash: new Uint8Array(19) })).toThrow(RangeError);
  });
});

describe('decoding known bytes', () => {
  it('reads the handshake, fast bit included', () => {
    const { messages, error } = decode({ ...TWENTY, expectHandshake: true }, HANDSHAKE_BYTES);
    expect(error).toBeNull();
    expect(messages).toEqual([HANDSHAKE]);
  });

  for (const [msg, written] of VECTORS) {
    it(`reads ${written} as ${msg.kind}`, () => {
      const { messages, error } = decode(TWENTY, bytes(written));
      expect(error).toBeNull();
      expect(messages.map(comparable)).toEqual([comparable(msg)]);
    });
  }

  it('reads the high bit of the first byte as piece 0, and gives a Bitset as large as the torrent', () => {
    const { messages } = decode({ ...TWENTY, pieces: 12 }, bytes('00000003 05 8010'));
    const bitfield = messages[0];
    if (bitfield?.kind !== 'bitfield') throw new Error('expected a bitfield');
    expect(bitfield.pieces.capacity).toBe(12);
    expect(members(bitfield.pieces)).toEqual([0, 11]);
    expect(bitfield.pieces.count).toBe(2);
  });

  it('reads one byte at a time as well as all at once', () => {
    const input = concat([HANDSHAKE_BYTES, ...VECTORS.map(([, written]) => bytes(written))]);
    const options = { ...TWENTY, expectHandshake: true };
    const whole = decode(options, input);
    const byByte = decode(options, input, [1]);
    expect(byByte.error).toBeNull();
    expect(byByte.messages.map(comparable)).toEqual(whole.messages.map(comparable));
    expect(whole.messages.map(comparable)).toEqual([HANDSHAKE, ...VECTORS.map(([msg]) => comparable(msg))]);
  });

  it("hands over a piece's data as an array of its own, not a view of the pushed chunk", () => {
    const input = bytes('0000000d 07 00000002 00008000 deadbeef');
    const { messages } = decode(TWENTY, input);
    input.fill(0);
    const piece = messages[0];
    if (piece?.kind !== 'piece') throw new Error('expected a piece');
    expect(piece.data).toEqual(bytes('deadbeef'));
    expect(piece.data?.buffer).not.toBe(input.buffer);
  });

  it('with blockViews, hands over a block whole in its chunk as a view of it, and copies one cut in two', () => {
    const input = bytes('0000000d 07 00000002 00008000 deadbeef  0000000d 07 00000003 00000000 01020304');
    const options = { ...TWENTY, blockViews: true };
    const { messages } = decode(options, input, [input.length - 2, 2]);
    const [whole, cut] = messages;
    if (whole?.kind !== 'piece' || cut?.kind !== 'piece') throw new Error('expected two pieces');
    expect(whole.data?.buffer).toBe(input.buffer);
    expect(whole.data).toEqual(bytes('deadbeef'));
    expect(cut.data?.buffer).not.toBe(input.buffer);
    expect(cut).toEqual({ kind: 'piece', index: 3, begin: 0, length: 4, data: bytes('01020304') });
  });

  it('does nothing with an empty chunk', () => {
    const decoder = new WireDecoder(TWENTY);
    expect(decoder.push(new Uint8Array(0))).toEqual({ messages: [], error: null });
    expect(decoder.push(bytes('00000001 02')).messages).toEqual([{ kind: 'interested' }]);
  });

  it('skips a message of an unknown id with a legal length, and counts it', () => {
    const input = bytes('00000003 14 aabb  00000001 c8  00000005 04 00000005');
    const { messages, error, decoder } = decode(TWENTY, input, [1]);
    expect(error).toBeNull();
    expect(messages).toEqual([{ kind: 'have', index: 5 }]);
    expect(decoder.ignoredMessages).toBe(2);
  });
});

/** Handshakes, and arbitrary messages that are legal for a torrent of `pieces` and blocks up to `maxBlock`. */
function messageArb(pieces: number, maxBlock: number): fc.Arbitrary<WireMessage> {
  const index = fc.nat(pieces - 1);
  const begin = fc.integer({ min: 0, max: 0xffffffff });
  const length = fc.integer({ min: 1, max: maxBlock });
  return fc.oneof(
    fc.constantFrom<WireMessage>(
      { kind: 'keep-alive' },
      { kind: 'choke' },
      { kind: 'unchoke' },
      { kind: 'interested' },
      { kind: 'not-interested' },
      { kind: 'have-all' },
      { kind: 'have-none' },
    ),
    fc
      .record({ kind: fc.constantFrom('have', 'suggest', 'allowed-fast'), index })
      .map((msg) => msg as WireMessage),
    fc
      .record({ kind: fc.constantFrom('request', 'cancel', 'reject'), index, begin, length })
      .map((msg) => msg as WireMessage),
    fc
      .record({
        index,
        begin,
        data: length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
      })
      .map(
        ({ index, begin, data }): WireMessage => ({ kind: 'piece', index, begin, length: data.length, data }),
      ),
    fc
      .uniqueArray(index, { maxLength: pieces })
      .map((have): WireMessage => ({ kind: 'bitfield', pieces: bitset(pieces, have) })),
    fc.integer({ min: 0, max: 0xffff }).map((port): WireMessage => ({ kind: 'port', port })),
  );
}

const handshakeArb: fc.Arbitrary<Handshake> = fc.record({
  kind: fc.constant('handshake' as const),
  infoHash: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  peerId: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  fast: fc.boolean(),
});

/** A torrent, a stream for it (an optional handshake, then messages) and a way to cut it into chunks. */
const streamArb = fc
  .record({ pieces: fc.integer({ min: 1, max: 300 }), maxBlockBytes: fc.integer({ min: 1, max: 64 }) })
  .chain(({ pieces, maxBlockBytes }) =>
    fc.record({
      pieces: fc.constant(pieces),
      maxBlockBytes: fc.constant(maxBlockBytes),
      handshake: fc.option(handshakeArb, { nil: undefined }),
      messages: fc.array(messageArb(pieces, maxBlockBytes), { maxLength: 20 }),
      sizes: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
    }),
  );

describe('round trip', () => {
  it('decodes what it encodes, however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(streamArb, ({ pieces, maxBlockBytes, handshake, messages, sizes }) => {
        const parts = messages.map((msg) => encodeMessage(msg, pieces));
        if (handshake !== undefined) parts.unshift(encodeHandshake(handshake));
        const sent: PeerMessage[] = handshake === undefined ? messages : [handshake, ...messages];
        for (const blockViews of [false, true]) {
          const options = { pieces, maxBlockBytes, expectHandshake: handshake !== undefined, blockViews };
          const decoded = decode(options, concat(parts), sizes);
          expect(decoded.error).toBeNull();
          expect(decoded.messages.map(comparable)).toEqual(sent.map(comparable));
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('carries a bitfield bit for bit both ways', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 100 })
          .chain((pieces) =>
            fc.tuple(fc.constant(pieces), fc.uniqueArray(fc.nat(pieces - 1), { maxLength: pieces })),
          ),
        ([pieces, have]) => {
          const wire = encodeMessage({ kind: 'bitfield', pieces: bitset(pieces, have) }, pieces);
          const set: number[] = [];
          for (let i = 0; i < 8 * (wire.length - 5); i++)
            if (((wire[5 + (i >> 3)] as number) & (0x80 >> (i & 7))) !== 0) set.push(i);
          expect(set).toEqual([...have].sort((a, b) => a - b));
          const { messages } = decode({ pieces, maxBlockBytes: 1, expectHandshake: false }, wire);
          expect(messages.map(comparable)).toEqual([
            comparable({ kind: 'bitfield', pieces: bitset(pieces, have) }),
          ]);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('hostile input', () => {
  it('refuses a 2 GiB length prefix at once, allocating nothing for it', () => {
    const decoder = new WireDecoder(TWENTY);
    const prefix = bytes('80000000');
    const { result, largest } = largestAllocation(() => decoder.push(prefix));
    expect(result.messages).toEqual([]);
    expect(result.error?.message).toBe(
      'a message of 2147483648 bytes is longer than any legal message (at most 16393 bytes after the length prefix)',
    );
    expect(largest).toBe(0);
  });

  it('refuses a length one byte past a piece of the largest block', () => {
    expect(refusal(TWENTY, bytes('0000400a'))).toMatch(/16394 bytes is longer than any legal message/);
    expect(refusal(TWENTY, bytes('ffffffff'))).toMatch(/longer than any legal message/);
  });

  it('accepts a bitfield longer than a piece message when the torrent is that large', () => {
    const pieces = 8 * 20_000;
    const decoder = new WireDecoder({ pieces, maxBlockBytes: BLOCK, expectHandshake: false });
    expect(decoder.longestMessageBytes).toBe(20_001);
  });

  it('refuses a fixed-size message of another length, as soon as the id says what it is', () => {
    expect(refusal(TWENTY, bytes('00000004 04'))).toBe(
      'a have message of 4 bytes; it is always 5 (id and 4 bytes)',
    );
    expect(refusal(TWENTY, bytes('00000002 00'))).toMatch(/choke message of 2 bytes/);
    expect(refusal(TWENTY, bytes('0000000c 06'))).toMatch(/request message of 12 bytes/);
    expect(refusal(TWENTY, bytes('0000000e 08'))).toMatch(/cancel message of 14 bytes/);
    expect(refusal(TWENTY, bytes('00000005 09'))).toMatch(/port message of 5 bytes/);
    expect(refusal(TWENTY, bytes('00000002 0e'))).toMatch(/have-all message of 2 bytes/);
    expect(refusal(TWENTY, bytes('00000004 11'))).toMatch(/allowed-fast message of 4 bytes/);
  });

  it('refuses an unknown id whose length is longer than any legal message', () => {
    expect(refusal(TWENTY, bytes('00010000 14'))).toMatch(/longer than any legal message/);
  });

  it('refuses a bitfield of the wrong size', () => {
    expect(refusal(TWENTY, bytes('00000003 05'))).toBe('a bitfield of 2 bytes for 20 pieces; it must be 3');
    expect(refusal(TWENTY, bytes('00000005 05'))).toMatch(/bitfield of 4 bytes for 20 pieces/);
  });

  it('refuses a bitfield with a spare bit set', () => {
    expect(refusal(TWENTY, bytes('00000004 05 ffff f8'))).toMatch(/sets some of its 4 spare bits \(0xf8\)/);
    expect(refusal(TWENTY, bytes('00000004 05 0000 01'))).toMatch(/spare bits/);
    const sixteen = { ...TWENTY, pieces: 16 };
    expect(decode(sixteen, bytes('00000003 05 ffff')).error).toBeNull();
  });

  it('refuses an index past the last piece in every message that names one', () => {
    expect(refusal(TWENTY, bytes('00000005 04 00000014'))).toBe(
      'a have of piece 20, but the torrent has 20 pieces (0 to 19)',
    );
    expect(refusal(TWENTY, bytes('0000000d 06 ffffffff 00000000 00004000'))).toMatch(
      /request of piece 4294967295/,
    );
    expect(refusal(TWENTY, bytes('0000000d 08 00000014 00000000 00004000'))).toMatch(/cancel of piece 20/);
    expect(refusal(TWENTY, bytes('0000000d 10 00000014 00000000 00004000'))).toMatch(/reject of piece 20/);
    expect(refusal(TWENTY, bytes('0000000a 07 00000014 00000000 aa'))).toMatch(/piece of piece 20/);
    expect(refusal(TWENTY, bytes('00000005 0d 00000014'))).toMatch(/suggest of piece 20/);
    expect(refusal(TWENTY, bytes('00000005 11 00000014'))).toMatch(/allowed-fast of piece 20/);
  });

  it('refuses a piece index before its block arrives', () => {
    const { error } = decode(TWENTY, bytes('00004009 07 00000014 00000000'));
    expect(error?.message).toMatch(/piece of piece 20/);
  });

  it('refuses a request, cancel or reject of 0 bytes or of more than the largest block', () => {
    expect(refusal(TWENTY, bytes('0000000d 06 00000001 00000000 00000000'))).toBe(
      'a request of 0 bytes; a block is 1 to 16384 bytes',
    );
    expect(refusal(TWENTY, bytes('0000000d 06 00000001 00000000 00004001'))).toMatch(
      /request of 16385 bytes/,
    );
    expect(refusal(TWENTY, bytes('0000000d 08 00000001 00000000 00000000'))).toMatch(/cancel of 0 bytes/);
    expect(refusal(TWENTY, bytes('0000000d 10 00000001 00000000 00004001'))).toMatch(/reject of 16385 bytes/);
  });

  it('refuses a piece message without a block', () => {
    expect(refusal(TWENTY, bytes('00000009 07'))).toBe(
      'a piece message of 9 bytes carries a block of 0 bytes; a block is 1 to 16384',
    );
    expect(refusal(TWENTY, bytes('00000005 07'))).toMatch(/block of -4 bytes/);
  });

  it('refuses a block larger than the largest, even where a bitfield may be longer', () => {
    const large = { pieces: 8 * 20_000, maxBlockBytes: BLOCK, expectHandshake: false };
    expect(refusal(large, bytes('0000400a 07'))).toMatch(
      /carries a block of 16385 bytes; a block is 1 to 16384/,
    );
  });

  it('refuses garbage before the handshake on its first byte', () => {
    const decoder = new WireDecoder({ ...TWENTY, expectHandshake: true });
    const result = decoder.push(new TextEncoder().encode('G'));
    expect(result.error?.message).toBe(
      'the handshake names a protocol of 71 bytes; BitTorrent\'s is 19 ("BitTorrent protocol")',
    );
  });

  it('refuses a handshake whose protocol name is wrong, at the first wrong byte', () => {
    const wrong = HANDSHAKE_BYTES.slice();
    wrong[19] = 'L'.charCodeAt(0);
    const { messages, error } = decode({ ...TWENTY, expectHandshake: true }, wrong.subarray(0, 20), [1]);
    expect(messages).toEqual([]);
    expect(error?.message).toBe(
      'the handshake\'s protocol name differs from "BitTorrent protocol" at byte 19 (0x4c)',
    );
    const short = HANDSHAKE_BYTES.slice();
    short[0] = 18;
    expect(refusal({ ...TWENTY, expectHandshake: true }, short)).toMatch(/a protocol of 18 bytes/);
  });

  it('returns the messages that came before an error in the same chunk', () => {
    const { messages, error } = decode(
      TWENTY,
      bytes('00000001 01  00000005 04 00000002  00000005 04 00000099'),
    );
    expect(messages).toEqual([{ kind: 'unchoke' }, { kind: 'have', index: 2 }]);
    expect(error?.message).toMatch(/have of piece 153/);
  });

  it('stays failed: every later push returns the same error and no messages', () => {
    const decoder = new WireDecoder(TWENTY);
    const first = decoder.push(bytes('00000005 04 00000020'));
    expect(first.error).toBeInstanceOf(WireError);
    const later = decoder.push(bytes('00000001 01'));
    expect(later.messages).toEqual([]);
    expect(later.error).toBe(first.error);
    expect(decoder.error).toBe(first.error);
  });

  it('never throws, never allocates more than the longest legal message, and chunking changes nothing', () => {
    const options = { pieces: 20, maxBlockBytes: 64, expectHandshake: false };
    const longest = new WireDecoder(options).longestMessageBytes;
    // Mostly small length prefixes, so that the noise often reaches an id and a payload.
    const noise = fc.array(
      fc.oneof(fc.constantFrom(0, 1, 4, 5, 7, 9, 13, 0x0d, 0x11, 0x14), fc.integer({ min: 0, max: 255 })),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(
        noise,
        fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 5 }),
        (raw, sizes) => {
          const input = new Uint8Array(raw);
          const views = { ...options, blockViews: true };
          const { result, largest } = largestAllocation(() => ({
            whole: decode(options, input),
            chunked: decode(options, input, sizes),
            viewed: decode(views, input, sizes),
          }));
          expect(largest).toBeLessThanOrEqual(longest);
          const { whole, chunked, viewed } = result;
          expect(chunked.messages.map(comparable)).toEqual(whole.messages.map(comparable));
          expect(chunked.error?.message).toBe(whole.error?.message);
          expect(viewed.messages.map(comparable)).toEqual(whole.messages.map(comparable));
          expect(viewed.error?.message).toBe(whole.error?.message);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is given a torrent it can index: at least one piece, and blocks of at least one byte', () => {
    expect(() => new WireDecoder({ ...TWENTY, pieces: 0 })).toThrow(RangeError);
    expect(() => new WireDecoder({ ...TWENTY, maxBlockBytes: 0 })).toThrow(RangeError);
  });
});
