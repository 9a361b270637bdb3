// The BitTorrent peer wire protocol's messages (BEP 3, with BEP 6's fast extension), as one discriminated
// union: what a core takes in and sends out. codec.ts turns them into bytes and back; the simulator
// passes them as they are. Piece data travels beside a `piece` message, never through the core's state.
import type { Bitset } from './bitset.ts';

/** The length of a request on the wire (BEP 3: 2^14 bytes; clients refuse longer ones). */
export const BLOCK_BYTES = 16 * 1024;
/** The handshake's protocol string. */
export const PROTOCOL = 'BitTorrent protocol';

export interface Handshake {
  readonly kind: 'handshake';
  /** 20 bytes: the SHA-1 of the torrent's info dictionary. */
  readonly infoHash: Uint8Array;
  /** 20 bytes chosen by the peer. */
  readonly peerId: Uint8Array;
  /** BEP 6: reserved bit 0x04 of byte 7. */
  readonly fast: boolean;
}

/** A block of a piece: `length` bytes from offset `begin`. */
export interface BlockRef {
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

export type PeerMessage =
  | Handshake
  | { readonly kind: 'keep-alive' }
  | { readonly kind: 'choke' }
  | { readonly kind: 'unchoke' }
  | { readonly kind: 'interested' }
  | { readonly kind: 'not-interested' }
  | { readonly kind: 'have'; readonly index: number }
  /** The pieces the sender has; only as its first message after the handshake. */
  | { readonly kind: 'bitfield'; readonly pieces: Bitset }
  | ({ readonly kind: 'request' } & BlockRef)
  /** A block; `data` is absent when a core asks for one to be sent (the runtime reads it) or in simulation. */
  | ({ readonly kind: 'piece'; readonly data?: Uint8Array } & BlockRef)
  | ({ readonly kind: 'cancel' } & BlockRef)
  /** BEP 6: a request that will not be served. */
  | ({ readonly kind: 'reject' } & BlockRef)
  /** BEP 6: the sender has every piece, or none (in place of a bitfield). */
  | { readonly kind: 'have-all' }
  | { readonly kind: 'have-none' }
  /** BEP 6: hints a core may ignore. */
  | { readonly kind: 'suggest'; readonly index: number }
  | { readonly kind: 'allowed-fast'; readonly index: number }
  /** BEP 5: the sender's DHT port; a core without DHT ignores it. */
  | { readonly kind: 'port'; readonly port: number };

export type MessageKind = PeerMessage['kind'];
