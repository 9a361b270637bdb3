// The live runtime: one BitTorrent core driven over real TCP. It listens and dials (node:net), frames
// bytes through the codec, carries out the core's outbox on sockets, has every piece's SHA-1 checked
// (by the disk, as it writes) before the core announces it, serves blocks from disk through a piece cache, asks the tracker, and keeps
// one timer at the earlier of the core's `pollTimeout` and the next stats sample. The real clock is read
// here only, as seconds since the peer was made.
import { Buffer } from 'node:buffer';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Rng } from '../../util/rng.ts';
import type { Bitset } from '../core/bitset.ts';
import { titForTat } from '../core/choker.ts';
import { TorrentGeometry } from '../core/geometry.ts';
import type { LinkId } from '../core/ids.ts';
import { BLOCK_BYTES, type BlockRef, type PeerMessage } from '../core/messages.ts';
import type { AnnounceRequest, CloseReason, PeerEvent, PeerOutbox } from '../core/outbox.ts';
import { BtPeer, DEFAULT_CONFIG, DEFAULT_TIMERS, hex, type PeerTimers } from '../core/peer.ts';
import { rarestFirstPicker } from '../core/piece-picker.ts';
import { parseAddress } from './address.ts';
import { addConnection, type ConnectionRecord, type NetStats, newStats, sample } from './net-stats.ts';
import { makePeerId, peerIdLabel } from './peer-id.ts';
import { PieceCache } from './piece-cache.ts';
import type { Announcer, PieceDisk, TorrentShape } from './ports.ts';
import { blockKey, WireConnection } from './wire-connection.ts';

export interface NetPeerOptions {
  readonly torrent: TorrentShape;
  readonly store: PieceDisk;
  /** Pieces already on disk and verified. */
  readonly held: Bitset;
  /** Where to listen: port 0 takes any free port. */
  readonly host: string;
  readonly port: number;
  /** The local address to dial from (so that peers on one machine can each have their own). */
  readonly dialFrom?: string | undefined;
  /** Peers to dial besides the tracker's (`host:port`); without a tracker, the only ones. */
  readonly peers?: readonly string[];
  readonly announce?: Announcer | undefined;
  readonly peerId?: Uint8Array;
  /** Seeds the core's choices (optimistic unchoke, ties in the picker). */
  readonly seed?: number;
  /** Blocks asked of one neighbour at a time. */
  readonly requestsPerLink?: number;
  readonly maxConnections?: number;
  /** Protocol errors from one host before it is refused for the rest of the run. */
  readonly strikesBeforeBan?: number;
  readonly timers?: PeerTimers;
  /** Memory for pieces kept to serve blocks from. */
  readonly cacheBytes?: number;
  /** Says what happens to connections (`--verbose`). */
  readonly log?: ((line: string) => void) | undefined;
}

export interface NetPeerListener {
  pieceCompleted?(index: number): void;
  completed?(): void;
  /** Something the peer cannot go on without (a disk error): the caller stops it. */
  failed?(error: Error): void;
}

/** Blocks asked of a link: at least the 16, at most 4 MiB; in between, this much of its rate. */
const MIN_REQUESTS_IN_FLIGHT = 16;
const MAX_REQUESTS_IN_FLIGHT = 256;
const PIPELINE_QUEUE_S = 1;
/** The tracker-less "announce" is answered no more often than this. */
const STATIC_PEERS_SPACING_S = 5;
const DIAL_TIMEOUT_MS = 10_000;
/** How long `stop` waits for the tracker to hear `stopped`. */
const STOP_ANNOUNCE_MS = 2_000;
/** A peer that leaves this much unread in our send buffer is not reading: it is hung up on. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class NetPeer implements PeerOutbox<string> {
  readonly core: BtPeer<string>;
  readonly stats: NetStats;
  readonly peerId: Uint8Array;
  private readonly geometry: TorrentGeometry;
  private readonly server: Server;
  private readonly byLink = new Map<number, WireConnection>();
  private readonly sockets = new Set<WireConnection>();
  private readonly records = new Map<WireConnection, ConnectionRecord>();
  /** The connection whose `openLink` call is under way: the core sends its handshake before it returns. */
  private opening: WireConnection | undefined;
  /** Work the core asked for, done once its call has returned. */
  private readonly later: (() => void)[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private nextSampleS = 0;
  private lastPipelineS = 0;
  private readonly startedAt = performance.now();
  /** Blocks of pieces not yet whole, by piece. */
  private readonly partial = new Map<number, Uint8Array>();
  private readonly cache: PieceCache;
  private readonly strikes = new Map<string, number>();
  private readonly bannedHosts = new Set<string>();
  private listenPort = 0;
  private lastStaticAnswerS = Number.NEGATIVE_INFINITY;
  private stopAnnounce: Promise<unknown> | undefined;
  private stopped = false;
  private listener: NetPeerListener = {};

  constructor(private readonly options: NetPeerOptions) {
    const { torrent } = options;
    this.geometry = new TorrentGeometry(torrent.totalLength, torrent.pieceLength, BLOCK_BYTES);
    this.peerId = options.peerId ?? makePeerId();
    this.stats = newStats(torrent.pieceCount, options.held.count);
    this.core = new BtPeer<string>(
      {
        ...DEFAULT_CONFIG,
        geometry: this.geometry,
        infoHash: torrent.infoHash,
        peerId: this.peerId,
        picker: rarestFirstPicker,
        choker: titForTat,
        requestsPerLink: options.requestsPerLink ?? 64,
        // Blocks handed to a socket at once: enough to keep a fast link busy between write callbacks.
        uploadWindow: 16,
        maxConnections: options.maxConnections ?? DEFAULT_CONFIG.maxConnections,
        held: options.held,
        timers: options.timers ?? DEFAULT_TIMERS,
      },
      this,
      new Rng(options.seed ?? (Math.random() * 2 ** 32) >>> 0, 0),
    );
    const pieceBudget = Math.max(options.cacheBytes ?? 64 * 1024 * 1024, 4 * torrent.pieceLength);
    this.cache = new PieceCache(pieceBudget, (index) =>
      options.store.readBlock(index, 0, this.geometry.pieceLength(index)),
    );
    this.server = createServer((socket) => this.accept(socket));
  }

  /** The port we listen on (known once started). */
  get port(): number {
    return this.listenPort;
  }

  /** Seconds since the peer was made: the only clock the core sees. */
  now(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  async start(listener: NetPeerListener = {}): Promise<void> {
    this.listener = listener;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    this.listenPort = typeof address === 'object' && address !== null ? address.port : this.options.port;
    this.enter((now) => this.core.start(now));
  }

  /** Leaves the swarm: closes every connection, tells the tracker (briefly), stops listening. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.enter((now) => this.core.stop(now));
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.takeSample(this.now());
    for (const connection of [...this.sockets]) connection.close();
    await Promise.all([
      new Promise<void>((resolve) => this.server.close(() => resolve())),
      this.stopAnnounce === undefined
        ? undefined
        : Promise.race([this.stopAnnounce, delay(STOP_ANNOUNCE_MS)]).catch(() => undefined),
    ]);
  }

  // --- calling the core ---

  /** Runs one call into the core, then the work it asked for, then re-arms the timer. */
  private enter(call: (now: number) => void): void {
    if (this.stopped) return;
    call(this.now());
    if (this.running) return;
    this.running = true;
    try {
      for (let work = this.later.shift(); work !== undefined; work = this.later.shift()) work();
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const due = Math.min(this.core.pollTimeout(), this.nextSampleS);
    if (due === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = due;
    if (!Number.isFinite(due)) return;
    const waitMs = Math.min(Math.max(0, Math.ceil((due - this.now()) * 1000)), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.onTimer(), waitMs);
  }

  private onTimer(): void {
    this.timerAt = Number.POSITIVE_INFINITY;
    this.enter((now) => {
      if (now >= this.nextSampleS) this.takeSample(now);
      if (this.core.pollTimeout() <= now) this.core.handleTimeout(now);
    });
  }

  private takeSample(now: number): void {
    this.sizePipelines(now);
    const connections = this.byLink.size;
    sample(this.stats, now, this.core.bytesReceived, this.core.bytesSent, connections);
    this.nextSampleS = now + this.stats.sampleEveryS;
  }

  /**
   * Pipelining adapted to each link: enough blocks asked to cover what it delivered in
   * `PIPELINE_QUEUE_S` at the rate of the last sample, within bounds (libtorrent sizes its queue so).
   */
  private sizePipelines(now: number): void {
    const elapsedS = now - this.lastPipelineS;
    this.lastPipelineS = now;
    if (elapsedS <= 0) return;
    for (const [link, connection] of this.byLink) {
      const rateBps = (connection.blockBytesIn - connection.bytesInAtSample) / elapsedS;
      connection.bytesInAtSample = connection.blockBytesIn;
      if (rateBps <= 0) continue;
      const blocks = Math.ceil((rateBps * PIPELINE_QUEUE_S) / BLOCK_BYTES);
      this.core.setRequestsInFlight(
        link as LinkId,
        Math.min(MAX_REQUESTS_IN_FLIGHT, Math.max(MIN_REQUESTS_IN_FLIGHT, blocks)),
        now,
      );
    }
  }

  // --- sockets ---

  private accept(socket: Socket): void {
    const host = plainHost(socket.remoteAddress ?? '');
    if (this.stopped || this.bannedHosts.has(host) || !this.core.canAccept()) {
      socket.destroy();
      return;
    }
    this.attach(socket, host, socket.remotePort ?? 0, undefined);
  }

  private dial(address: string): void {
    const target = parseAddress(address);
    if (target === undefined || this.bannedHosts.has(target.host) || this.stopped) {
      this.enter((now) => this.core.handleConnectFailure(address, now));
      return;
    }
    const socket = connect({
      host: target.host,
      port: target.port,
      ...(this.options.dialFrom === undefined ? {} : { localAddress: this.options.dialFrom }),
    });
    const timeout = setTimeout(() => socket.destroy(new Error('dial timed out')), DIAL_TIMEOUT_MS);
    const failed = () => {
      clearTimeout(timeout);
      this.enter((now) => this.core.handleConnectFailure(address, now));
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      clearTimeout(timeout);
      socket.off('error', failed);
      this.attach(socket, target.host, target.port, address);
    });
  }

  private attach(socket: Socket, host: string, port: number, address: string | undefined): void {
    const connection = new WireConnection(socket, host, port, address !== undefined, this.geometry.pieces, {
      maxBlockBytes: DEFAULT_CONFIG.maxRequestBytes,
      maxQueuedBytes: MAX_QUEUED_BYTES,
    });
    socket.on('error', () => {});
    socket.on('close', () => this.onSocketClosed(connection));
    this.sockets.add(connection);
    this.opening = connection;
    let link: LinkId | undefined;
    this.enter((now) => {
      link = this.core.openLink(now, address, address !== undefined);
    });
    this.opening = undefined;
    if (link === undefined) {
      connection.close();
      return;
    }
    this.bind(link, connection);
    const record: ConnectionRecord = {
      address: connection.remote,
      outbound: connection.outbound,
      client: '',
      openedS: this.now(),
      closedS: null,
      closeReason: null,
      bytesUp: 0,
      bytesDown: 0,
    };
    this.records.set(connection, record);
    this.options.log?.(`opened ${connection.remote} (${connection.outbound ? 'dialled' : 'came in'})`);
    addConnection(this.stats, record);
    socket.on('data', (chunk: Buffer) => this.onData(connection, chunk));
  }

  private bind(link: LinkId, connection: WireConnection): void {
    connection.link = link;
    this.byLink.set(link, connection);
  }

  private onData(connection: WireConnection, chunk: Buffer): void {
    if (connection.link === undefined) return;
    const { messages, error } = connection.decoder.push(chunk);
    this.enter((now) => {
      for (const message of messages) {
        const link = connection.link;
        if (link === undefined) return;
        if (message.kind === 'handshake') {
          this.noteHandshake(connection, message.peerId);
        } else if (message.kind === 'bitfield' && connection.gotFirst) {
          // aria2c sends a bitfield again later on (BEP 3 allows one only first): read it as haves, which
          // can only add to what we knew of it.
          message.pieces.forEach((index) => {
            if (connection.link === link) this.core.handle(link, { kind: 'have', index }, now);
          });
          continue;
        } else {
          if (message.kind === 'piece') connection.blockBytesIn += message.length;
          connection.gotFirst = true;
        }
        this.core.handle(link, message, now);
      }
    });
    if (error !== null && connection.link !== undefined) {
      // Bytes that are not a handshake cost us nothing: often an encrypting client (MSE) trying first.
      this.hangUp(connection, `protocol: ${error.message}`, connection.peerId !== undefined);
    }
  }

  private noteHandshake(connection: WireConnection, peerId: Uint8Array): void {
    connection.peerId = peerId;
    const record = this.records.get(connection);
    if (record !== undefined) record.client = peerIdLabel(peerId);
  }

  /** We close a connection the core still holds (bad bytes, a peer that does not read). */
  private hangUp(connection: WireConnection, reason: string, strike = true): void {
    const link = connection.link;
    this.forgetConnection(connection, reason);
    this.stats.protocolErrors++;
    if (strike) this.strike(connection.host);
    connection.close();
    if (link !== undefined) this.enter((now) => this.core.handleClosed(link, now));
  }

  private onSocketClosed(connection: WireConnection): void {
    connection.closed = true;
    this.sockets.delete(connection);
    const link = connection.link;
    this.forgetConnection(connection, 'remote');
    if (link !== undefined) this.enter((now) => this.core.handleClosed(link, now));
  }

  private forgetConnection(connection: WireConnection, reason: string): void {
    if (connection.link !== undefined && this.byLink.get(connection.link) === connection) {
      this.byLink.delete(connection.link);
    }
    connection.link = undefined;
    const record = this.records.get(connection);
    if (record !== undefined && record.closedS === null) {
      this.options.log?.(
        `closed ${connection.remote} (${record.client || 'no handshake'}): ${reason}; ${connection.blockBytesIn} bytes in, ${connection.blockBytesOut} out`,
      );
      record.closedS = this.now();
      record.closeReason = reason;
      record.bytesUp = connection.blockBytesOut;
      record.bytesDown = connection.blockBytesIn;
    }
  }

  /** One more protocol error from this host; too many, and it is refused for the rest of the run. */
  private strike(host: string): void {
    const strikes = (this.strikes.get(host) ?? 0) + 1;
    this.strikes.set(host, strikes);
    if (strikes >= (this.options.strikesBeforeBan ?? 3)) this.banHost(host);
  }

  private banHost(host: string): void {
    if (this.bannedHosts.has(host)) return;
    this.bannedHosts.add(host);
    this.stats.bannedHosts.push(host);
    for (const connection of [...this.sockets]) {
      if (connection.host === host && connection.link !== undefined) this.hangUpLater(connection);
    }
  }

  private hangUpLater(connection: WireConnection): void {
    this.later.push(() => {
      const link = connection.link;
      this.forgetConnection(connection, 'banned');
      connection.close();
      if (link !== undefined) this.core.handleClosed(link, this.now());
    });
  }

  // --- the outbox: what the core asks for ---

  send(link: LinkId, message: PeerMessage): void {
    let connection = this.byLink.get(link);
    if (connection === undefined && this.opening !== undefined) {
      connection = this.opening;
      this.bind(link, connection);
    }
    if (connection === undefined) return;
    if (message.kind === 'piece') {
      this.serve(connection, link, message);
      return;
    }
    if (message.kind === 'bitfield' || message.kind === 'have-all' || message.kind === 'have-none') {
      connection.sentFirst = true;
    }
    if (!connection.send(message)) this.hangUpLater(connection);
  }

  broadcast(message: PeerMessage): void {
    if (message.kind === 'piece') return;
    for (const connection of this.byLink.values()) {
      if (connection.sentFirst && !connection.send(message)) this.hangUpLater(connection);
    }
  }

  close(link: LinkId, reason: CloseReason): void {
    const connection = this.byLink.get(link);
    if (connection === undefined) return;
    const text = reason.kind === 'protocol' ? `protocol: ${reason.detail}` : reason.kind;
    this.forgetConnection(connection, text);
    if (reason.kind === 'protocol' || reason.kind === 'wrong-torrent') this.stats.protocolErrors++;
    if (reason.kind === 'protocol') this.strikeLater(connection.host);
    // Let what we queued (a last have, a reject) go before the connection closes.
    connection.closed = true;
    connection.socket.end();
    setTimeout(() => connection.socket.destroy(), 1000).unref();
  }

  private strikeLater(host: string): void {
    this.later.push(() => this.strike(host));
  }

  connect(address: string): void {
    this.later.push(() => this.dial(address));
  }

  announce(request: AnnounceRequest): void {
    this.later.push(() => this.ask(request));
  }

  verify(index: number): void {
    this.later.push(() => this.check(index));
  }

  withdraw(link: LinkId, block: BlockRef): boolean {
    const connection = this.byLink.get(link);
    return connection?.reading.delete(blockKey(block)) ?? false;
  }

  event(event: PeerEvent): void {
    switch (event.kind) {
      case 'block':
        if (event.data !== undefined) this.keepBlock(event.index, event.begin, event.data);
        return;
      case 'piece-completed':
        this.stats.pieces = this.core.have.count;
        this.listener.pieceCompleted?.(event.index);
        return;
      case 'completed':
        this.stats.completedS = this.now();
        this.later.push(() => this.listener.completed?.());
        return;
      case 'hash-failed':
        this.stats.hashFailures++;
        return;
      case 'banned':
        for (const connection of this.sockets) {
          if (connection.peerId !== undefined && hex(connection.peerId) === event.peerKey) {
            this.later.push(() => this.banHost(connection.host));
          }
        }
        return;
      case 'snubbed':
        return;
    }
  }

  // --- blocks, pieces and the disk ---

  private serve(connection: WireConnection, link: LinkId, block: BlockRef): void {
    const sent = () => {
      if (connection.link === link)
        this.enter((now) => this.core.handleBlockSent(link, block.index, block.begin, now));
    };
    const cached = this.cache.get(block.index);
    if (cached !== undefined) {
      if (!connection.sendBlock(block, slice(cached, block), sent)) this.hangUpLater(connection);
      return;
    }
    const key = blockKey(block);
    connection.reading.add(key);
    this.cache.load(block.index).then(
      (piece) => {
        // Withdrawn while it was read, or the connection went.
        if (!connection.reading.delete(key) || connection.link !== link) return;
        if (!connection.sendBlock(block, slice(piece, block), sent)) this.hangUp(connection, 'not reading');
      },
      (error: unknown) => this.fail(error),
    );
  }

  private keepBlock(index: number, begin: number, data: Uint8Array): void {
    let piece = this.partial.get(index);
    if (piece === undefined) {
      // Not zeroed: every byte is written by a block before the piece is hashed.
      piece = Buffer.allocUnsafe(this.geometry.pieceLength(index));
      this.partial.set(index, piece);
    }
    piece.set(data, begin);
  }

  /**
   * A whole piece goes to the disk, which checks its SHA-1 and writes it only if it matches; the core
   * hears the answer once it is written, and only then announces it.
   */
  private check(index: number): void {
    const piece = this.partial.get(index);
    this.partial.delete(index);
    if (piece === undefined) {
      this.core.handlePieceVerified(index, false, this.now());
      return;
    }
    this.options.store.writePiece(index, piece).then(
      (ok) => {
        if (ok) this.cache.put(index, piece);
        this.enter((now) => this.core.handlePieceVerified(index, ok, now));
      },
      (error: unknown) => this.fail(error),
    );
  }

  private fail(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (this.listener.failed !== undefined) this.listener.failed(failure);
    else throw failure;
  }

  // --- the tracker ---

  private ask(request: AnnounceRequest): void {
    const announcer = this.options.announce;
    const extra = this.options.peers ?? [];
    if (announcer === undefined) {
      if (request.event === 'stopped') return;
      // Without a tracker the answer is the peers given; spaced out, as a tracker's round trip would be,
      // so that a connection refused at once does not become a dialling loop.
      const waitS = Math.max(0, this.lastStaticAnswerS + STATIC_PEERS_SPACING_S - this.now());
      this.lastStaticAnswerS = this.now() + waitS;
      setTimeout(() => this.enter((now) => this.core.handlePeers(extra, now)), waitS * 1000).unref();
      return;
    }
    const answer = announcer({ ...request, port: this.listenPort }).then(
      (answer) => this.enter((now) => this.core.handlePeers([...answer.peers, ...extra], now)),
      () => {
        this.enter((now) => this.core.handleAnnounceFailure(now));
        // The tracker is down: the peers given are dialled all the same (the core refuses a second
        // connection to a peer it has).
        if (request.event !== 'stopped' && this.core.linkCount === 0)
          for (const peer of extra) this.dial(peer);
      },
    );
    if (request.event === 'stopped') this.stopAnnounce = answer;
  }
}

function slice(piece: Uint8Array, block: BlockRef): Uint8Array {
  return piece.subarray(block.begin, block.begin + block.length);
}

/** An IPv4 peer seen through a dual-stack socket is `::ffff:a.b.c.d`: name it as IPv4. */
function plainHost(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
