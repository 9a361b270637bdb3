// A BitTorrent peer (BEP 3, with BEP 6's fast extension) as a sans-I/O state machine, in quinn-proto's
// shape: the runtime hands it messages, connection events and the time; it answers through an outbox
// (messages, closes, announces, hash checks, events) and says when it next needs the time
// (`pollTimeout`, then `handleTimeout`). It owns its choker rounds, optimistic unchokes, request
// time-outs, keep-alives and announces. It reads no clock, does no I/O, and touches no other peer.
import type { Rng } from '../../util/rng.ts';
import type { AnnouncedView } from './announced-view.ts';
import { Availability } from './availability.ts';
import { Bitset } from './bitset.ts';
import { BlockLedger } from './block-ledger.ts';
import type { ChokeCandidate, Choker } from './choker.ts';
import type { TorrentGeometry } from './geometry.ts';
import type { LinkId } from './ids.ts';
import { Link } from './link.ts';
import { FREE, GOT_FIRST_FLAG, HANDSHAKING, HEARD_FLAG, LinkTable, OPEN, STATE_MASK } from './link-table.ts';
import { BLOCK_BYTES, type BlockRef, type Handshake, type PeerMessage } from './messages.ts';
import type { AnnounceEvent, CloseReason, PeerOutbox } from './outbox.ts';
import { ENDGAME_MAX_ASKS, endgamePick, type PickContext, type PiecePicker } from './piece-picker.ts';

/** Regular upload slots; tit-for-tat adds one optimistic slot, other chokers get it as a regular one. */
export const UPLOAD_SLOTS = 4;

export interface PeerTimers {
  /** A choker round (BitTorrent: 10 s); time-outs and keep-alives are checked at the same tick. */
  readonly rechokeS: number;
  /** Rounds between optimistic unchokes (BitTorrent: 3, that is 30 s). */
  readonly optimisticRounds: number;
  /** Announce this often (the tracker's interval). */
  readonly announceS: number;
  /** A leecher that no neighbour serves for this many rounds asks the tracker for more peers. */
  readonly starvedRounds: number;
  /** Asked blocks unanswered this long: the neighbour is snubbed and the blocks asked elsewhere. */
  readonly requestTimeoutS: number;
  /** Send a keep-alive on a link we have said nothing on for this long (BEP 3: two minutes). */
  readonly keepAliveS: number;
  /** Close a link we have heard nothing on for this long. */
  readonly idleTimeoutS: number;
  /** Close a link whose handshake has not come in this long. */
  readonly handshakeTimeoutS: number;
  /** The first retry after a failed announce; each further failure doubles it, up to `announceS`. */
  readonly announceRetryS: number;
}

export const DEFAULT_TIMERS: PeerTimers = {
  rechokeS: 10,
  optimisticRounds: 3,
  announceS: 30 * 60,
  starvedRounds: 6,
  requestTimeoutS: 60,
  keepAliveS: 120,
  idleTimeoutS: 300,
  handshakeTimeoutS: 30,
  announceRetryS: 15,
};

export interface PeerConfig {
  readonly geometry: TorrentGeometry;
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly picker: PiecePicker;
  readonly choker: Choker;
  readonly endgame: boolean;
  /** Blocks asked of one neighbour at a time (pipelining). */
  readonly requestsPerLink: number;
  /** Blocks handed to the runtime to send at once, per link. */
  readonly uploadWindow: number;
  /** Requests from one neighbour queued before more are refused (BEP 6 lets a peer reject them). */
  readonly queuedRequests: number;
  /** The longest request served: a longer one is a protocol error. */
  readonly maxRequestBytes: number;
  readonly maxConnections: number;
  /** Peers asked of the tracker per announce. */
  readonly numwant: number;
  /** A free rider downloads but never unchokes anyone. */
  readonly freeRider: boolean;
  /** Pieces held (and verified) at the start: all of them for an initial seed. */
  readonly held: 'all' | 'none' | Bitset;
  /**
   * Where the peer keeps the state every have touches (BtPeer.hotWords words from `base`), instead of an
   * array of its own: a runtime holding many peers may lay them side by side in one array, so that a
   * have reaches one peer through one fewer pointer. The peer writes only its own words.
   */
  readonly storage?: { readonly array: Uint32Array; readonly base: number };
  /** Hash failures a neighbour may take part in before it is banned. */
  readonly banAfterHashFailures: number;
  readonly timers: PeerTimers;
}

export const DEFAULT_CONFIG = {
  endgame: true,
  requestsPerLink: 16,
  uploadWindow: 4,
  queuedRequests: 256,
  maxRequestBytes: 8 * BLOCK_BYTES,
  maxConnections: 80,
  numwant: 50,
  freeRider: false,
  held: 'none',
  banAfterHashFailures: 3,
  timers: DEFAULT_TIMERS,
} as const;

const CLOSED_AT = Number.POSITIVE_INFINITY;

export class BtPeer<Address> {
  readonly have: Bitset;
  readonly geometry: TorrentGeometry;
  /** Links by id (a slot freed on close is reused), and the same links densely packed. */
  private readonly byId: (Link<Address> | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private readonly links: Link<Address>[] = [];
  /** The links' ids in the same order: loops over every link read these, not the objects. */
  private readonly linkIds: number[] = [];
  private readonly linksChecked: Link<Address>[] = [];
  /** Addresses dialled and not yet connected: they count against the connection limit. */
  private readonly dialling = new Set<Address>();
  /** Addresses of open links, so that a peer is not dialled twice. */
  private readonly linkedAddresses = new Set<Address>();
  /**
   * The state every have touches, in one array: availability counts (pieces words, unless a view keeps
   * them), then our own pieces (the `have` bitset's words), then the link table's rows.
   */
  private readonly hot: Uint32Array;
  /** Where our own pieces and the link rows start in `hot`. */
  private readonly haveAt: number;
  private readonly rowsAt: number;
  private readonly stride: number;
  private readonly pieces: number;
  /** Our peer id as hex, as handshakes are compared by it. */
  private readonly ownKey: string;
  /** We hold every piece (kept as a field: the have path reads it). */
  private seed = false;
  /** Link ids run below this (the connection limit). */
  private readonly capacity: number;
  /** Per-link state every have touches. */
  private readonly table: LinkTable;
  /**
   * How many neighbours hold each piece we lack (a piece held is never picked, so it need not be
   * counted; a view counts it all the same).
   */
  private readonly availability: Availability;
  private readonly ledger: BlockLedger;
  private readonly pickContext: PickContext;
  /** Who sent the blocks of each piece being checked (peer keys), for the ban count. */
  private readonly contributors = new Map<number, string[]>();
  private readonly hashFailuresBy = new Map<string, number>();
  private readonly banned = new Set<string>();
  private optimistic: Link<Address> | undefined;
  private unchoked = 0;
  private rounds = 0;
  private roundsAtAnnounce = 0;
  private started = false;
  private stopped = false;
  private announcing = false;
  private announceFailures = 0;
  /** The tracker has answered an announce: until it has, a retry says `started` again. */
  private trackerKnowsUs = false;
  private nextTickAt = CLOSED_AT;
  private nextAnnounceAt = CLOSED_AT;
  private now = 0;
  /** The view's have clock at the last check of the links (the idle time-out's). */
  private checkedHaveClock = 0;
  bytesReceived = 0;
  bytesSent = 0;
  hashFailures = 0;

  constructor(
    private readonly config: PeerConfig,
    private readonly out: PeerOutbox<Address>,
    private readonly rng: Rng,
    /** The neighbours' pieces, kept by the runtime (announced-view.ts); without it, the peer keeps them. */
    private readonly view?: AnnouncedView<Address>,
  ) {
    const { geometry, held } = config;
    this.geometry = geometry;
    this.ownKey = hex(config.peerId);
    // What every have touches, in one array: a have costs a cache miss per array it reaches.
    const words = (geometry.pieces + 31) >>> 5;
    const size = BtPeer.hotWords(geometry, config.maxConnections, view !== undefined);
    const storage = config.storage ?? { array: new Uint32Array(size), base: 0 };
    if (storage.base < 0 || storage.base + size > storage.array.length) {
      throw new RangeError(`the peer's storage needs ${size} words from ${storage.base}`);
    }
    this.hot = storage.array;
    this.haveAt = storage.base + (view === undefined ? geometry.pieces : 0);
    this.rowsAt = this.haveAt + words;
    this.pieces = geometry.pieces;
    this.have = new Bitset(geometry.pieces, this.hot.subarray(this.haveAt, this.haveAt + words));
    if (held === 'all') this.have.addAll();
    else if (held !== 'none') this.have.copyFrom(held);
    this.seed = this.have.isFull;
    this.availability = new Availability(
      geometry.pieces,
      config.maxConnections,
      view?.availability ?? this.hot.subarray(storage.base, storage.base + geometry.pieces),
    );
    this.table = new LinkTable(
      config.maxConnections,
      geometry.pieces,
      { array: this.hot, base: this.rowsAt },
      view,
    );
    this.stride = this.table.stride;
    this.capacity = config.maxConnections;
    this.ledger = new BlockLedger(geometry, (index) => this.have.has(index));
    this.pickContext = {
      availability: this.availability,
      remoteWords: this.table.remote,
      remoteFrom: 0,
      open: this.ledger.open,
      have: this.have,
      rng,
    };
  }

  /**
   * Words of `hot` state a peer of this torrent with this connection limit takes (see PeerConfig.storage);
   * with a view (announced-view.ts) the runtime keeps the availability counts and the links' pieces.
   */
  static hotWords(geometry: TorrentGeometry, maxConnections: number, viewed: boolean): number {
    const counts = viewed ? 0 : geometry.pieces;
    const own = (geometry.pieces + 31) >>> 5;
    return counts + own + LinkTable.wordsFor(maxConnections, geometry.pieces, viewed);
  }

  get isSeed(): boolean {
    return this.have.isFull;
  }

  get linkCount(): number {
    return this.links.length;
  }

  /** When the peer next needs `handleTimeout` (Infinity: never, until something else happens). */
  pollTimeout(): number {
    return Math.min(this.nextTickAt, this.nextAnnounceAt);
  }

  // --- lifecycle ---

  /** Joins the swarm: announces, and starts its rounds at a random phase (so that peers do not rechoke in step). */
  start(now: number): void {
    if (this.started) return;
    this.now = now;
    this.started = true;
    this.nextTickAt = now + this.rng.next() * this.config.timers.rechokeS;
    this.announce('started');
  }

  /** Leaves the swarm: tells the tracker and closes every link. */
  stop(now: number): void {
    if (this.stopped) return;
    this.now = now;
    this.stopped = true;
    this.nextTickAt = CLOSED_AT;
    this.nextAnnounceAt = CLOSED_AT;
    for (const link of [...this.links]) this.closeLink(link, { kind: 'stopped' });
    if (this.started) this.announce('stopped');
  }

  handleTimeout(now: number): void {
    if (this.stopped) return;
    this.now = now;
    if (now >= this.nextTickAt) {
      const period = this.config.timers.rechokeS;
      this.nextTickAt += period;
      if (this.nextTickAt <= now) this.nextTickAt = now + period;
      this.tick();
    }
    if (now >= this.nextAnnounceAt && !this.announcing) this.reannounce();
  }

  // --- the tracker ---

  handlePeers(addresses: readonly Address[], now: number): void {
    this.now = now;
    this.announceAnswered();
    if (this.stopped) return;
    let room = this.room();
    for (const address of addresses) {
      if (room <= 0) return;
      if (this.dialling.has(address) || this.linkedAddresses.has(address)) continue;
      if (this.banned.has(addressKey(address))) continue;
      this.dialling.add(address);
      this.out.connect(address);
      room--;
    }
  }

  handleAnnounceFailure(now: number): void {
    this.now = now;
    this.announcing = false;
    if (this.stopped) return;
    const { announceRetryS, announceS } = this.config.timers;
    this.nextAnnounceAt = now + Math.min(announceS, announceRetryS * 2 ** this.announceFailures);
    this.announceFailures++;
  }

  private announceAnswered(): void {
    this.trackerKnowsUs = true;
    this.announcing = false;
    this.announceFailures = 0;
    if (!this.stopped) this.nextAnnounceAt = this.now + this.config.timers.announceS;
  }

  /** The periodic announce, or `started` again while the tracker has never answered. */
  private reannounce(): void {
    this.announce(this.trackerKnowsUs ? 'periodic' : 'started');
  }

  private announce(event: AnnounceEvent): void {
    this.announcing = event !== 'stopped';
    this.roundsAtAnnounce = this.rounds;
    this.nextAnnounceAt = CLOSED_AT;
    const left = this.leftBytes();
    this.out.announce({
      event,
      numwant: event === 'stopped' || this.room() <= 0 || left === 0 ? 0 : this.config.numwant,
      uploaded: this.bytesSent,
      downloaded: this.bytesReceived,
      left,
    });
  }

  // --- connections ---

  /**
   * Room for one more connection that comes in. Dials under way do not count here (they count when
   * choosing whom to dial): in a flash crowd every peer is dialling at once, and a peer that refused
   * every caller while its own dials were out would be refused by all of them in turn.
   */
  canAccept(address?: Address): boolean {
    if (this.stopped || this.links.length >= this.config.maxConnections) return false;
    return (
      address === undefined || (!this.linkedAddresses.has(address) && !this.banned.has(addressKey(address)))
    );
  }

  /**
   * A connection is up (one we dialled, or one that came in): returns its id, or undefined if the peer
   * refuses it (no room, a peer already linked, a banned one). Our handshake goes out at once.
   */
  openLink(now: number, address: Address | undefined, outbound: boolean): LinkId | undefined {
    this.now = now;
    if (outbound && address !== undefined) this.dialling.delete(address);
    if (this.stopped || this.links.length >= this.config.maxConnections) return undefined;
    if (
      address !== undefined &&
      (this.linkedAddresses.has(address) || this.banned.has(addressKey(address)))
    ) {
      return undefined;
    }
    const id = (this.freeIds.pop() ?? this.byId.length) as LinkId;
    const link = new Link<Address>(id, address, outbound, now);
    this.table.reset(id, now);
    this.view?.wantHaves(id, true);
    this.byId[id] = link;
    link.slot = this.links.length;
    this.links.push(link);
    this.linkIds.push(id);
    if (address !== undefined) this.linkedAddresses.add(address);
    this.send(link, {
      kind: 'handshake',
      infoHash: this.config.infoHash,
      peerId: this.config.peerId,
      fast: true,
    });
    return id;
  }

  handleConnectFailure(address: Address, now: number): void {
    this.now = now;
    this.dialling.delete(address);
  }

  /** The transport closed under the link (the other end closed it, or it failed). */
  handleClosed(id: LinkId, now: number): void {
    this.now = now;
    const link = this.byId[id];
    if (link !== undefined) this.forget(link);
  }

  // --- messages ---

  /** A message came on a link. The message is read during the call only. */
  handle(id: LinkId, message: PeerMessage, now: number): void {
    if (!(id >= 0 && id < this.capacity) || this.stopped) return;
    const state = (this.hot[this.rowsAt + id * this.stride] as number) & STATE_MASK;
    if (state === FREE) return;
    this.now = now;
    // The hottest message first, on the link table alone.
    if (message.kind === 'have' && state === OPEN) {
      this.onHave(id, message.index);
      return;
    }
    this.table.hear(id);
    const kind = message.kind;
    // A bitfield is allowed only first; anything else counts as the first message.
    if (state === OPEN && kind !== 'bitfield' && kind !== 'have-all' && kind !== 'have-none') {
      this.table.markGotFirst(id);
    }
    const link = this.byId[id] as Link<Address>;
    if (state === HANDSHAKING) {
      if (message.kind === 'handshake') this.onHandshake(link, message);
      else this.protocolError(link, `${message.kind} before the handshake`);
      return;
    }
    switch (message.kind) {
      case 'handshake': {
        this.protocolError(link, 'a second handshake');
        return;
      }
      case 'keep-alive':
        return;
      case 'bitfield':
        if (!this.takeFirst(link, 'bitfield')) return;
        if (message.pieces.capacity !== this.geometry.pieces) {
          this.protocolError(link, `a bitfield of ${message.pieces.capacity} pieces`);
          return;
        }
        this.onRemoteSet(link, message.pieces.words);
        return;
      case 'have-all':
      case 'have-none':
        if (!link.fast) {
          this.protocolError(link, `${message.kind} without the fast extension`);
          return;
        }
        if (!this.takeFirst(link, message.kind)) return;
        this.onRemoteSet(link, message.kind === 'have-all' ? 'all' : undefined);
        return;
      case 'have': {
        this.onHave(id, message.index);
        return;
      }
      case 'choke': {
        this.onChoke(link);
        return;
      }
      case 'unchoke':
        link.peerChoking = false;
        this.updateServed(link);
        {
          this.fillAsks(link);
          return;
        }
      case 'interested': {
        this.onInterested(link);
        return;
      }
      case 'not-interested':
        this.onNotInterested(link);
        return;
      case 'request': {
        this.onRequest(link, message);
        return;
      }
      case 'cancel': {
        this.onCancel(link, message);
        return;
      }
      case 'piece': {
        this.onPiece(link, message, message.data);
        return;
      }
      case 'reject':
        if (!link.fast) {
          this.protocolError(link, 'reject without the fast extension');
          return;
        }
        {
          this.onReject(link, message);
          return;
        }
      case 'suggest':
      case 'allowed-fast':
      case 'port':
        // Hints this peer does not use (it asks by its own picker, and has no DHT).
        return;
      default: {
        assertNever(message);
        return;
      }
    }
  }

  private onHandshake(link: Link<Address>, handshake: Handshake): void {
    if (!sameBytes(handshake.infoHash, this.config.infoHash)) {
      this.closeLink(link, { kind: 'wrong-torrent' });
      return;
    }
    const key = hex(handshake.peerId);
    if (key === this.ownKey) {
      this.closeLink(link, { kind: 'self' });
      return;
    }
    if (this.banned.has(key)) {
      this.closeLink(link, { kind: 'banned' });
      return;
    }
    if (this.links.some((other) => other.peerKey === key)) {
      this.closeLink(link, { kind: 'duplicate' });
      return;
    }
    this.table.setState(link.id, OPEN);
    link.peerKey = key;
    link.fast = handshake.fast;
    link.lastDataAt = this.now;
    this.sendFirst(link);
  }

  /**
   * Our first message after the handshakes: what we hold (BEP 6's short forms where they apply). It goes
   * as the link opens, so an open link is one a have may follow.
   */
  private sendFirst(link: Link<Address>): void {
    if (link.fast && this.have.isFull) this.send(link, { kind: 'have-all' });
    else if (link.fast && this.have.count === 0) this.send(link, { kind: 'have-none' });
    else {
      // Without BEP 6 a peer with nothing may skip its bitfield; an empty one is sent all the same, so
      // that every link past its first message is one a have may follow (outbox.broadcast).
      const pieces = new Bitset(this.geometry.pieces);
      pieces.copyFrom(this.have);
      this.send(link, { kind: 'bitfield', pieces });
    }
  }

  /** A bitfield, have-all or have-none is allowed only as the first message. */
  private takeFirst(link: Link<Address>, kind: string): boolean {
    if (this.table.gotFirst(link.id)) {
      this.protocolError(link, `${kind} after the first message`);
      return false;
    }
    this.table.markGotFirst(link.id);
    return true;
  }

  /**
   * The link's first message (a bitfield, have-all or have-none: `pieces` undefined) says what it has:
   * count it (unless the view counts for us), and say whether we are interested.
   */
  private onRemoteSet(link: Link<Address>, pieces: Uint32Array | 'all' | undefined): void {
    const table = this.table;
    const view = this.view;
    if (view !== undefined) table.showRemote(link.id, view.wordsOf(link.address as Address));
    else if (pieces !== undefined) {
      table.setAll(link.id, pieces);
      table.forEach(link.id, (piece) => {
        if (!this.have.has(piece)) this.availability.increment(piece);
      });
    }
    // Two seeds have nothing to give each other: the connection would only hold a slot.
    if (this.isSeed && table.isFull(link.id)) {
      this.closeLink(link, { kind: 'both-seeds' });
      return;
    }
    this.setInterest(link, table.offersAny(link.id, this.have.words));
  }

  /**
   * A have: on the link table alone, unless it may change our interest or bring an ask. With a view the
   * runtime has counted it already, and calls only where it may (AnnouncedView.wantHaves).
   */
  private onHave(id: number, index: number): void {
    if (!(index >= 0 && index < this.pieces)) {
      this.protocolError(this.byId[id] as Link<Address>, `have ${index}`);
      return;
    }
    const rows = this.hot;
    const row = this.rowsAt + id * this.stride;
    rows[row] = (rows[row] as number) | HEARD_FLAG | GOT_FIRST_FLAG;
    const bit = 1 << (index & 31);
    if (this.view === undefined) {
      // The link's pieces follow its flags in the row.
      const at = row + 1 + (index >>> 5);
      const before = rows[at] as number;
      if ((before & bit) !== 0) return;
      rows[at] = before | bit;
    }
    if (((rows[this.haveAt + (index >>> 5)] as number) & bit) !== 0) {
      // A seed has nothing to give a neighbour that has just become one: the link would hold a slot.
      if (this.seed && this.table.isFull(id))
        this.closeLink(this.byId[id] as Link<Address>, { kind: 'both-seeds' });
      return;
    }
    if (this.view === undefined) this.availability.increment(index);
    const link = this.byId[id] as Link<Address>;
    if (!link.amInterested) this.setInterest(link, true);
    if (this.table.isServed(id)) this.fillAsks(link);
  }

  private onChoke(link: Link<Address>): void {
    link.peerChoking = true;
    this.updateServed(link);
    // With BEP 6 each ask ends in a piece or a reject; without it, a choke drops every ask.
    if (!link.fast) this.dropAsks(link);
  }

  private onInterested(link: Link<Address>): void {
    link.peerInterested = true;
    // Do not leave an upload slot idle until the next round: a newly interested peer may take a free one.
    if (link.amChoking && this.unchoked < this.totalSlots()) this.setChoked(link, false);
  }

  private onNotInterested(link: Link<Address>): void {
    link.peerInterested = false;
    if (link.amChoking) return;
    // It wants nothing more from us: its upload slot goes now to a neighbour that waits for one, not at
    // the next round up to 10 s later (libtorrent does the same; a leecher left choked behind a peer
    // that finished would otherwise wait a whole round).
    if (this.optimistic === link) this.optimistic = undefined;
    this.setChoked(link, true);
    this.fillFreeSlots();
  }

  /**
   * Upload slots freed between rounds (an unchoked neighbour left or lost interest) go to interested,
   * choked neighbours at once, chosen by the choker as a round would choose them.
   */
  private fillFreeSlots(): void {
    const free = this.totalSlots() - this.unchoked;
    if (free <= 0 || this.stopped) return;
    const waiting: Link<Address>[] = [];
    for (const link of this.links) {
      if (link.peerInterested && link.amChoking && this.table.isOpen(link.id)) waiting.push(link);
    }
    if (waiting.length === 0) return;
    const chosen = this.config.choker.choose(waiting, free, this.isSeed, this.rng);
    for (const id of chosen) this.setChoked(this.byId[id] as Link<Address>, false);
  }

  private onRequest(link: Link<Address>, ref: BlockRef): void {
    const { index, begin, length } = ref;
    if (!this.geometry.fits(index, begin, length, this.config.maxRequestBytes)) {
      this.protocolError(link, `request ${index}:${begin}+${length}`);
      return;
    }
    const serve = !link.amChoking && this.have.has(index) && link.queued.length < this.config.queuedRequests;
    if (!serve) {
      if (link.fast) this.send(link, { kind: 'reject', index, begin, length });
      return;
    }
    link.queued.push({ index, begin, length });
    this.pump(link);
  }

  private onCancel(link: Link<Address>, ref: BlockRef): void {
    const queuedAt = indexOfRef(link.queued, ref);
    if (queuedAt >= 0) {
      link.queued.splice(queuedAt, 1);
      if (link.fast)
        this.send(link, { kind: 'reject', index: ref.index, begin: ref.begin, length: ref.length });
      return;
    }
    const sendingAt = indexOfRef(link.sending, ref);
    if (sendingAt < 0) return;
    const block = link.sending[sendingAt] as BlockRef;
    if (!this.out.withdraw(link.id, block)) return;
    link.sending.splice(sendingAt, 1);
    if (link.fast)
      this.send(link, { kind: 'reject', index: ref.index, begin: ref.begin, length: ref.length });
    this.pump(link);
  }

  private onPiece(link: Link<Address>, ref: BlockRef, data: Uint8Array | undefined): void {
    const { index, begin, length } = ref;
    if (!this.geometry.fits(index, begin, length, this.config.maxRequestBytes)) {
      this.protocolError(link, `piece ${index}:${begin}+${length}`);
      return;
    }
    const offset = index * this.geometry.pieceBytes + begin;
    const credited = link.creditedInAt === offset ? link.creditedIn : 0;
    link.creditedInAt = -1;
    this.countReceived(link, Math.max(0, length - credited));
    const block = this.geometry.isBlock(index, begin, length) ? this.geometry.blockAt(index, begin) : -1;
    const at = block < 0 ? -1 : link.asked.indexOf(block);
    // A block we did not ask of it (or no longer: its ask timed out) is dropped.
    if (at < 0) return;
    link.asked.splice(at, 1);
    this.table.setAsking(link.id, link.asked.length > 0);
    link.lastDataAt = this.now;
    link.snubbed = false;
    const held = this.have.has(index);
    const fresh = !held && this.ledger.receive(block);
    this.ledger.unask(block, held);
    if (fresh) {
      this.out.event({ kind: 'block', link: link.id, index, begin, length, data });
      this.noteContributor(index, link.peerKey);
      if ((this.ledger.asked[block] as number) > 0) this.cancelElsewhere(block, link);
      if (this.ledger.isWhole(index)) this.out.verify(index);
    }
    this.fillAsks(link);
  }

  private onReject(link: Link<Address>, ref: BlockRef): void {
    if (!this.geometry.isBlock(ref.index, ref.begin, ref.length)) return;
    const block = this.geometry.blockAt(ref.index, ref.begin);
    const at = link.asked.indexOf(block);
    if (at < 0) return;
    link.asked.splice(at, 1);
    this.table.setAsking(link.id, link.asked.length > 0);
    this.ledger.unask(block, this.have.has(ref.index));
    this.refillServing();
  }

  // --- what the runtime reports of the transport ---

  /** A `piece` message handed over earlier has left entirely. */
  handleBlockSent(id: LinkId, index: number, begin: number, now: number): void {
    const link = this.byId[id];
    if (link === undefined) return;
    this.now = now;
    const at = indexOfBlock(link.sending, index, begin);
    if (at < 0) return;
    const [block] = link.sending.splice(at, 1) as [BlockRef];
    const offset = index * this.geometry.pieceBytes + begin;
    const credited = link.creditedOutAt === offset ? link.creditedOut : 0;
    link.creditedOutAt = -1;
    this.countSent(link, Math.max(0, block.length - credited));
    this.pump(link);
  }

  /**
   * Bytes of a block under way have moved (a runtime that sees a block arrive gradually may say so):
   * they count for the choker now, and the rest when the block is whole.
   */
  handleProgress(id: LinkId, direction: 'in' | 'out', ref: BlockRef, bytes: number, now: number): void {
    const link = this.byId[id];
    if (link === undefined || bytes <= 0) return;
    this.now = now;
    const offset = ref.index * this.geometry.pieceBytes + ref.begin;
    if (direction === 'in') {
      if (link.creditedInAt !== offset) link.creditedIn = 0;
      link.creditedInAt = offset;
      link.creditedIn += bytes;
      link.lastDataAt = now;
      this.countReceived(link, bytes);
    } else {
      if (link.creditedOutAt !== offset) link.creditedOut = 0;
      link.creditedOutAt = offset;
      link.creditedOut += bytes;
      this.countSent(link, bytes);
    }
  }

  /**
   * How many blocks to keep asked of this neighbour from now on (pipelining adapted to the link: a
   * runtime that measures a link's rate sizes its queue to cover its round trip). At least 1.
   */
  setRequestsInFlight(id: LinkId, count: number, now: number): void {
    const link = this.byId[id];
    if (link === undefined || !(count >= 1)) return;
    this.now = now;
    link.requestsInFlight = Math.floor(count);
    this.fillAsks(link);
  }

  /** The answer to `verify`. */
  handlePieceVerified(index: number, ok: boolean, now: number): void {
    this.now = now;
    const contributors = this.contributors.get(index) ?? [];
    this.contributors.delete(index);
    if (this.have.has(index) || !this.ledger.isWhole(index)) return;
    if (!ok) {
      this.pieceFailed(index, contributors);
      return;
    }
    this.ledger.pass(index);
    this.have.add(index);
    this.loseInterestIn(index);
    // Every link past its first message hears it (a link still in its handshake gets a bitfield later).
    const sentAt = this.table.lastSentAt;
    for (const id of this.linkIds) if (this.table.isOpen(id)) sentAt[id] = this.now;
    this.out.broadcast({ kind: 'have', index });
    this.out.event({ kind: 'piece-completed', index });
    if (this.have.isFull) this.onCompleted();
  }

  private onCompleted(): void {
    this.seed = true;
    this.out.event({ kind: 'completed' });
    if (!this.stopped) this.announce('completed');
    for (const link of [...this.links]) {
      if (this.table.isFull(link.id)) this.closeLink(link, { kind: 'both-seeds' });
    }
  }

  private pieceFailed(index: number, contributors: readonly string[]): void {
    this.hashFailures++;
    this.ledger.fail(index);
    this.out.event({ kind: 'hash-failed', index });
    for (const key of new Set(contributors)) {
      const failures = (this.hashFailuresBy.get(key) ?? 0) + 1;
      this.hashFailuresBy.set(key, failures);
      if (failures >= this.config.banAfterHashFailures) this.ban(key);
    }
    this.refillServing();
  }

  private ban(key: string): void {
    if (this.banned.has(key)) return;
    this.banned.add(key);
    this.out.event({ kind: 'banned', peerKey: key });
    for (const link of [...this.links]) {
      if (link.peerKey !== key) continue;
      if (link.address !== undefined) this.banned.add(addressKey(link.address));
      this.closeLink(link, { kind: 'banned' });
    }
  }

  private noteContributor(index: number, key: string): void {
    const list = this.contributors.get(index);
    if (list === undefined) this.contributors.set(index, [key]);
    else list.push(key);
  }

  // --- the periodic tick: choker round, time-outs, keep-alives ---

  private tick(): void {
    this.rounds++;
    this.checkLinks();
    // Close the round first: the choker ranks neighbours by what they did in the round just ended.
    for (const link of this.links) link.endRound();
    this.dropUselessLink();
    if (this.starved() && !this.announcing) this.reannounce();
    this.rechoke();
  }

  /** Handshake and idle time-outs, keep-alives, and asks that went unanswered. */
  private checkLinks(): void {
    const t = this.config.timers;
    const now = this.now;
    const table = this.table;
    let dropped = false;
    // A copy (closing a link moves another into its slot), kept for the next tick: this runs every one.
    const links = this.linksChecked;
    links.length = 0;
    for (const link of this.links) links.push(link);
    for (const link of links) {
      const open = table.isOpen(link.id);
      if (table.takeHeard(link.id) || this.heardThroughView(link)) table.lastReceivedAt[link.id] = now;
      if (!open && now - link.openedAt >= t.handshakeTimeoutS) {
        this.closeLink(link, { kind: 'handshake-timeout' });
        continue;
      }
      if (now - (table.lastReceivedAt[link.id] as number) >= t.idleTimeoutS) {
        this.closeLink(link, { kind: 'idle' });
        continue;
      }
      if (table.isAsking(link.id) && now - link.lastDataAt >= t.requestTimeoutS) {
        link.snubbed = true;
        this.out.event({ kind: 'snubbed', link: link.id });
        this.withdrawAsks(link);
        dropped = true;
      }
      if (open && now - (table.lastSentAt[link.id] as number) >= t.keepAliveS) {
        this.send(link, { kind: 'keep-alive' });
      }
    }
    if (this.view !== undefined) this.checkedHaveClock = this.view.haveClock();
    if (dropped) this.refillServing();
  }

  /** A have the view kept from us still counts as hearing from the link (BEP 3: any message does). */
  private heardThroughView(link: Link<Address>): boolean {
    const view = this.view;
    if (view === undefined || !this.table.gotFirst(link.id)) return false;
    return view.lastHaveOf(link.address as Address) > this.checkedHaveClock;
  }

  /** A leecher that no neighbour is serving, for a while, needs other neighbours. */
  private starved(): boolean {
    if (this.isSeed || this.rounds - this.roundsAtAnnounce < this.config.timers.starvedRounds) return false;
    return !this.links.some((link) => link.amInterested && !link.peerChoking);
  }

  /**
   * At the connection limit, close one connection where neither end wants anything from the other, or
   * one that has kept us choked for a minute while we wanted from it, so that the next announce can
   * bring a peer that serves (without this a swarm of full, useless connections never recovers).
   */
  private dropUselessLink(): void {
    if (this.links.length < this.config.maxConnections) return;
    const useless =
      this.links.find(
        (l) =>
          this.table.isOpen(l.id) &&
          !l.amInterested &&
          !l.peerInterested &&
          l.asked.length === 0 &&
          l.sending.length === 0,
      ) ?? this.links.find((l) => l.chokedRounds >= this.config.timers.starvedRounds && !l.peerInterested);
    if (useless !== undefined) this.closeLink(useless, { kind: 'useless' });
  }

  /** A choker round: the choker picks who we upload to until the next round. */
  private rechoke(): void {
    const interested: Link<Address>[] = [];
    for (const link of this.links) if (link.peerInterested) interested.push(link);
    const { choker, freeRider } = this.config;
    const regularSlots = choker.optimistic ? UPLOAD_SLOTS : UPLOAD_SLOTS + 1;
    const candidates: readonly ChokeCandidate[] = interested;
    const chosen = new Set<number>(
      freeRider ? [] : choker.choose(candidates, regularSlots, this.isSeed, this.rng),
    );
    if (choker.optimistic && !freeRider) this.rotateOptimistic(interested, chosen);
    if (this.optimistic !== undefined) chosen.add(this.optimistic.id);
    for (const link of this.links) this.setChoked(link, !chosen.has(link.id));
  }

  private rotateOptimistic(interested: readonly Link<Address>[], chosen: ReadonlySet<number>): void {
    const current = this.optimistic;
    // Kept for its three rounds, unless the choker now picks it on its merits: then the slot rotates, or
    // it would sit idle while an interested neighbour waits.
    const keep =
      current?.peerInterested === true &&
      !chosen.has(current.id) &&
      this.rounds % this.config.timers.optimisticRounds !== 0;
    if (keep) return;
    const choked = interested.filter((link) => !chosen.has(link.id));
    this.optimistic = choked.length === 0 ? undefined : this.rng.pick(choked);
  }

  private totalSlots(): number {
    return this.config.freeRider ? 0 : UPLOAD_SLOTS + 1;
  }

  /** Chokes or unchokes a neighbour, and says so; nothing if it is so already. */
  private setChoked(link: Link<Address>, choked: boolean): void {
    if (choked === link.amChoking || !this.table.isOpen(link.id)) return;
    link.amChoking = choked;
    this.unchoked += choked ? -1 : 1;
    this.send(link, { kind: choked ? 'choke' : 'unchoke' });
    if (!choked) return;
    // Blocks already handed over go on; the asks still queued are refused (BEP 6), or, without the
    // fast extension, dropped as a choke drops them.
    const refused = link.queued.splice(0);
    if (link.fast) for (const ref of refused) this.send(link, { kind: 'reject', ...ref });
  }

  /** Hands the runtime the next blocks to send, up to the upload window. */
  private pump(link: Link<Address>): void {
    while (link.sending.length < this.config.uploadWindow && link.queued.length > 0 && !link.amChoking) {
      const ref = link.queued.shift() as BlockRef;
      link.sending.push(ref);
      this.send(link, { kind: 'piece', index: ref.index, begin: ref.begin, length: ref.length });
    }
  }

  // --- asking for blocks ---

  private fillAsks(link: Link<Address>): void {
    if (!link.amInterested || link.peerChoking) return;
    const most = link.snubbed
      ? 1
      : link.requestsInFlight > 0
        ? link.requestsInFlight
        : this.config.requestsPerLink;
    // Topped up a quarter of the pipeline at a time, not a block at a time: the requests then go out
    // together (one write for a runtime that batches a call's messages) instead of one per block that
    // came. A pipeline of 1 to 7 is still topped up at every block.
    if (link.asked.length > most - Math.max(1, Math.floor(most / 4))) return;
    while (link.asked.length < most) {
      const block = this.pickBlock(link);
      if (block < 0) return;
      if (link.asked.length === 0) link.lastDataAt = this.now;
      link.asked.push(block);
      this.table.setAsking(link.id, true);
      this.ledger.ask(block);
      const index = this.geometry.pieceOf(block);
      const begin = this.geometry.beginOf(block);
      this.send(link, { kind: 'request', index, begin, length: this.geometry.blockLength(block) });
    }
  }

  /** The next block to ask of this neighbour: a started piece first, then the picker's, then end game. */
  private pickBlock(link: Link<Address>): number {
    const started = this.ledger.started;
    for (let i = 0; i < started.length; i++) {
      const index = started[i] as number;
      if ((this.ledger.open[index] as number) === 0 || this.have.has(index)) {
        started[i] = started[started.length - 1] as number;
        started.pop();
        i--;
        continue;
      }
      if (this.table.has(link.id, index)) return this.ledger.firstOpen(index);
    }
    const context = this.pickContext;
    context.remoteFrom = this.table.remoteFrom(link.id);
    const index = this.config.picker(context);
    if (index >= 0) return this.ledger.firstOpen(index);
    if (!this.config.endgame || this.ledger.openTotal !== 0) return -1;
    const piece = endgamePick(context, (p) => this.endgameBlock(link, p) >= 0);
    return piece < 0 ? -1 : this.endgameBlock(link, piece);
  }

  /** A block of the piece that is not in, asked of fewer than two neighbours, and not of this one. */
  private endgameBlock(link: Link<Address>, index: number): number {
    const first = index * this.geometry.blocksPerPiece;
    const end = first + this.geometry.blocksIn(index);
    for (let block = first; block < end; block++) {
      if (this.ledger.received[block] === 1 || (this.ledger.asked[block] as number) >= ENDGAME_MAX_ASKS)
        continue;
      if (!link.asked.includes(block)) return block;
    }
    return -1;
  }

  /** A block came from one neighbour: the others asked for it in end game are told to forget it. */
  private cancelElsewhere(block: number, from: Link<Address>): void {
    const index = this.geometry.pieceOf(block);
    const begin = this.geometry.beginOf(block);
    const length = this.geometry.blockLength(block);
    for (const link of this.links) {
      if (link === from) continue;
      const at = link.asked.indexOf(block);
      if (at < 0) continue;
      link.asked.splice(at, 1);
      this.table.setAsking(link.id, link.asked.length > 0);
      this.ledger.unask(block, true);
      this.send(link, { kind: 'cancel', index, begin, length });
    }
  }

  /** Asks of this link are void (a choke without BEP 6, or it closed): ask others for those blocks. */
  private dropAsks(link: Link<Address>): void {
    if (link.asked.length === 0) return;
    for (const block of link.asked.splice(0)) {
      this.ledger.unask(block, this.have.has(this.geometry.pieceOf(block)));
    }
    this.table.setAsking(link.id, false);
    this.refillServing();
  }

  /** Asks that timed out: cancelled here (a late block is dropped) and asked of others. */
  private withdrawAsks(link: Link<Address>): void {
    this.table.setAsking(link.id, false);
    for (const block of link.asked.splice(0)) {
      const index = this.geometry.pieceOf(block);
      this.ledger.unask(block, this.have.has(index));
      const begin = this.geometry.beginOf(block);
      this.send(link, { kind: 'cancel', index, begin, length: this.geometry.blockLength(block) });
    }
  }

  /** Blocks became askable again: ask every neighbour that serves us. */
  private refillServing(): void {
    for (const link of this.links) if (link.amInterested && !link.peerChoking) this.fillAsks(link);
  }

  // --- interest ---

  /** We hold `index` now: a neighbour that drew us by it alone no longer does. */
  private loseInterestIn(index: number): void {
    const table = this.table;
    const have = this.have.words;
    const ids = this.linkIds;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] as number;
      if (!table.isInterested(id) || !table.has(id, index) || table.offersAny(id, have)) continue;
      this.setInterest(this.byId[id] as Link<Address>, false);
    }
  }

  private setInterest(link: Link<Address>, interested: boolean): void {
    if (interested === link.amInterested) return;
    link.amInterested = interested;
    this.updateServed(link);
    this.send(link, { kind: interested ? 'interested' : 'not-interested' });
  }

  private updateServed(link: Link<Address>): void {
    const served = link.amInterested && !link.peerChoking;
    this.table.setInterest(link.id, link.amInterested, served);
    this.view?.wantHaves(link.id, served || !link.amInterested);
  }

  // --- bookkeeping ---

  private send(link: Link<Address>, message: PeerMessage): void {
    this.table.lastSentAt[link.id] = this.now;
    this.out.send(link.id, message);
  }

  private protocolError(link: Link<Address>, detail: string): void {
    this.closeLink(link, { kind: 'protocol', detail });
  }

  private closeLink(link: Link<Address>, reason: CloseReason): void {
    if (this.byId[link.id] !== link) return;
    this.forget(link);
    this.out.close(link.id, reason);
  }

  /** Drops every trace of a link: its counts, its asks (asked elsewhere), its slot. */
  private forget(link: Link<Address>): void {
    this.byId[link.id] = undefined;
    this.freeIds.push(link.id);
    const table = this.table;
    const last = this.links.pop() as Link<Address>;
    const lastId = this.linkIds.pop() as number;
    if (last !== link) {
      this.links[link.slot] = last;
      this.linkIds[link.slot] = lastId;
      last.slot = link.slot;
    }
    if (link.address !== undefined) this.linkedAddresses.delete(link.address);
    if (this.view === undefined) {
      table.forEach(link.id, (piece) => {
        if (!this.have.has(piece)) this.availability.decrement(piece);
      });
    }
    table.setState(link.id, FREE);
    table.setInterest(link.id, false, false);
    if (this.optimistic === link) this.optimistic = undefined;
    const wasServed = !link.amChoking;
    if (wasServed) this.unchoked--;
    link.queued.length = 0;
    link.sending.length = 0;
    this.dropAsks(link);
    if (wasServed) this.fillFreeSlots();
    // Alone, a leecher can only wait for someone to find it: ask the tracker for peers now.
    if (this.links.length === 0 && !this.isSeed && !this.stopped && this.started && !this.announcing) {
      this.reannounce();
    }
  }

  private countSent(link: Link<Address>, bytes: number): void {
    link.sentThisRound += bytes;
    link.sentTotal += bytes;
    this.bytesSent += bytes;
  }

  private countReceived(link: Link<Address>, bytes: number): void {
    link.receivedThisRound += bytes;
    this.bytesReceived += bytes;
  }

  private room(): number {
    return this.config.maxConnections - this.links.length - this.dialling.size;
  }

  private leftBytes(): number {
    let left = 0;
    for (let index = 0; index < this.geometry.pieces; index++) {
      if (!this.have.has(index)) left += this.geometry.pieceLength(index);
    }
    return left;
  }

  // --- checks ---

  /**
   * Recomputes every count the peer keeps up to date as it goes, from the state it derives from, and
   * throws on the first that disagrees. Simulation tests run it after every event.
   */
  checkInvariants(): void {
    const fail = (what: string) => {
      throw new Error(`peer ${this.ownKey}: ${what}`);
    };
    const { pieces } = this.geometry;
    const asked = new Uint8Array(this.geometry.blocks);
    let unchoked = 0;
    this.links.forEach((link, slot) => {
      if (link.slot !== slot || this.byId[link.id] !== link || this.linkIds[slot] !== link.id) {
        fail(`link ${link.id} misplaced`);
      }
      const table = this.table;
      const open = table.isOpen(link.id);
      if (open && link.amInterested !== table.offersAny(link.id, this.have.words)) {
        fail(`link ${link.id}: interest flag wrong`);
      }
      if (!table.gotFirst(link.id) && table.countOf(link.id) !== 0) {
        fail(`link ${link.id}: pieces known before its first message`);
      }
      const served = link.amInterested && !link.peerChoking;
      if (table.isServed(link.id) !== served) fail(`link ${link.id}: served flag wrong`);
      if (table.isInterested(link.id) !== link.amInterested) fail(`link ${link.id}: interest bit wrong`);
      if (table.isAsking(link.id) !== link.asked.length > 0) fail(`link ${link.id}: asking bit wrong`);
      if (!link.amChoking) unchoked++;
      for (const block of link.asked) asked[block] = (asked[block] as number) + 1;
      if (new Set(link.asked).size !== link.asked.length) fail(`link ${link.id}: a block asked twice`);
      if (link.sending.length > this.config.uploadWindow) fail(`link ${link.id}: upload window overrun`);
    });
    if (unchoked !== this.unchoked) fail(`unchoked ${this.unchoked}, recount ${unchoked}`);
    let openTotal = 0;
    for (let index = 0; index < pieces; index++) {
      if (this.have.has(index)) {
        if (this.ledger.open[index] !== 0) fail(`piece ${index} held but open`);
        continue;
      }
      const holders = this.links.reduce((n, link) => n + (this.table.has(link.id, index) ? 1 : 0), 0);
      if (this.availability.of(index) !== holders) {
        fail(`piece ${index}: availability ${this.availability.of(index)}, recount ${holders}`);
      }
      let open = 0;
      let received = 0;
      this.ledger.forBlocks(index, (block) => {
        if (this.ledger.asked[block] !== asked[block])
          fail(`block ${block}: asked ${this.ledger.asked[block]}, recount ${asked[block]}`);
        if (this.ledger.received[block] === 1) received++;
        else if (asked[block] === 0) open++;
      });
      if (open !== this.ledger.open[index])
        fail(`piece ${index}: open ${this.ledger.open[index]}, recount ${open}`);
      if (received !== this.ledger.receivedInPiece[index]) fail(`piece ${index}: received count wrong`);
      openTotal += open;
    }
    if (openTotal !== this.ledger.openTotal)
      fail(`open blocks ${this.ledger.openTotal}, recount ${openTotal}`);
  }
}

function indexOfBlock(list: readonly BlockRef[], index: number, begin: number): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as BlockRef;
    if (item.index === index && item.begin === begin) return i;
  }
  return -1;
}

function indexOfRef(list: readonly BlockRef[], ref: BlockRef): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as BlockRef;
    if (item.index === ref.index && item.begin === ref.begin && item.length === ref.length) return i;
  }
  return -1;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytes as lowercase hex: a peer id as a key. */
export function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** An address as a key of the ban list (which also holds peer ids). */
function addressKey(address: unknown): string {
  return `@${String(address)}`;
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
