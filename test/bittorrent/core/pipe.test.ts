// Two BitTorrent cores over an in-memory pipe, in bytes: every message goes through the wire codec, piece
// data comes from a seed's storage and is checked against SHA-1 hashes, and time moves only through
// pollTimeout/handleTimeout. This is the network runtime's job, done by a test.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { titForTat } from '../../../src/bittorrent/core/choker.ts';
import { encodeHandshake, encodeMessage, WireDecoder } from '../../../src/bittorrent/core/codec.ts';
import { TorrentGeometry } from '../../../src/bittorrent/core/geometry.ts';
import type { LinkId } from '../../../src/bittorrent/core/ids.ts';
import { BLOCK_BYTES, type BlockRef, type PeerMessage } from '../../../src/bittorrent/core/messages.ts';
import type { CloseReason, PeerEvent, PeerOutbox } from '../../../src/bittorrent/core/outbox.ts';
import { BtPeer, DEFAULT_CONFIG, DEFAULT_TIMERS } from '../../../src/bittorrent/core/peer.ts';
import { rarestFirstPicker } from '../../../src/bittorrent/core/piece-picker.ts';
import { Rng } from '../../../src/util/rng.ts';

const PIECE_BYTES = 2 * BLOCK_BYTES;
const TOTAL_BYTES = 5 * PIECE_BYTES + 1000; // six pieces, the last one short
const geometry = new TorrentGeometry(TOTAL_BYTES, PIECE_BYTES, BLOCK_BYTES);
const content = Uint8Array.from({ length: TOTAL_BYTES }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');
const hashes = Array.from({ length: geometry.pieces }, (_, i) =>
  sha1(content.subarray(i * PIECE_BYTES, i * PIECE_BYTES + geometry.pieceLength(i))),
);
const INFO_HASH = new Uint8Array(20).fill(7);

/** One side of the pipe: a core, its storage, and the bytes it has written for the other side. */
class Side implements PeerOutbox<string> {
  readonly core: BtPeer<string>;
  readonly storage: Uint8Array;
  /** Bytes written and not yet read by the other side. */
  outgoing: Uint8Array[] = [];
  readonly decoder = new WireDecoder({
    pieces: geometry.pieces,
    maxBlockBytes: BLOCK_BYTES,
    expectHandshake: true,
  });
  readonly events: PeerEvent[] = [];
  readonly closes: CloseReason[] = [];
  readonly sentKinds: string[] = [];
  link: LinkId | undefined;
  /** Work to do once the core's current call has returned (a runtime never calls back from the outbox). */
  private readonly later: (() => void)[] = [];
  /** While true, everything written is lost (a peer that stopped answering). */
  silent = false;
  now = 0;

  constructor(name: string, seed: boolean) {
    this.storage = seed ? content.slice() : new Uint8Array(TOTAL_BYTES);
    const peerId = new TextEncoder().encode(`-SL0100-${name.padEnd(12, '0')}`);
    this.core = new BtPeer<string>(
      {
        ...DEFAULT_CONFIG,
        geometry,
        infoHash: INFO_HASH,
        peerId,
        picker: rarestFirstPicker,
        choker: titForTat,
        requestsPerLink: 4,
        maxRequestBytes: BLOCK_BYTES,
        held: seed ? 'all' : 'none',
        timers: DEFAULT_TIMERS,
      },
      this,
      new Rng(1, name.length),
    );
  }

  send(_link: LinkId, message: PeerMessage): void {
    this.sentKinds.push(message.kind);
    if (message.kind === 'handshake') {
      this.write(encodeHandshake(message));
      return;
    }
    if (message.kind === 'piece') {
      const { index, begin, length } = message;
      const at = index * PIECE_BYTES + begin;
      this.write(encodeMessage({ ...message, data: this.storage.slice(at, at + length) }, geometry.pieces));
      // Written whole: the transport reports the block sent once the call is over.
      this.later.push(() => this.core.handleBlockSent(this.link as LinkId, index, begin, this.now));
      return;
    }
    this.write(encodeMessage(message, geometry.pieces));
  }
  broadcast(message: PeerMessage): void {
    // One link here: it has had our first message once the handshakes crossed.
    if (this.core.linkCount > 0) this.send(this.link as LinkId, message);
  }
  close(_link: LinkId, reason: CloseReason): void {
    this.closes.push(reason);
  }
  connect(): void {}
  announce(): void {}
  verify(index: number): void {
    const piece = this.storage.subarray(
      index * PIECE_BYTES,
      index * PIECE_BYTES + geometry.pieceLength(index),
    );
    const ok = sha1(piece) === hashes[index];
    this.later.push(() => this.core.handlePieceVerified(index, ok, this.now));
  }
  withdraw(_link: LinkId, _block: BlockRef): boolean {
    return false; // Bytes in the pipe cannot be taken back.
  }
  event(event: PeerEvent): void {
    this.events.push(event);
    if (event.kind === 'block' && event.data !== undefined) {
      this.storage.set(event.data, event.index * PIECE_BYTES + event.begin);
    }
  }

  private write(bytes: Uint8Array): void {
    if (!this.silent) this.outgoing.push(bytes);
  }

  /** Runs what the core asked for during its last call. */
  settle(): void {
    while (this.later.length > 0) (this.later.shift() as () => void)();
  }

  /** Reads what the other side wrote, in chunks of `chunk` bytes, into this core. */
  read(from: Side, chunk: number): boolean {
    const written = from.outgoing.splice(0);
    if (written.length === 0) return false;
    const bytes = concat(written);
    for (let at = 0; at < bytes.length; at += chunk) {
      const { messages, error } = this.decoder.push(bytes.subarray(at, at + chunk));
      for (const message of messages) {
        this.core.handle(this.link as LinkId, message, this.now);
        this.settle();
      }
      if (error !== null) throw error;
    }
    return true;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/** A seed and a leecher, connected, both started at time 0. */
function pair(seedSilent = false): { seed: Side; leecher: Side; advance: (untilS: number) => void } {
  const seed = new Side('seed', true);
  seed.silent = seedSilent;
  const leecher = new Side('leecher', false);
  for (const side of [seed, leecher]) side.core.start(0);
  leecher.link = leecher.core.openLink(0, 'seed:6881', true);
  seed.link = seed.core.openLink(0, undefined, false);
  /** Moves bytes until both are quiet, then time to the next deadline, until `untilS`. */
  const advance = (untilS: number) => {
    for (let step = 0; step < 100_000; step++) {
      const moved = seed.read(leecher, 1000) || leecher.read(seed, 3000);
      if (moved) continue;
      const next = Math.min(seed.core.pollTimeout(), leecher.core.pollTimeout());
      if (next > untilS) return;
      for (const side of [seed, leecher]) {
        side.now = next;
        if (side.core.pollTimeout() <= next) {
          side.core.handleTimeout(next);
          side.settle();
        }
      }
    }
    throw new Error('the pipe never went quiet');
  };
  return { seed, leecher, advance };
}

describe('two cores over an in-memory pipe, in bytes', () => {
  it('handshake to the last piece: the leecher ends with the seed exact file, every piece checked', () => {
    const { seed, leecher, advance } = pair();
    advance(60);
    expect(leecher.events.some((e) => e.kind === 'completed')).toBe(true);
    expect(sha1(leecher.storage)).toBe(sha1(content));
    const completed = leecher.events.filter((e) => e.kind === 'piece-completed').map((e) => e.index);
    expect(completed.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(leecher.core.bytesReceived).toBe(TOTAL_BYTES);
    expect(seed.core.bytesSent).toBe(TOTAL_BYTES);
    // Blocks of 16 KiB, the last piece's one short block included.
    expect(leecher.events.filter((e) => e.kind === 'block')).toHaveLength(11);
    expect(seed.sentKinds.slice(0, 2)).toEqual(['handshake', 'have-all']);
    expect(leecher.sentKinds.slice(0, 3)).toEqual(['handshake', 'have-none', 'interested']);
    // Done, the leecher is a seed too: two seeds close their connection.
    expect(leecher.closes).toEqual([{ kind: 'both-seeds' }]);
    seed.core.checkInvariants();
    leecher.core.checkInvariants();
  });

  it('a piece whose data fails its hash is dropped and asked again', () => {
    const { seed, leecher, advance } = pair();
    seed.storage[PIECE_BYTES + 5] = (seed.storage[PIECE_BYTES + 5] as number) ^ 0xff; // piece 1 is corrupt on the seed's disk
    advance(30);
    expect(leecher.events.filter((e) => e.kind === 'hash-failed').map((e) => e.index)).toContain(1);
    expect(leecher.core.have.has(1)).toBe(false);
    expect(leecher.core.have.count).toBe(5);
    leecher.core.checkInvariants();
  });

  it('closes a link whose handshake never comes, after the handshake time-out', () => {
    const { leecher, advance } = pair(true); // the seed's handshake and everything after are lost
    advance(1);
    expect(leecher.events).toEqual([]);
    // The handshake never came: the link is closed after the handshake time-out, and only then.
    advance(DEFAULT_TIMERS.handshakeTimeoutS - 1);
    expect(leecher.closes).toEqual([]);
    advance(DEFAULT_TIMERS.handshakeTimeoutS + DEFAULT_TIMERS.rechokeS);
    expect(leecher.closes).toEqual([{ kind: 'handshake-timeout' }]);
  });

  it('snubs a seed that goes quiet mid-piece, asks again, then closes the link as idle', () => {
    const { seed, leecher, advance } = pair();
    // Let the handshakes and first requests cross, then lose everything the seed writes.
    seed.read(leecher, 1 << 20);
    leecher.read(seed, 1 << 20);
    seed.read(leecher, 1 << 20);
    seed.silent = true;
    advance(DEFAULT_TIMERS.requestTimeoutS - DEFAULT_TIMERS.rechokeS);
    expect(leecher.events.some((e) => e.kind === 'snubbed')).toBe(false);
    advance(DEFAULT_TIMERS.requestTimeoutS + DEFAULT_TIMERS.rechokeS);
    expect(leecher.events.some((e) => e.kind === 'snubbed')).toBe(true);
    expect(leecher.sentKinds).toContain('cancel');
    // A snubbed neighbour keeps one ask: it is asked again at each time-out.
    expect(leecher.sentKinds.filter((kind) => kind === 'request').length).toBeGreaterThan(4);
    expect(leecher.closes).toEqual([]);
    // Nothing heard from the seed for the idle time-out: the link is closed.
    advance(DEFAULT_TIMERS.idleTimeoutS + DEFAULT_TIMERS.rechokeS);
    expect(leecher.closes).toContainEqual({ kind: 'idle' });
    leecher.core.checkInvariants();
  });

  it('keeps a quiet link open with keep-alives: two empty peers have nothing to say', () => {
    const a = new Side('a', false);
    const b = new Side('b', false);
    a.link = a.core.openLink(0, 'b:1', true);
    b.link = b.core.openLink(0, undefined, false);
    for (const side of [a, b]) side.core.start(0);
    for (let now = 0; now <= 1000; now += 5) {
      while (a.read(b, 64) || b.read(a, 64)) {}
      for (const side of [a, b]) {
        side.now = now;
        if (side.core.pollTimeout() <= now) side.core.handleTimeout(now);
      }
    }
    expect(a.sentKinds.filter((kind) => kind === 'keep-alive').length).toBeGreaterThanOrEqual(6);
    expect(a.closes).toEqual([]);
    expect(b.closes).toEqual([]);
    expect(a.core.linkCount).toBe(1);
  });

  it('closes a link that sends anything but a handshake first', () => {
    const leecher = new Side('leecher', false);
    leecher.core.start(0);
    const link = leecher.core.openLink(0, 'x:1', true) as LinkId;
    leecher.core.handle(link, { kind: 'interested' }, 0);
    expect(leecher.closes).toEqual([{ kind: 'protocol', detail: 'interested before the handshake' }]);
  });

  it('closes a link to another torrent', () => {
    const leecher = new Side('leecher', false);
    const link = leecher.core.openLink(0, 'x:1', true) as LinkId;
    const other = {
      kind: 'handshake',
      infoHash: new Uint8Array(20),
      peerId: new Uint8Array(20).fill(1),
      fast: true,
    } as const;
    leecher.core.handle(link, other, 0);
    expect(leecher.closes).toEqual([{ kind: 'wrong-torrent' }]);
  });
});
