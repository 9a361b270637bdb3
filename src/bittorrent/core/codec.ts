// The peer wire format (BEP 3, with BEP 5's port and BEP 6's fast extension): PeerMessage values to bytes
// and back. The decoder is incremental and trusts nothing it reads: it refuses a message before buffering
// it if its length, id or fields could not be legal, so a hostile peer costs at most one legal message.
import { Bitset } from './bitset.ts';
import { type BlockRef, type Handshake, type MessageKind, type PeerMessage, PROTOCOL } from './messages.ts';

/** pstrlen (1) + "BitTorrent protocol" (19) + reserved (8) + info hash (20) + peer id (20). */
export const HANDSHAKE_BYTES = 68;
/** The big-endian length that precedes every message after the handshake. */
export const PREFIX_BYTES = 4;
/** Length prefix, id, index and begin: what precedes a block in a piece message. */
export const PIECE_HEADER_BYTES = 13;

const PROTOCOL_BYTES = new TextEncoder().encode(PROTOCOL);
const RESERVED_AT = 1 + PROTOCOL_BYTES.length;
/** BEP 6: the fast extension is bit 0x04 of the last reserved byte. */
const FAST_AT = RESERVED_AT + 7;
const FAST_BIT = 0x04;
const INFO_HASH_AT = RESERVED_AT + 8;
const PEER_ID_AT = INFO_HASH_AT + 20;

/** A message after the handshake: everything that travels behind a length prefix. */
export type WireMessage = Exclude<PeerMessage, Handshake>;
/** The messages that carry an id byte (all but the keep-alive, which is a bare zero length). */
type FramedKind = Exclude<MessageKind, 'handshake' | 'keep-alive'>;

/** BEP 3 ids 0-8, BEP 5's port (9), BEP 6's fast extension (0x0D-0x11). */
export const MESSAGE_IDS: { readonly [K in FramedKind]: number } = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  'not-interested': 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 0x0d,
  'have-all': 0x0e,
  'have-none': 0x0f,
  reject: 0x10,
  'allowed-fast': 0x11,
};

const KIND_BY_ID: readonly (FramedKind | undefined)[] = (() => {
  const kinds: (FramedKind | undefined)[] = new Array(256).fill(undefined);
  for (const [kind, id] of Object.entries(MESSAGE_IDS)) kinds[id] = kind as FramedKind;
  return kinds;
})();

/** Payload bytes after the id, for every message whose size does not depend on the torrent. */
const FIXED_PAYLOAD_BYTES: { readonly [K in Exclude<FramedKind, 'bitfield' | 'piece'>]: number } = {
  choke: 0,
  unchoke: 0,
  interested: 0,
  'not-interested': 0,
  have: 4,
  request: 12,
  cancel: 12,
  port: 2,
  suggest: 4,
  'have-all': 0,
  'have-none': 0,
  reject: 12,
  'allowed-fast': 4,
};

/** A bitfield has a bit per piece, rounded up to whole bytes. */
export function bitfieldBytes(pieces: number): number {
  return Math.ceil(pieces / 8);
}

/**
 * The largest length prefix a legal message can carry: a piece message of the largest block, or the
 * bitfield when the torrent has so many pieces that it is longer.
 */
export function longestMessageBytes(pieces: number, maxBlockBytes: number): number {
  return Math.max(1 + 8 + maxBlockBytes, 1 + bitfieldBytes(pieces), 1 + FIXED_PAYLOAD_BYTES.request);
}

// ---------------------------------------------------------------------------------------------------------
// Encoding. What we send is our own: a malformed message here is a bug in the caller, so it throws.
// ---------------------------------------------------------------------------------------------------------

export function encodeHandshake(handshake: Handshake): Uint8Array {
  requireBytes('info hash', handshake.infoHash, 20);
  requireBytes('peer id', handshake.peerId, 20);
  const out = new Uint8Array(HANDSHAKE_BYTES);
  out[0] = PROTOCOL_BYTES.length;
  out.set(PROTOCOL_BYTES, 1);
  if (handshake.fast) out[FAST_AT] = FAST_BIT;
  out.set(handshake.infoHash, INFO_HASH_AT);
  out.set(handshake.peerId, PEER_ID_AT);
  return out;
}

/**
 * One message as it goes on the wire, length prefix included. `pieces` sizes a bitfield and bounds
 * indices: we refuse to send what a peer would rightly disconnect us for.
 */
export function encodeMessage(msg: WireMessage, pieces: number): Uint8Array {
  switch (msg.kind) {
    case 'keep-alive':
      return new Uint8Array(PREFIX_BYTES);
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'not-interested':
    case 'have-all':
    case 'have-none':
      return frame(msg.kind, 0).bytes;
    case 'have':
    case 'suggest':
    case 'allowed-fast': {
      const { bytes, view } = frame(msg.kind, 4);
      view.setUint32(5, requireIndex(msg.kind, msg.index, pieces));
      return bytes;
    }
    case 'request':
    case 'cancel':
    case 'reject': {
      const { bytes, view } = frame(msg.kind, 12);
      writeBlockRef(view, msg.kind, msg, pieces);
      view.setUint32(13, requireBlockLength(msg.kind, msg.length));
      return bytes;
    }
    case 'piece':
      return encodePiece(msg, pieces);
    case 'bitfield':
      return encodeBitfield(msg.pieces, pieces);
    case 'port': {
      if (!Number.isInteger(msg.port) || msg.port < 0 || msg.port > 0xffff)
        throw new RangeError(`port ${msg.port} is not a TCP/UDP port (0 to 65535)`);
      const { bytes, view } = frame(msg.kind, 2);
      view.setUint16(5, msg.port);
      return bytes;
    }
    default:
      return unreachable(msg);
  }
}

/**
 * The 13 bytes before a block's data in a piece message, so that a runtime can write the header and
 * then the block from wherever it lies (a file read, a cache) without copying the two together.
 */
export function encodePieceHeader(block: BlockRef, pieces: number): Uint8Array {
  const { bytes, view } = frame('piece', 8, requireBlockLength('piece', block.length));
  writeBlockRef(view, 'piece', block, pieces);
  return bytes;
}

function encodePiece(msg: BlockRef & { readonly data?: Uint8Array }, pieces: number): Uint8Array {
  if (msg.data === undefined) throw new RangeError(`piece ${msg.index}@${msg.begin} carries no data to send`);
  if (msg.data.length !== msg.length)
    throw new RangeError(
      `piece ${msg.index}@${msg.begin} says ${msg.length} bytes but carries ${msg.data.length}`,
    );
  const { bytes, view } = frame('piece', 8 + requireBlockLength('piece', msg.length));
  writeBlockRef(view, 'piece', msg, pieces);
  bytes.set(msg.data, PIECE_HEADER_BYTES);
  return bytes;
}

/** Piece i is bit 0x80 >> (i % 8) of byte i / 8 on the wire; the spare bits of the last byte stay zero. */
function encodeBitfield(have: Bitset, pieces: number): Uint8Array {
  if (have.capacity !== pieces)
    throw new RangeError(`a bitfield of ${have.capacity} pieces for a torrent of ${pieces}`);
  const { bytes } = frame('bitfield', bitfieldBytes(pieces));
  have.forEach((index) => {
    if (index < pieces) bytes[5 + (index >>> 3)]! |= 0x80 >>> (index & 7);
  });
  return bytes;
}

/**
 * Room for a message's prefix, id and `payloadBytes`, the first two written. `sentElsewhere` payload
 * bytes are counted in the prefix but not allocated: the runtime sends them from where they lie.
 */
function frame(
  kind: FramedKind,
  payloadBytes: number,
  sentElsewhere = 0,
): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(PREFIX_BYTES + 1 + payloadBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, requireUint32('message length', 1 + payloadBytes + sentElsewhere));
  bytes[4] = MESSAGE_IDS[kind];
  return { bytes, view };
}

/** index and begin, at offsets 5 and 9. */
function writeBlockRef(view: DataView, kind: FramedKind, block: BlockRef, pieces: number): void {
  view.setUint32(5, requireIndex(kind, block.index, pieces));
  view.setUint32(9, requireUint32(`${kind} begin`, block.begin));
}

function requireIndex(kind: FramedKind, index: number, pieces: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= pieces)
    throw new RangeError(`${kind} of piece ${index}, but the torrent has ${pieces} pieces`);
  return index;
}

/** Every peer refuses a block of 0 bytes, as our decoder does. */
function requireBlockLength(kind: FramedKind, length: number): number {
  if (length === 0) throw new RangeError(`a ${kind} of 0 bytes`);
  return requireUint32(`${kind} length`, length);
}

/** DataView would silently wrap a value outside 32 bits; a wrapped field is a wrong message. */
function requireUint32(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`${what} ${value} does not fit the wire's 32 unsigned bits`);
  return value;
}

function requireBytes(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new RangeError(`a ${what} is ${length} bytes, not ${bytes.length}`);
}

function unreachable(msg: never): never {
  throw new RangeError(`cannot encode a ${(msg as PeerMessage).kind} message after the handshake`);
}

// ---------------------------------------------------------------------------------------------------------
// Decoding. What we read is the peer's: anything wrong is a WireError value, never an exception.
// ---------------------------------------------------------------------------------------------------------

/** Why a peer's byte stream is not BitTorrent: one sentence, for a log line before the runtime hangs up. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

export interface DecoderOptions {
  /** The torrent's piece count: it sizes bitfields and bounds every piece index. */
  readonly pieces: number;
  /** The longest block accepted in a request, piece, cancel or reject (clients use 16 KiB). */
  readonly maxBlockBytes: number;
  /** The stream starts with the 68-byte handshake (a fresh connection), rather than with messages. */
  readonly expectHandshake: boolean;
  /**
   * A block that lies whole in one pushed chunk is handed over as a view of that chunk, not copied into
   * an array of its own: for a caller that copies each block at once and never reuses a chunk (a
   * socket's). Off, every block is an array of its own.
   */
  readonly blockViews?: boolean;
}

export interface DecodeResult {
  /** Messages completed by this push, in order, including those that came before an error. */
  readonly messages: PeerMessage[];
  /** Set once the stream is broken; every later push returns the same error and no messages. */
  readonly error: WireError | null;
}

type Stage =
  | 'handshake'
  | 'prefix'
  | 'id'
  | 'payload'
  | 'bitfield'
  | 'block-start'
  | 'block'
  | 'skip'
  | 'failed';

/**
 * Turns a peer's bytes, in whatever chunks the socket delivers them, into messages.
 *
 * Buffers: the handshake, a length prefix and a fixed-size payload go into small buffers of the
 * decoder's own. A bitfield or a block gets a new array of exactly its size, allocated only after its
 * length was checked, and handed over: a piece's `data` is the caller's to keep (never reused). With
 * `blockViews`, a block whole in one chunk is a view of that chunk instead (no copy). An
 * unknown message id with a legal length is skipped without buffering and counted in
 * `ignoredMessages`: BEP 3 names no rule for unknown ids, and skipping lets an extension a peer sends
 * unasked pass; libtorrent disconnects instead, webtorrent ignores them.
 *
 * What the decoder does not judge: which message may come when (a bitfield only first, fast-extension
 * messages only if both ends set the bit), or whether a block lies inside its piece. That is the core's.
 */
export class WireDecoder {
  /** The largest length prefix accepted; a larger one fails at once, before a byte is buffered. */
  readonly longestMessageBytes: number;
  /** Messages with an id this decoder does not know, skipped. */
  ignoredMessages = 0;

  private readonly pieces: number;
  private readonly maxBlockBytes: number;
  private readonly blockViews: boolean;
  private stage: Stage;
  private failure: WireError | null = null;
  /** Where the bytes of the current stage go, how many it needs and how many have come. */
  private target: Uint8Array;
  private need: number;
  private filled = 0;
  /** Handshake, length prefix and fixed payloads (at most 12 bytes) land here. */
  private readonly small = new Uint8Array(HANDSHAKE_BYTES);
  private readonly smallView = new DataView(this.small.buffer);
  /** The current message: its length prefix and what its id says it is. */
  private length = 0;
  private kind: FramedKind = 'choke';
  /** A piece message's index and begin, read before its block. */
  private blockIndex = 0;
  private blockBegin = 0;

  constructor(options: DecoderOptions) {
    const { pieces, maxBlockBytes } = options;
    if (!Number.isInteger(pieces) || pieces < 1 || pieces > 0x100000000)
      throw new RangeError(`a torrent of ${pieces} pieces cannot be indexed by the wire's 32-bit indices`);
    if (!Number.isInteger(maxBlockBytes) || maxBlockBytes < 1 || maxBlockBytes > 0xffffffff - 9)
      throw new RangeError(`a largest block of ${maxBlockBytes} bytes does not fit a piece message`);
    this.pieces = pieces;
    this.maxBlockBytes = maxBlockBytes;
    this.blockViews = options.blockViews ?? false;
    this.longestMessageBytes = longestMessageBytes(pieces, maxBlockBytes);
    this.target = this.small;
    if (options.expectHandshake) {
      this.stage = 'handshake';
      this.need = HANDSHAKE_BYTES;
    } else {
      this.stage = 'prefix';
      this.need = PREFIX_BYTES;
    }
  }

  /** The error that broke the stream, or null while it is sound. */
  get error(): WireError | null {
    return this.failure;
  }

  /** Consumes all of `chunk` (or up to the first error) and returns the messages it completed. */
  push(chunk: Uint8Array): DecodeResult {
    const messages: PeerMessage[] = [];
    let at = 0;
    while (this.failure === null && at < chunk.length) {
      if (this.stage === 'id') {
        this.readId(chunk[at]!, messages);
        at += 1;
      } else if (this.stage === 'skip') {
        at = this.skip(chunk, at);
      } else if (this.stage === 'block-start') {
        at = this.startBlock(chunk, at, messages);
      } else {
        at = this.fill(chunk, at, messages);
      }
    }
    return { messages, error: this.failure };
  }

  private fill(chunk: Uint8Array, at: number, messages: PeerMessage[]): number {
    const take = Math.min(this.need - this.filled, chunk.length - at);
    const from = this.filled;
    this.target.set(chunk.subarray(at, at + take), from);
    this.filled += take;
    if (this.stage === 'handshake') this.checkProtocolName(from);
    if (this.failure === null && this.filled === this.need) this.complete(messages);
    return at + take;
  }

  /** A block's first byte is here: view it in the chunk if it lies whole there, else buffer it. */
  private startBlock(chunk: Uint8Array, at: number, messages: PeerMessage[]): number {
    const length = this.need;
    if (this.blockViews && chunk.length - at >= length) {
      messages.push({
        kind: 'piece',
        index: this.blockIndex,
        begin: this.blockBegin,
        length,
        data: chunk.subarray(at, at + length),
      });
      this.expectPrefix();
      return at + length;
    }
    this.expect('block', new Uint8Array(length), length);
    return this.fill(chunk, at, messages);
  }

  private skip(chunk: Uint8Array, at: number): number {
    const take = Math.min(this.need - this.filled, chunk.length - at);
    this.filled += take;
    if (this.filled === this.need) this.expectPrefix();
    return at + take;
  }

  private expect(stage: Stage, target: Uint8Array, need: number): void {
    this.stage = stage;
    this.target = target;
    this.need = need;
    this.filled = 0;
  }

  private expectPrefix(): void {
    this.expect('prefix', this.small, PREFIX_BYTES);
  }

  private fail(problem: string): void {
    this.stage = 'failed';
    this.failure = new WireError(problem);
  }

  /** Checks the handshake's first 20 bytes as they arrive, so that garbage fails on its first byte. */
  private checkProtocolName(from: number): void {
    const end = Math.min(this.filled, 1 + PROTOCOL_BYTES.length);
    for (let i = from; i < end; i++) {
      const byte = this.small[i]!;
      if (i === 0 && byte !== PROTOCOL_BYTES.length) {
        this.fail(`the handshake names a protocol of ${byte} bytes; BitTorrent's is 19 ("${PROTOCOL}")`);
        return;
      }
      if (i > 0 && byte !== PROTOCOL_BYTES[i - 1]) {
        this.fail(`the handshake's protocol name differs from "${PROTOCOL}" at byte ${i} (0x${hex(byte)})`);
        return;
      }
    }
  }

  private complete(messages: PeerMessage[]): void {
    switch (this.stage) {
      case 'handshake':
        messages.push({
          kind: 'handshake',
          infoHash: this.small.slice(INFO_HASH_AT, INFO_HASH_AT + 20),
          peerId: this.small.slice(PEER_ID_AT, PEER_ID_AT + 20),
          fast: (this.small[FAST_AT]! & FAST_BIT) !== 0,
        });
        this.expectPrefix();
        return;
      case 'prefix':
        this.readPrefix(messages);
        return;
      case 'payload':
        this.readPayload(messages);
        return;
      case 'bitfield':
        this.readBitfield(messages);
        return;
      case 'block':
        messages.push({
          kind: 'piece',
          index: this.blockIndex,
          begin: this.blockBegin,
          length: this.target.length,
          data: this.target,
        });
        this.expectPrefix();
        return;
      default:
        return;
    }
  }

  private readPrefix(messages: PeerMessage[]): void {
    this.length = this.smallView.getUint32(0);
    if (this.length === 0) {
      messages.push({ kind: 'keep-alive' });
      this.expectPrefix();
    } else if (this.length > this.longestMessageBytes) {
      this.fail(
        `a message of ${this.length} bytes is longer than any legal message ` +
          `(at most ${this.longestMessageBytes} bytes after the length prefix)`,
      );
    } else {
      this.stage = 'id';
    }
  }

  /** The id says what the message is; its length must already fit, before any payload is buffered. */
  private readId(id: number, messages: PeerMessage[]): void {
    const kind = KIND_BY_ID[id];
    const payload = this.length - 1;
    if (kind === undefined) {
      this.ignoredMessages += 1;
      if (payload === 0) this.expectPrefix();
      else this.expect('skip', this.small, payload);
      return;
    }
    const problem = this.payloadLengthProblem(kind, payload);
    if (problem !== undefined) {
      this.fail(problem);
      return;
    }
    this.kind = kind;
    if (kind === 'bitfield') this.expect('bitfield', new Uint8Array(payload), payload);
    else if (kind === 'piece') this.expect('payload', this.small, 8);
    else if (payload > 0) this.expect('payload', this.small, payload);
    else this.readEmpty(kind, messages);
  }

  private payloadLengthProblem(kind: FramedKind, payload: number): string | undefined {
    if (kind === 'piece') {
      const block = payload - 8;
      if (block < 1 || block > this.maxBlockBytes)
        return `a piece message of ${this.length} bytes carries a block of ${block} bytes; a block is 1 to ${this.maxBlockBytes}`;
      return undefined;
    }
    if (kind === 'bitfield') {
      const expected = bitfieldBytes(this.pieces);
      if (payload !== expected)
        return `a bitfield of ${payload} bytes for ${this.pieces} pieces; it must be ${expected}`;
      return undefined;
    }
    const expected = FIXED_PAYLOAD_BYTES[kind];
    if (payload !== expected)
      return `a ${kind} message of ${this.length} bytes; it is always ${1 + expected} (id and ${expected} bytes)`;
    return undefined;
  }

  private readEmpty(kind: FramedKind, messages: PeerMessage[]): void {
    switch (kind) {
      case 'choke':
      case 'unchoke':
      case 'interested':
      case 'not-interested':
      case 'have-all':
      case 'have-none':
        messages.push({ kind });
        break;
      default:
        // Unreachable: payloadLengthProblem gave every other kind a payload.
        this.fail(`a ${kind} message without a payload`);
        return;
    }
    this.expectPrefix();
  }

  private readPayload(messages: PeerMessage[]): void {
    const view = this.smallView;
    const kind = this.kind;
    switch (kind) {
      case 'have':
      case 'suggest':
      case 'allowed-fast': {
        const index = view.getUint32(0);
        if (this.indexOk(kind, index)) messages.push({ kind, index });
        break;
      }
      case 'request':
      case 'cancel':
      case 'reject': {
        const index = view.getUint32(0);
        const begin = view.getUint32(4);
        const length = view.getUint32(8);
        if (!this.indexOk(kind, index)) break;
        if (length < 1 || length > this.maxBlockBytes) {
          this.fail(`a ${kind} of ${length} bytes; a block is 1 to ${this.maxBlockBytes} bytes`);
          break;
        }
        messages.push({ kind, index, begin, length });
        break;
      }
      case 'port':
        messages.push({ kind, port: view.getUint16(0) });
        break;
      case 'piece': {
        this.blockIndex = view.getUint32(0);
        this.blockBegin = view.getUint32(4);
        if (!this.indexOk(kind, this.blockIndex)) return;
        // Its array, if it needs one, is made when its first byte comes (startBlock).
        this.expect('block-start', this.small, this.length - 9);
        return;
      }
      default:
        this.fail(`a ${kind} message has no fixed payload`);
        return;
    }
    if (this.failure === null) this.expectPrefix();
  }

  private indexOk(kind: FramedKind, index: number): boolean {
    if (index < this.pieces) return true;
    this.fail(
      `a ${kind} of piece ${index}, but the torrent has ${this.pieces} pieces (0 to ${this.pieces - 1})`,
    );
    return false;
  }

  /** Wire bit 0x80 >> (i % 8) of byte i / 8 is piece i (BEP 3); a set spare bit is a broken bitfield. */
  private readBitfield(messages: PeerMessage[]): void {
    const bytes = this.target;
    const spare = bytes.length * 8 - this.pieces;
    const last = bytes[bytes.length - 1]!;
    if ((last & ((1 << spare) - 1)) !== 0) {
      this.fail(`a bitfield for ${this.pieces} pieces sets some of its ${spare} spare bits (0x${hex(last)})`);
      return;
    }
    const have = new Bitset(this.pieces);
    for (let byte = 0; byte < bytes.length; byte++) {
      const bits = bytes[byte]!;
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) if ((bits & (0x80 >>> bit)) !== 0) have.add(byte * 8 + bit);
    }
    messages.push({ kind: 'bitfield', pieces: have });
    this.expectPrefix();
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
