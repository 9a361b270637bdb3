// Test doubles for driving one BtPeer through its public path: an outbox that records every call in
// order, a factory with small defaults, a helper that opens a link and plays the other end's handshake
// and first message, and a clock that runs the peer's timers.
import { Bitset } from '../../../src/bittorrent/core/bitset.ts';
import { titForTat } from '../../../src/bittorrent/core/choker.ts';
import { TorrentGeometry } from '../../../src/bittorrent/core/geometry.ts';
import type { LinkId } from '../../../src/bittorrent/core/ids.ts';
import type { BlockRef, PeerMessage } from '../../../src/bittorrent/core/messages.ts';
import type {
  AnnounceRequest,
  CloseReason,
  PeerEvent,
  PeerOutbox,
} from '../../../src/bittorrent/core/outbox.ts';
import { BtPeer, DEFAULT_CONFIG, type PeerConfig } from '../../../src/bittorrent/core/peer.ts';
import { sequentialPicker } from '../../../src/bittorrent/core/piece-picker.ts';
import { Rng } from '../../../src/util/rng.ts';

export const INFO_HASH = new Uint8Array(20).fill(7);

/** A neighbour's peer id: 20 bytes of `n`. */
export function peerId(n: number): Uint8Array {
  return new Uint8Array(20).fill(n);
}

/** The peer id of the peer under test. */
export const SELF_ID = peerId(0xee);

export type OutCall =
  | { readonly kind: 'send'; readonly link: LinkId; readonly message: PeerMessage }
  | { readonly kind: 'close'; readonly link: LinkId; readonly reason: CloseReason }
  | { readonly kind: 'connect'; readonly address: string }
  | { readonly kind: 'announce'; readonly request: AnnounceRequest }
  | { readonly kind: 'verify'; readonly index: number }
  | {
      readonly kind: 'withdraw';
      readonly link: LinkId;
      readonly block: BlockRef;
      readonly withdrawn: boolean;
    }
  | { readonly kind: 'event'; readonly event: PeerEvent };

/** Records every outbox call in order. `withdraw` answers `withdrawable`. */
export class RecordingOutbox implements PeerOutbox<string> {
  readonly calls: OutCall[] = [];
  withdrawable = true;
  /** The links we unchoke now, as the choke and unchoke messages sent say (kept across takes). */
  readonly unchoked = new Set<LinkId>();

  /** Links on which the peer has sent its first message, in order: a broadcast reaches these. */
  readonly pastFirst: LinkId[] = [];

  send(link: LinkId, message: PeerMessage): void {
    if (message.kind === 'unchoke') this.unchoked.add(link);
    if (message.kind === 'choke') this.unchoked.delete(link);
    if (message.kind === 'handshake') this.linkClosed(link); // a link id reused: a new connection
    if (message.kind === 'bitfield' || message.kind === 'have-all' || message.kind === 'have-none') {
      this.pastFirst.push(link);
    }
    this.calls.push({ kind: 'send', link, message });
  }
  /** Recorded as the sends a runtime makes of it: one per link past its first message. */
  broadcast(message: PeerMessage): void {
    for (const link of this.pastFirst) this.calls.push({ kind: 'send', link, message });
  }
  /** The link closed under the peer (handleClosed): a broadcast no longer reaches it. */
  linkClosed(link: LinkId): void {
    const at = this.pastFirst.indexOf(link);
    if (at >= 0) this.pastFirst.splice(at, 1);
  }
  close(link: LinkId, reason: CloseReason): void {
    this.unchoked.delete(link);
    this.linkClosed(link);
    this.calls.push({ kind: 'close', link, reason });
  }
  connect(address: string): void {
    this.calls.push({ kind: 'connect', address });
  }
  announce(request: AnnounceRequest): void {
    this.calls.push({ kind: 'announce', request });
  }
  verify(index: number): void {
    this.calls.push({ kind: 'verify', index });
  }
  withdraw(link: LinkId, block: BlockRef): boolean {
    const withdrawn = this.withdrawable;
    this.calls.push({ kind: 'withdraw', link, block: { ...block }, withdrawn });
    return withdrawn;
  }
  event(event: PeerEvent): void {
    this.calls.push({ kind: 'event', event });
  }

  /** Everything recorded since the last take, emptying the record. */
  take(): OutCall[] {
    return this.calls.splice(0);
  }

  /** The messages sent (on `link`, if given), in order; the record is kept. Keep-alives are left out. */
  sent(link?: LinkId): PeerMessage[] {
    return sentIn(this.calls, link);
  }

  /** The messages sent (on `link`, if given), emptying the whole record. */
  takeSent(link?: LinkId): PeerMessage[] {
    return sentIn(this.take(), link);
  }

  /** [link, message] for every message sent, emptying the record (keep-alives left out). */
  takeSentTo(): [LinkId, PeerMessage][] {
    const out: [LinkId, PeerMessage][] = [];
    for (const call of this.take()) {
      if (call.kind === 'send' && call.message.kind !== 'keep-alive') out.push([call.link, call.message]);
    }
    return out;
  }

  events(): PeerEvent[] {
    return this.calls.flatMap((call) => (call.kind === 'event' ? [call.event] : []));
  }

  closes(): { link: LinkId; reason: CloseReason }[] {
    return this.calls.flatMap((call) =>
      call.kind === 'close' ? [{ link: call.link, reason: call.reason }] : [],
    );
  }

  announces(): AnnounceRequest[] {
    return this.calls.flatMap((call) => (call.kind === 'announce' ? [call.request] : []));
  }

  verifies(): number[] {
    return this.calls.flatMap((call) => (call.kind === 'verify' ? [call.index] : []));
  }

  connects(): string[] {
    return this.calls.flatMap((call) => (call.kind === 'connect' ? [call.address] : []));
  }
}

export function sentIn(calls: readonly OutCall[], link?: LinkId): PeerMessage[] {
  const out: PeerMessage[] = [];
  for (const call of calls) {
    if (call.kind !== 'send' || call.message.kind === 'keep-alive') continue;
    if (link === undefined || call.link === link) out.push(call.message);
  }
  return out;
}

/** `pieces` pieces of `pieceBytes`, each one block: a request is a whole piece. */
export function wholePieces(pieces: number, pieceBytes = 1000): TorrentGeometry {
  return new TorrentGeometry(pieces * pieceBytes, pieceBytes, pieceBytes);
}

export type Overrides = Partial<Omit<PeerConfig, 'held'>> & {
  readonly held?: 'all' | 'none' | readonly number[];
};

/** A peer with 8 one-block pieces of 1000 bytes, the sequential picker and tit-for-tat by default. */
export function makePeer(
  overrides: Overrides = {},
  seed = 1,
): { core: BtPeer<string>; out: RecordingOutbox } {
  const out = new RecordingOutbox();
  const geometry = overrides.geometry ?? wholePieces(8);
  const { held: heldOverride, ...rest } = overrides;
  const held =
    heldOverride === undefined || typeof heldOverride === 'string'
      ? (heldOverride ?? 'none')
      : bits(geometry.pieces, heldOverride);
  const config: PeerConfig = {
    ...DEFAULT_CONFIG,
    geometry,
    infoHash: INFO_HASH,
    peerId: SELF_ID,
    picker: sequentialPicker,
    choker: titForTat,
    ...rest,
    held,
  };
  return { core: new BtPeer<string>(config, out, new Rng(seed)), out };
}

export function bits(capacity: number, pieces: Iterable<number> = []): Bitset {
  const out = new Bitset(capacity);
  for (const piece of pieces) out.add(piece);
  return out;
}

/** What the other end sends right after its handshake: a bitfield of these pieces, have-all, have-none, or nothing. */
export type First = 'have-all' | 'have-none' | 'nothing' | readonly number[];

export interface JoinOptions {
  readonly fast?: boolean;
  readonly now?: number;
  /** The address the runtime knows it by (default `peer-<n>`; null: none). */
  readonly address?: string | null;
  readonly outbound?: boolean;
}

/**
 * Opens a link to neighbour `n`, plays its handshake (peer id `n`) and its first message, and returns
 * the link's id.
 */
export function join(core: BtPeer<string>, n: number, first: First, options: JoinOptions = {}): LinkId {
  const now = options.now ?? 0;
  const address = options.address === null ? undefined : (options.address ?? `peer-${n}`);
  const link = core.openLink(now, address, options.outbound ?? false);
  if (link === undefined) throw new Error(`the peer refused neighbour ${n}`);
  core.handle(
    link,
    { kind: 'handshake', infoHash: INFO_HASH, peerId: peerId(n), fast: options.fast ?? true },
    now,
  );
  if (first === 'have-all' || first === 'have-none') core.handle(link, { kind: first }, now);
  else if (first !== 'nothing') {
    core.handle(link, { kind: 'bitfield', pieces: bits(core.geometry.pieces, first) }, now);
  }
  return link;
}

/** Every piece of a torrent of `pieces` pieces. */
export function all(pieces: number): number[] {
  return Array.from({ length: pieces }, (_, i) => i);
}

/** The block numbered `block`, as a request/piece/cancel/reject names it. */
export function ref(geometry: TorrentGeometry, block: number): BlockRef {
  return {
    index: geometry.pieceOf(block),
    begin: geometry.beginOf(block),
    length: geometry.blockLength(block),
  };
}

/** Runs the peer's timers up to `until` (each deadline in turn); returns the deadlines run. */
export function runTimers(core: BtPeer<string>, until: number): number[] {
  const ran: number[] = [];
  for (let guard = 0; guard < 100_000; guard++) {
    const next = core.pollTimeout();
    if (next > until) return ran;
    core.handleTimeout(next);
    ran.push(next);
  }
  throw new Error('the timers never stop');
}

/** Runs the next deadline; returns its time. */
export function tick(core: BtPeer<string>): number {
  const next = core.pollTimeout();
  if (!Number.isFinite(next)) throw new Error('no deadline');
  core.handleTimeout(next);
  return next;
}
