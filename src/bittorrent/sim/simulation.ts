// The swarm simulator: BitTorrent cores (core/peer.ts, the same code a network runtime drives) on a
// virtual clock, over a flow-level network. It is their runtime: it carries each message after the
// scenario's latency, in order per connection; moves each requested block (here a whole piece) as a
// flow sharing its peers' capacities (flows.ts); answers announces with the tracker's logic; checks
// hashes; and wakes each peer when it asked to be woken. Deterministic for a seed.

import { doubled } from '../../util/arrays.ts';
import { EventQueue } from '../../util/event-queue.ts';
import { Rng } from '../../util/rng.ts';
import { TorrentGeometry } from '../core/geometry.ts';
import type { LinkId } from '../core/ids.ts';
import type { BlockRef, PeerMessage } from '../core/messages.ts';
import type { AnnounceRequest, CloseReason, PeerEvent, PeerOutbox } from '../core/outbox.ts';
import { BtPeer, DEFAULT_TIMERS, type PeerConfig } from '../core/peer.ts';
import { BtTracker } from '../core/tracker.ts';
import { sample } from '../scenario/distributions.ts';
import type { SwarmScenario } from '../scenario/scenario.ts';
import { AnnouncedViews } from './announced-views.ts';
import { ConnectionTable, FAN_END, FAN_ROW, FAN_TO_LINK, FAN_TO_OPEN, FAN_TO_PEER } from './connections.ts';
import { ANNOUNCE_TIMEOUT_S, CONNECT_TIMEOUT_S, extraLatency, type Faults, inWindow } from './faults.ts';
import { FlowNetwork } from './flows.ts';
import { type PeerPlan, planPeers, strategiesFor } from './plan.ts';
import type { PeerRecord, StopReason, SwarmProgress, SwarmRun, SwarmSeries } from './run-types.ts';

export interface SwarmRunOptions {
  readonly seed: number;
  /** Called at every time-series sample. */
  readonly onProgress?: (progress: SwarmProgress) => void;
  /** A run that needs more events than this stops as stalled. */
  readonly maxEvents?: number;
  /** Faults to inject (simulation tests). */
  readonly faults?: Faults;
  /** Called after every event with the peers it touched (simulation tests check their invariants). */
  readonly afterEvent?: (touched: readonly BtPeer<number>[]) => void;
  /**
   * Whether each peer's announced pieces are kept once for all its neighbours (sim/announced-views.ts)
   * where the latency allows it; true unless false. Tests turn it off to compare: the run is the same.
   */
  readonly views?: boolean;
}

// Event kinds. Messages carry (end sent from, its generation, piece index or payload slot).
const ARRIVE = 1;
const TIMER = 2;
const TRACKER_REPLY = 3;
const ANNOUNCE_FAILED = 4;
const CONNECT = 5;
const CONNECT_FAILED = 6;
const CLOSED = 7;
const FLOW_END = 8;
const LEAVE = 9;
const VANISH = 10;
const SAMPLE = 11;
const STOP = 12;
const HAVE_BATCH = 13;
const MESSAGE = 32;

/** Message codes, MESSAGE + code as the event kind: the simulator passes messages as numbers. */
const CODES = [
  'keep-alive',
  'choke',
  'unchoke',
  'interested',
  'not-interested',
  'have',
  'request',
  'piece',
  'cancel',
  'reject',
  'have-all',
  'have-none',
  'handshake',
  'bitfield',
  'suggest',
  'allowed-fast',
  'port',
] as const;
const CODE_OF = new Map<string, number>(CODES.map((kind, code) => [kind, code]));
/** Messages whose content travels beside the event, as an object. */
const HANDSHAKE_CODE = CODE_OF.get('handshake') as number;
const BITFIELD_CODE = CODE_OF.get('bitfield') as number;
const PIECE_CODE = CODE_OF.get('piece') as number;
/** The messages one of which comes first on a link: what the other end has. */
const FIRST_CODES = new Set(['bitfield', 'have-all', 'have-none'].map((kind) => CODE_OF.get(kind)));

/** With no bytes moving, nobody left to arrive and no piece completed for this long, the swarm is stuck. */
const STALL_AFTER_S = 600;

export function simulateSwarm(scenario: SwarmScenario, options: SwarmRunOptions): SwarmRun {
  return new SwarmSimulation(scenario, options).run();
}

/**
 * BitTorrent keeps `requestsInFlight` blocks asked of each neighbour; blocks here are whole pieces, so
 * that is this many pieces (at least one) per connection.
 */
function piecesInFlight(scenario: SwarmScenario): number {
  const { blockBytes, pieceBytes } = scenario.file;
  return Math.max(1, Math.ceil((scenario.strategy.requestsInFlight * blockBytes) / pieceBytes));
}

/** A peer's network interface: the outbox its core writes to, as calls on the simulator. */
class PeerPort implements PeerOutbox<number> {
  constructor(
    private readonly sim: SwarmSimulation,
    private readonly peer: number,
  ) {}
  send(link: LinkId, message: PeerMessage): void {
    this.sim.send(this.peer, link, message);
  }
  broadcast(message: PeerMessage): void {
    this.sim.broadcast(this.peer, message);
  }
  close(link: LinkId, _reason: CloseReason): void {
    this.sim.close(this.peer, link);
  }
  connect(address: number): void {
    this.sim.dial(this.peer, address);
  }
  announce(request: AnnounceRequest): void {
    this.sim.announce(this.peer, request);
  }
  verify(index: number): void {
    this.sim.verify(this.peer, index);
  }
  withdraw(link: LinkId, block: BlockRef): boolean {
    return this.sim.withdraw(this.peer, link, block);
  }
  event(event: PeerEvent): void {
    this.sim.peerEvent(this.peer, event);
  }
}

class SwarmSimulation {
  private readonly queue = new EventQueue();
  private readonly rng: Rng;
  private readonly plans: PeerPlan[];
  private readonly geometry: TorrentGeometry;
  private readonly peers: (BtPeer<number> | undefined)[];
  private readonly ports: PeerPort[];
  private readonly online: Uint8Array;
  private readonly completedAt: Float64Array;
  private readonly leftAt: Float64Array;
  /** Per peer: when its timer event is scheduled (Infinity: none). */
  private readonly timerAt: Float64Array;
  private readonly corrupt: Uint8Array;
  /** Peers that vanished (as opposed to leaving): dialling them times out. */
  private readonly vanished: Uint8Array;
  /** Copies of each piece among the peers present. */
  private readonly holders: Int32Array;
  private readonly flows: FlowNetwork;
  /** Per flow: the end it is sent from. */
  private flowEnd = new Int32Array(256);
  private readonly connections: ConnectionTable;
  private readonly tracker: BtTracker;
  private readonly latencyFixed: number | null;
  private readonly series: SwarmSeries = {
    timeS: [],
    leechers: [],
    seeds: [],
    meanPieces: [],
    minAvailability: [],
    uploadBps: [],
    pieceCopies: [],
  };
  /** Payloads of messages under way that do not fit in numbers (handshakes, bitfields). */
  private readonly payloads: (PeerMessage | undefined)[] = [];
  private readonly freePayloads: number[] = [];
  /** Hash checks asked for during the current event, answered after it. */
  private readonly verifications: number[] = [];
  /** Messages a peer sent on a link the simulator has not mapped yet (its handshake, from openLink). */
  private readonly unmapped: [number, LinkId, PeerMessage][] = [];
  /** The uploader of the piece being delivered: its data fails the check if it corrupts. */
  private deliveringCorrupt = false;
  private readonly touched: BtPeer<number>[] = [];
  private now = 0;
  private deliveredBytes = 0;
  private completions = 0;
  private leecherCompletions = 0;
  /** Contributors present or done: the run is all done when they have all completed. */
  private mustComplete: number;
  private leechers: number;
  private arrivalsLeft: number;
  private lastProgressS = 0;
  private stopReason: StopReason | undefined;
  private readonly scratch = scratchMessages();
  /** Every peer's hot state side by side (PeerConfig.storage): each peer writes its own words only. */
  private readonly arena: Uint32Array;
  private readonly hotWords: number;
  /** What each peer has announced, kept once for all its neighbours (with a fixed latency only). */
  private readonly views: AnnouncedViews | undefined;
  /** The scenario's piece picker and choker, shared by every peer (both are stateless). */
  private readonly strategies: ReturnType<typeof strategiesFor>;

  constructor(
    private readonly scenario: SwarmScenario,
    private readonly options: SwarmRunOptions,
  ) {
    this.rng = new Rng(options.seed, 0x5157);
    const { pieceBytes, sizeBytes } = scenario.file;
    this.geometry = new TorrentGeometry(sizeBytes, pieceBytes, pieceBytes);
    this.plans = planPeers(scenario, this.rng);
    const n = this.plans.length;
    this.peers = new Array(n).fill(undefined);
    this.ports = Array.from({ length: n }, (_, id) => new PeerPort(this, id));
    this.online = new Uint8Array(n);
    this.completedAt = new Float64Array(n).fill(Number.NaN);
    this.leftAt = new Float64Array(n).fill(Number.NaN);
    this.timerAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.corrupt = new Uint8Array(n);
    this.vanished = new Uint8Array(n);
    for (const peer of options.faults?.corrupt ?? []) if (peer >= 0 && peer < n) this.corrupt[peer] = 1;
    this.holders = new Int32Array(this.geometry.pieces);
    this.strategies = strategiesFor(scenario);
    const latency = scenario.network.latencyS;
    this.latencyFixed =
      latency.kind === 'fixed' && (options.faults?.latencySpikes ?? []).length === 0 ? latency.value : null;
    const maxConnections = scenario.strategy.maxConnections;
    this.views =
      this.latencyFixed !== null && options.views !== false
        ? new AnnouncedViews(n, this.geometry.pieces, maxConnections)
        : undefined;
    this.hotWords = BtPeer.hotWords(this.geometry, maxConnections, this.views !== undefined);
    this.arena = new Uint32Array(n * this.hotWords);
    this.connections = new ConnectionTable(n);
    this.tracker = new BtTracker(scenario.tracker.peersPerRequest);
    this.flows = new FlowNetwork(
      Float64Array.from(this.plans, (plan) => plan.uploadBps),
      Float64Array.from(this.plans, (plan) => plan.downloadBps),
      { reschedule: (uploader, version, endS) => this.queue.push(endS, FLOW_END, uploader, version, 0) },
    );
    this.mustComplete = this.plans.filter((plan) => plan.role === 'leecher' && !plan.freeRider).length;
    this.leechers = this.plans.filter((plan) => plan.role === 'leecher').length;
    this.arrivalsLeft = n;
  }

  run(): SwarmRun {
    const started = performance.now();
    for (const plan of this.plans) this.queue.push(plan.arrivalS, ARRIVE, plan.id, 0, 0);
    if (this.scenario.seeds.leaveAtS !== null) {
      for (const plan of this.plans) {
        if (plan.role === 'seed') this.queue.push(this.scenario.seeds.leaveAtS, LEAVE, plan.id, 0, 0);
      }
    }
    for (const { peer, atS } of this.options.faults?.vanish ?? []) this.queue.push(atS, VANISH, peer, 0, 0);
    this.queue.push(0, SAMPLE, 0, 0, 0);
    if (this.scenario.stop.atS !== null) this.queue.push(this.scenario.stop.atS, STOP, 0, 0, 0);
    const maxEvents = this.options.maxEvents ?? Number.MAX_SAFE_INTEGER;
    const afterEvent = this.options.afterEvent;
    let events = 0;
    // Once stopped, the events of the same instant still run (a peer that leaves on completing does).
    while ((this.stopReason === undefined || this.queue.peekTime() === this.now) && this.queue.pop()) {
      if (++events > maxEvents) {
        this.stopReason = 'stalled';
        break;
      }
      this.now = this.queue.time;
      this.dispatch(this.queue.kind, this.queue.a, this.queue.b, this.queue.c);
      if (afterEvent !== undefined) {
        afterEvent(this.touched);
        this.touched.length = 0;
      }
    }
    // The run's last moment is in the series once, however it ended.
    if (this.series.timeS.at(-1) !== this.now) this.sampleSeries();
    return {
      scenario: this.scenario,
      seed: this.options.seed,
      pieces: this.geometry.pieces,
      peers: this.records(),
      series: this.series,
      endedAtS: this.now,
      stopReason: this.stopReason ?? 'stalled',
      events,
      wallMs: performance.now() - started,
    };
  }

  private dispatch(kind: number, a: number, b: number, c: number): void {
    if (kind >= MESSAGE) {
      this.deliver(kind - MESSAGE, a, b, c);
      return;
    }
    switch (kind) {
      case ARRIVE: {
        this.arrive(a);
        return;
      }
      case TIMER: {
        this.wake(a);
        return;
      }
      case TRACKER_REPLY: {
        this.trackerReply(a, b);
        return;
      }
      case ANNOUNCE_FAILED: {
        this.call(a, (peer) => peer.handleAnnounceFailure(this.now));
        return;
      }
      case CONNECT: {
        this.connectNow(a, b);
        return;
      }
      case CONNECT_FAILED: {
        this.call(a, (peer) => peer.handleConnectFailure(b, this.now));
        return;
      }
      case CLOSED: {
        this.closedNow(a, b);
        return;
      }
      case FLOW_END: {
        this.endFlow(a, b);
        return;
      }
      case LEAVE: {
        this.leave(a);
        return;
      }
      case VANISH: {
        this.vanish(a);
        return;
      }
      case HAVE_BATCH: {
        this.deliverHaves(a, b, c);
        return;
      }
      case SAMPLE: {
        this.sample();
        return;
      }
      case STOP:
        this.stopReason = 'time';
        return;
    }
  }

  // --- calling a peer, and what follows every call ---

  /** Calls a peer that is present, then answers its hash checks and honours its next deadline. */
  private call(id: number, act: (peer: BtPeer<number>) => void): void {
    const peer = this.peerIfOnline(id);
    if (peer === undefined) return;
    act(peer);
    this.settle(id, peer);
  }

  private settle(id: number, peer: BtPeer<number>): void {
    while (this.verifications.length > 0) {
      const corrupt = this.verifications.pop() as number;
      const index = this.verifications.pop() as number;
      peer.handlePieceVerified(index, corrupt === 0, this.now);
    }
    if (this.online[id] === 1) {
      const deadline = peer.pollTimeout();
      if (deadline < (this.timerAt[id] as number)) {
        this.timerAt[id] = deadline;
        this.queue.push(deadline, TIMER, id, 0, 0);
      }
    }
    if (this.options.afterEvent !== undefined) this.touched.push(peer);
  }

  private wake(id: number): void {
    if (this.timerAt[id] !== this.now) return;
    this.timerAt[id] = Number.POSITIVE_INFINITY;
    if (this.online[id] !== 1) return;
    // A runtime reads its sockets before its timers: the bytes of transfers under way count in the round
    // that may end now (BitTorrent counts blocks as they come), at both ends of each transfer.
    const flows = this.flows;
    for (const flow of flows.downloadsOf(id)) this.reportProgress(flow);
    for (const flow of flows.uploadsOf(id)) this.reportProgress(flow);
    this.call(id, (peer) => peer.handleTimeout(this.now));
  }

  private reportProgress(flow: number): void {
    const bytes = this.flows.takeProgress(flow, this.now);
    if (bytes === 0) return;
    const end = this.flowEnd[flow] as number;
    const ref = this.blockRef(this.flows.pieceOf(flow));
    const table = this.connections;
    const from = table.peerOf(end);
    const to = table.peerOf(end ^ 1);
    (this.peers[from] as BtPeer<number>).handleProgress(table.linkOf(end), 'out', ref, bytes, this.now);
    (this.peers[to] as BtPeer<number>).handleProgress(table.linkOf(end ^ 1), 'in', ref, bytes, this.now);
  }

  // --- arrivals and departures ---

  private arrive(id: number): void {
    const plan = this.plans[id] as PeerPlan;
    const peer = new BtPeer<number>(
      this.peerConfig(plan),
      this.ports[id] as PeerPort,
      new Rng(this.options.seed, id + 1),
      this.views?.arrive(id, plan.role === 'seed'),
    );
    this.peers[id] = peer;
    this.online[id] = 1;
    this.arrivalsLeft--;
    if (plan.role === 'seed')
      this.holders.forEach((copies, p) => {
        this.holders[p] = copies + 1;
      });
    this.call(id, (p) => p.start(this.now));
  }

  /** A peer leaves as peers do: it closes its connections and tells the tracker. */
  private leave(id: number): void {
    const peer = this.peerIfOnline(id);
    if (peer === undefined) return;
    peer.stop(this.now);
    this.goOffline(id, peer);
  }

  /** A peer vanishes without a word: its neighbours find out by their own time-outs. */
  private vanish(id: number): void {
    const peer = this.peerIfOnline(id);
    if (peer === undefined) return;
    this.vanished[id] = 1;
    this.goOffline(id, peer);
    // Gone unfinished, it no longer counts among those the run waits for.
    const plan = this.plans[id] as PeerPlan;
    if (plan.role === 'leecher' && Number.isNaN(this.completedAt[id])) {
      this.leechers--;
      if (!plan.freeRider) this.mustComplete--;
      this.checkAllDone();
    }
  }

  private goOffline(id: number, peer: BtPeer<number>): void {
    this.online[id] = 0;
    this.leftAt[id] = this.now;
    for (const flow of this.flows.flowsOf(id)) this.flows.end(flow, this.now);
    peer.have.forEach((piece) => {
      this.holders[piece] = (this.holders[piece] as number) - 1;
    });
  }

  // --- the tracker ---

  announce(id: number, request: AnnounceRequest): void {
    if (inWindow(this.options.faults?.trackerOutages, this.now)) {
      if (request.event !== 'stopped')
        this.queue.push(this.now + ANNOUNCE_TIMEOUT_S, ANNOUNCE_FAILED, id, 0, 0);
      return;
    }
    if (request.event === 'stopped') {
      this.tracker.leave(id);
      return;
    }
    this.tracker.join(id);
    this.queue.push(this.now + 2 * this.latency(), TRACKER_REPLY, id, request.numwant, 0);
  }

  private trackerReply(id: number, numwant: number): void {
    const peers = numwant > 0 ? this.tracker.announce(id, this.rng) : [];
    this.call(id, (peer) => peer.handlePeers(peers.slice(0, numwant), this.now));
  }

  // --- connections ---

  dial(from: number, to: number): void {
    this.queue.push(this.now + this.latency(), CONNECT, from, to, 0);
  }

  /** The dial reaches `to`: both ends open at once (the handshakes then cross). */
  private connectNow(from: number, to: number): void {
    const dialler = this.peerIfOnline(from);
    if (dialler === undefined) return;
    const dialled = this.peerIfOnline(to);
    if (dialled === undefined) {
      // A peer that left refuses at once; one that vanished lets the dial time out.
      const delay = this.vanished[to] === 1 ? CONNECT_TIMEOUT_S : this.latency();
      this.queue.push(this.now + delay, CONNECT_FAILED, from, to, 0);
      return;
    }
    if (!dialled.canAccept(from)) {
      this.queue.push(this.now + this.latency(), CONNECT_FAILED, from, to, 0);
      return;
    }
    const connection = this.connections.open(from, to);
    const inbound = dialled.openLink(this.now, from, false);
    if (inbound === undefined) {
      this.refuse(connection, from, to);
      return;
    }
    this.map(2 * connection + 1, to, inbound);
    const outbound = dialler.openLink(this.now, to, true);
    if (outbound === undefined) {
      // It linked to `to` meanwhile (both dialled each other): this connection is dropped at both ends.
      this.dropConnection(connection);
      this.call(to, (peer) => peer.handleClosed(inbound, this.now));
      return;
    }
    this.map(2 * connection, from, outbound);
    this.settle(to, dialled);
    this.settle(from, dialler);
  }

  private refuse(connection: number, from: number, to: number): void {
    this.dropConnection(connection);
    this.queue.push(this.now + this.latency(), CONNECT_FAILED, from, to, 0);
  }

  /** Closes both ends of a connection that never carried anything. */
  private dropConnection(connection: number): void {
    this.connections.close(2 * connection);
    this.connections.close(2 * connection + 1);
  }

  /** Records which end a new link is, and sends what its peer said on it before the simulator knew. */
  private map(end: number, peer: number, link: LinkId): void {
    this.connections.attach(end, link);
    const pending = this.unmapped.splice(0);
    for (const [from, onLink, message] of pending) {
      if (from === peer && onLink === link) this.send(from, onLink, message);
      else this.unmapped.push([from, onLink, message]);
    }
  }

  close(peer: number, link: LinkId): void {
    const end = this.connections.endOf(peer, link);
    if (end < 0) return;
    this.cutFlows(end);
    const generation = this.connections.generationOf(end);
    this.unview(end);
    this.connections.close(end);
    const other = end ^ 1;
    if (!this.connections.isOpen(other)) return;
    if (this.online[this.connections.peerOf(other)] !== 1) this.connections.close(other);
    else this.queue.push(this.arrival(end), CLOSED, other, generation, 0);
  }

  /** The other end closed (its FIN or RST has come). */
  private closedNow(end: number, generation: number): void {
    if (!this.connections.isCurrent(end, generation)) return;
    const peer = this.connections.peerOf(end);
    const link = this.connections.linkOf(end);
    this.unview(end);
    this.connections.close(end);
    this.call(peer, (p) => p.handleClosed(link, this.now));
  }

  /** An end that knew the other's pieces through the views closes: they no longer count for its peer. */
  private unview(end: number): void {
    if (this.views === undefined || !this.connections.firstCame(end)) return;
    this.views.unlink(this.connections.peerOf(end), this.connections.peerOf(end ^ 1));
  }

  /** A closed connection carries nothing more, either way. */
  private cutFlows(end: number): void {
    const from = this.connections.peerOf(end);
    const to = this.connections.peerOf(end ^ 1);
    for (const flow of [this.flows.between(from, to), this.flows.between(to, from)]) {
      if (flow >= 0) this.flows.end(flow, this.now);
    }
  }

  // --- messages ---

  send(from: number, link: LinkId, message: PeerMessage): void {
    const end = this.connections.endOf(from, link);
    if (end < 0) {
      this.unmapped.push([from, link, message]);
      return;
    }
    switch (message.kind) {
      case 'piece':
        this.transmit(end, message);
        return;
      case 'handshake':
        this.post(end, HANDSHAKE_CODE, this.storePayload(message));
        return;
      case 'bitfield':
        this.connections.markFirstSent(end);
        this.post(end, BITFIELD_CODE, this.storePayload(message));
        return;
      case 'have-all':
      case 'have-none':
        this.connections.markFirstSent(end);
        this.post(end, CODE_OF.get(message.kind) as number, 0);
        return;
      case 'have':
      case 'suggest':
      case 'allowed-fast':
        this.post(end, CODE_OF.get(message.kind) as number, message.index);
        return;
      case 'request':
      case 'cancel':
      case 'reject':
        if (message.begin !== 0) throw new Error('the simulator asks for whole pieces');
        this.post(end, CODE_OF.get(message.kind) as number, message.index);
        return;
      case 'port':
        this.post(end, CODE_OF.get(message.kind) as number, message.port);
        return;
      default:
        this.post(end, CODE_OF.get(message.kind) as number, 0);
        return;
    }
  }

  /** Schedules a message from `end` to the other end, after the latency and in order. */
  private post(end: number, code: number, value: number): void {
    const generation = this.connections.generationOf(end);
    const kind = MESSAGE + code;
    if (this.latencyFixed !== null)
      this.queue.pushInOrder(this.now + this.latencyFixed, kind, end, generation, value);
    else this.queue.push(this.arrival(end), kind, end, generation, value);
  }

  /**
   * A message to every end of `from` past its first message (a have). With a fixed latency they all
   * arrive in one instant, so one event carries it to all, read against the ends then open.
   */
  broadcast(from: number, message: PeerMessage): void {
    const sequence = this.connections.broadcastNow();
    if (message.kind === 'have' && this.latencyFixed !== null) {
      this.queue.pushInOrder(this.now + this.latencyFixed, HAVE_BATCH, from, sequence, message.index);
      return;
    }
    const table = this.connections;
    const count = table.snapshot(from);
    const rows = table.rows;
    for (let row = 0; row < count * FAN_ROW; row += FAN_ROW) {
      if (!ConnectionTable.carries(rows, row, sequence)) continue;
      this.send(from, table.linkOf(rows[row + FAN_END] as number), message);
    }
  }

  /** A have `from` broadcast at `sequence`, arriving at every neighbour whose link had its first message. */
  private deliverHaves(from: number, sequence: number, piece: number): void {
    if (this.views !== undefined) {
      this.deliverHavesToViews(this.views, from, sequence, piece);
      return;
    }
    const have = this.scratch.have;
    have.index = piece;
    const table = this.connections;
    const count = table.snapshot(from);
    const rows = table.rows;
    for (let row = 0; row < count * FAN_ROW; row += FAN_ROW) {
      if (!ConnectionTable.carries(rows, row, sequence) || rows[row + FAN_TO_OPEN] === 0) continue;
      const id = rows[row + FAN_TO_PEER] as number;
      const peer = this.peerIfOnline(id);
      if (peer === undefined) continue;
      peer.handle(rows[row + FAN_TO_LINK] as LinkId, have, this.now);
      this.settle(id, peer);
    }
  }

  /**
   * The same through the views: each neighbour's count goes up here, and only a neighbour whose interest
   * or asks may change (AnnouncedView.wantHaves), or a seed hearing of another, is called.
   */
  private deliverHavesToViews(views: AnnouncedViews, from: number, sequence: number, piece: number): void {
    const becameSeed = views.heardHave(from, piece);
    const table = this.connections;
    const count = table.snapshot(from);
    const rows = table.rows;
    const checked = this.options.afterEvent !== undefined;
    for (let row = 0; row < count * FAN_ROW; row += FAN_ROW) {
      if (!ConnectionTable.carries(rows, row, sequence) || rows[row + FAN_TO_OPEN] === 0) continue;
      const id = rows[row + FAN_TO_PEER] as number;
      if (this.online[id] !== 1) continue;
      views.count(id, piece);
      const link = rows[row + FAN_TO_LINK] as LinkId;
      const call = becameSeed
        ? views.lacks(id, piece)
          ? views.wantsHaves(id, link)
          : (this.peers[id] as BtPeer<number>).isSeed
        : views.wantsHaves(id, link) && views.lacks(id, piece);
      if (call) {
        const peer = this.peers[id] as BtPeer<number>;
        const have = this.scratch.have;
        have.index = piece;
        peer.handle(link, have, this.now);
        this.settle(id, peer);
      } else if (checked) this.touched.push(this.peers[id] as BtPeer<number>);
    }
  }

  private deliver(code: number, fromEnd: number, generation: number, value: number): void {
    const to = fromEnd ^ 1;
    const payload = code === HANDSHAKE_CODE || code === BITFIELD_CODE ? this.takePayload(value) : undefined;
    if (!this.connections.isCurrent(to, generation)) return;
    const id = this.connections.peerOf(to);
    const peer = this.peerIfOnline(id);
    if (peer === undefined) return;
    if (this.views !== undefined && FIRST_CODES.has(code)) {
      this.connections.markFirstCame(to);
      this.views.link(id, this.connections.peerOf(fromEnd));
    }
    const message = payload ?? this.messageOf(code, value);
    peer.handle(this.connections.linkOf(to), message, this.now);
    this.settle(id, peer);
  }

  private messageOf(code: number, value: number): PeerMessage {
    const s = this.scratch;
    const kind = CODES[code] as (typeof CODES)[number];
    switch (kind) {
      case 'have':
      case 'suggest':
      case 'allowed-fast': {
        const message = s.indexed[kind];
        message.index = value;
        return message;
      }
      case 'request':
      case 'cancel':
      case 'reject':
      case 'piece': {
        const message = s.blocks[kind];
        message.index = value;
        message.begin = 0;
        message.length = this.geometry.pieceLength(value);
        return message;
      }
      case 'port':
        s.port.port = value;
        return s.port;
      default:
        return s.bare[kind as keyof typeof s.bare];
    }
  }

  private storePayload(message: PeerMessage): number {
    const slot = this.freePayloads.pop() ?? this.payloads.length;
    this.payloads[slot] = message;
    return slot;
  }

  private takePayload(slot: number): PeerMessage {
    const message = this.payloads[slot] as PeerMessage;
    this.payloads[slot] = undefined;
    this.freePayloads.push(slot);
    return message;
  }

  // --- data ---

  /** A block handed over to send: it moves as a flow; one at a time per connection and way. */
  private transmit(end: number, block: BlockRef): void {
    // The other end has closed (its close is on its way here), or vanished: the data goes nowhere, and
    // the block is never reported sent.
    const from = this.connections.peerOf(end);
    const to = this.connections.peerOf(end ^ 1);
    if (!this.connections.isOpen(end ^ 1) || this.online[to] !== 1) return;
    if (block.begin !== 0 || this.flows.between(from, to) >= 0) {
      throw new Error('the simulator moves one whole piece at a time per connection');
    }
    const flow = this.flows.start(from, to, block.index, block.length, this.now);
    if (flow >= this.flowEnd.length) this.flowEnd = doubled(this.flowEnd);
    this.flowEnd[flow] = end;
  }

  withdraw(peer: number, link: LinkId, block: BlockRef): boolean {
    const end = this.connections.endOf(peer, link);
    if (end < 0) return true;
    const flow = this.flows.between(peer, this.connections.peerOf(end ^ 1));
    // What has not been sent of the piece under way is not sent: a piece here stands for many blocks.
    if (flow >= 0 && this.flows.pieceOf(flow) === block.index) this.flows.end(flow, this.now);
    return true;
  }

  private endFlow(uploader: number, version: number): void {
    const flow = this.flows.due(uploader, version);
    if (flow < 0) return;
    const end = this.flowEnd[flow] as number;
    const piece = this.flows.pieceOf(flow);
    this.flows.end(flow, this.now);
    const from = this.connections.peerOf(end);
    const to = this.connections.peerOf(end ^ 1);
    const fromLink = this.connections.linkOf(end);
    const toLink = this.connections.linkOf(end ^ 1);
    this.call(from, (peer) => peer.handleBlockSent(fromLink, piece, 0, this.now));
    if (!this.connections.isOpen(end ^ 1)) return;
    this.deliveringCorrupt = this.corrupt[from] === 1;
    this.call(to, (peer) => peer.handle(toLink, this.messageOf(PIECE_CODE, piece), this.now));
    this.deliveringCorrupt = false;
  }

  verify(_peer: number, index: number): void {
    this.verifications.push(index, this.deliveringCorrupt ? 1 : 0);
  }

  peerEvent(id: number, event: PeerEvent): void {
    switch (event.kind) {
      case 'piece-completed':
        this.views?.hold(id, event.index);
        this.holders[event.index] = (this.holders[event.index] as number) + 1;
        this.deliveredBytes += this.geometry.pieceLength(event.index);
        this.lastProgressS = this.now;
        return;
      case 'completed': {
        this.completed(id);
        return;
      }
      default:
        return;
    }
  }

  private completed(id: number): void {
    this.completedAt[id] = this.now;
    const plan = this.plans[id] as PeerPlan;
    if (plan.role === 'leecher') {
      if (!plan.freeRider) this.completions++;
      this.leecherCompletions++;
    }
    this.checkAllDone();
    const after = plan.afterDone;
    if (after.kind === 'leave') this.queue.push(this.now, LEAVE, id, 0, 0);
    else if (after.kind === 'stay') this.queue.push(this.now + after.forS, LEAVE, id, 0, 0);
  }

  /** Contributors all done (the scenario's rule), or every leecher done: nothing is left to watch. */
  private checkAllDone(): void {
    // With no contributors (only free riders), all-done means every leecher done.
    const contributorsDone =
      this.mustComplete > 0 && this.completions === this.mustComplete && this.scenario.stop.whenAllDone;
    if (contributorsDone || this.leecherCompletions === this.leechers) this.stopReason = 'all-done';
  }

  // --- samples ---

  private sample(): void {
    this.sampleSeries();
    this.options.onProgress?.({
      timeS: this.now,
      completed: this.completions,
      total: this.mustComplete,
      deliveredBytes: this.deliveredBytes,
      wantedBytes: this.leechers * this.scenario.file.sizeBytes,
    });
    const idle = this.flows.totalRate === 0 && this.arrivalsLeft === 0;
    if (idle && this.now - this.lastProgressS >= this.stallAfterS()) {
      this.stopReason = 'stalled';
      return;
    }
    this.queue.push(this.now + this.scenario.sampleEveryS, SAMPLE, 0, 0, 0);
  }

  /** Ten minutes without progress, or longer where messages themselves take minutes. */
  private stallAfterS(): number {
    const latency = this.scenario.network.latencyS;
    const typical = latency.kind === 'fixed' ? latency.value : 0;
    return Math.max(STALL_AFTER_S, 20 * typical);
  }

  private sampleSeries(): void {
    let leechers = 0;
    let seeds = 0;
    let pieces = 0;
    for (let id = 0; id < this.peers.length; id++) {
      const peer = this.peers[id];
      if (peer === undefined || this.online[id] === 0) continue;
      if (peer.isSeed) seeds++;
      else {
        leechers++;
        pieces += peer.have.count;
      }
    }
    let minAvailability = Number.POSITIVE_INFINITY;
    for (let piece = 0; piece < this.geometry.pieces; piece++) {
      minAvailability = Math.min(minAvailability, this.holders[piece] as number);
    }
    const s = this.series;
    s.timeS.push(this.now);
    s.leechers.push(leechers);
    s.seeds.push(seeds);
    s.meanPieces.push(leechers === 0 ? 0 : pieces / leechers);
    s.minAvailability.push(minAvailability);
    s.uploadBps.push(this.flows.totalRate);
    s.pieceCopies.push(Array.from(this.holders));
  }

  // --- helpers ---

  private peerIfOnline(id: number): BtPeer<number> | undefined {
    return this.online[id] === 1 ? this.peers[id] : undefined;
  }

  private latency(): number {
    return sample(this.scenario.network.latencyS, this.rng) + extraLatency(this.options.faults, this.now);
  }

  /** When a message sent now from `end` arrives: after a drawn latency, and after the one before it. */
  private arrival(end: number): number {
    const last = this.connections.lastArrival;
    const at = Math.max(this.now + (this.latencyFixed ?? this.latency()), last[end] as number);
    last[end] = at;
    return at;
  }

  private blockRef(piece: number): BlockRef {
    return { index: piece, begin: 0, length: this.geometry.pieceLength(piece) };
  }

  private peerConfig(plan: PeerPlan): PeerConfig {
    const { picker, choker } = this.strategies;
    const strategy = this.scenario.strategy;
    return {
      geometry: this.geometry,
      infoHash: INFO_HASH,
      peerId: simPeerId(plan.id),
      picker,
      choker,
      endgame: strategy.endgame,
      requestsPerLink: piecesInFlight(this.scenario),
      // One block (a whole piece) under way per connection and direction, as one TCP stream carries it.
      uploadWindow: 1,
      queuedRequests: 256,
      maxRequestBytes: this.scenario.file.pieceBytes,
      maxConnections: strategy.maxConnections,
      numwant: this.scenario.tracker.peersPerRequest,
      // A peer with no upload capacity unchokes nobody: its transfers would never move.
      freeRider: plan.freeRider || plan.uploadBps === 0,
      held: plan.role === 'seed' ? 'all' : 'none',
      banAfterHashFailures: 3,
      storage: { array: this.arena, base: plan.id * this.hotWords },
      timers: { ...DEFAULT_TIMERS, announceS: this.scenario.tracker.reannounceS },
    };
  }

  private records(): PeerRecord[] {
    return this.plans.map((plan) => {
      const peer = this.peers[plan.id];
      const completed = this.completedAt[plan.id] as number;
      const left = this.leftAt[plan.id] as number;
      return {
        id: plan.id,
        group: plan.group,
        role: plan.role,
        freeRider: plan.freeRider,
        uploadBps: plan.uploadBps,
        downloadBps: plan.downloadBps,
        arrivalS: plan.arrivalS,
        completedS: Number.isNaN(completed) ? null : completed,
        leftS: Number.isNaN(left) ? null : left,
        bytesUp: peer?.bytesSent ?? 0,
        bytesDown: peer?.bytesReceived ?? 0,
      };
    });
  }
}

/** Every simulated peer shares one torrent. */
const INFO_HASH = new Uint8Array(20).fill(0x5a);

/** A simulated peer's 20-byte id: Azureus style, `-SL0100-` and the peer's number. */
function simPeerId(id: number): Uint8Array {
  return new TextEncoder().encode(`-SL0100-${String(id).padStart(12, '0')}`);
}

/** Mutable messages the simulator fills in to deliver (a peer reads a message during its call only). */
function scratchMessages() {
  const block = <K extends 'request' | 'cancel' | 'reject' | 'piece'>(kind: K) => ({
    kind,
    index: 0,
    begin: 0,
    length: 0,
  });
  const have = { kind: 'have' as const, index: 0 };
  return {
    have,
    indexed: {
      have,
      suggest: { kind: 'suggest' as const, index: 0 },
      'allowed-fast': { kind: 'allowed-fast' as const, index: 0 },
    },
    blocks: {
      request: block('request'),
      cancel: block('cancel'),
      reject: block('reject'),
      piece: block('piece'),
    },
    port: { kind: 'port' as const, port: 0 },
    bare: {
      'keep-alive': { kind: 'keep-alive' as const },
      choke: { kind: 'choke' as const },
      unchoke: { kind: 'unchoke' as const },
      interested: { kind: 'interested' as const },
      'not-interested': { kind: 'not-interested' as const },
      'have-all': { kind: 'have-all' as const },
      'have-none': { kind: 'have-none' as const },
      handshake: undefined as unknown as PeerMessage,
      bitfield: undefined as unknown as PeerMessage,
    },
  };
}
