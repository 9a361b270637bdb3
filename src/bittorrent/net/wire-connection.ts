// One TCP connection to a peer: bytes in through the wire decoder, messages out through the codec, and
// the counts a results file needs. It holds no protocol state (the core does) and a bounded amount of
// memory: the decoder buffers at most one legal message, and a peer that stops reading while we have more
// than `maxQueuedBytes` to write for it is hung up on.
import type { Socket } from 'node:net';
import { encodeHandshake, encodeMessage, encodePieceHeader, WireDecoder } from '../core/codec.ts';
import type { LinkId } from '../core/ids.ts';
import type { BlockRef, PeerMessage } from '../core/messages.ts';

export interface ConnectionLimits {
  /** The longest block a request or piece may carry. */
  readonly maxBlockBytes: number;
  /** Bytes waiting in our send buffer before the peer counts as one that does not read. */
  readonly maxQueuedBytes: number;
}

export class WireConnection {
  /** The core's id for this connection, while the core knows it. */
  link: LinkId | undefined;
  /** The remote's peer id, from its handshake. */
  peerId: Uint8Array | undefined;
  readonly decoder: WireDecoder;
  /** Piece data moved, each way (headers and other messages are not counted). */
  blockBytesIn = 0;
  blockBytesOut = 0;
  /** `blockBytesIn` at the last stats sample: the link's rate sizes its pipeline. */
  bytesInAtSample = 0;
  /** Blocks the core handed over that wait for their data to be read: withdrawn ones are dropped here. */
  readonly reading = new Set<string>();
  /** Its first message after the handshake has come: a bitfield now is a late one. */
  gotFirst = false;
  /** Our first message after the handshake has gone: a broadcast have may follow it. */
  sentFirst = false;
  closed = false;
  private corked = false;

  constructor(
    readonly socket: Socket,
    readonly host: string,
    readonly port: number,
    readonly outbound: boolean,
    private readonly pieces: number,
    private readonly limits: ConnectionLimits,
  ) {
    // A socket's chunks are never reused, and the runtime copies a block into its piece at once.
    this.decoder = new WireDecoder({
      pieces,
      maxBlockBytes: limits.maxBlockBytes,
      expectHandshake: true,
      blockViews: true,
    });
    socket.setNoDelay(true);
  }

  get remote(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  /** Writes a message without data; false if the peer is not reading and was hung up on. */
  send(message: Exclude<PeerMessage, { kind: 'piece' }>): boolean {
    if (this.closed) return false;
    const bytes =
      message.kind === 'handshake' ? encodeHandshake(message) : encodeMessage(message, this.pieces);
    this.batch();
    this.socket.write(bytes);
    return this.checkQueue();
  }

  /** Writes a piece message from data read elsewhere; `sent` runs once it has left our buffers. */
  sendBlock(block: BlockRef, data: Uint8Array, sent: () => void): boolean {
    if (this.closed) return false;
    this.batch();
    this.socket.write(encodePieceHeader(block, this.pieces));
    this.socket.write(data, (error) => {
      if (error === undefined || error === null) sent();
    });
    this.blockBytesOut += block.length;
    return this.checkQueue();
  }

  /**
   * Holds what is written until the current turn of the event loop ends, then sends it in one system
   * call: one call into the core may send dozens of small messages (a request per block asked).
   */
  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private checkQueue(): boolean {
    if (this.socket.writableLength <= this.limits.maxQueuedBytes) return true;
    this.close();
    return false;
  }
}

export function blockKey(block: BlockRef): string {
  return `${block.index}:${block.begin}:${block.length}`;
}
