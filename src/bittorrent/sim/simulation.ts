// The swarm simulator: BitTorrent peers (the protocol core's BtPeer) on a virtual clock, over a
// flow-level network. Control messages arrive after the scenario's latency; piece data moves as flows
// sharing each peer's capacities (flows.ts). Deterministic for a seed: one event queue, seeded Rngs.

import { EventQueue } from '../../util/event-queue.ts';
import { Rng } from '../../util/rng.ts';
import { BtPeer, type PeerOptions } from '../core/peer.ts';
import { PeerStore } from '../core/peer-store.ts';
import { BtTracker } from '../core/tracker.ts';
import type { WireOut } from '../core/wire.ts';
import { sample } from '../scenario/distributions.ts';
import type { SwarmScenario } from '../scenario/scenario.ts';
import { FlowNetwork } from './flows.ts';
import { type PeerPlan, planPeers, strategiesFor } from './plan.ts';
import type { PeerRecord, StopReason, SwarmProgress, SwarmRun, SwarmSeries } from './run-types.ts';

export interface SwarmRunOptions {
  readonly seed: number;
  /** Called at every time-series sample. */
  readonly onProgress?: (progress: SwarmProgress) => void;
  /** A run that needs more events than this stops as stalled. */
  readonly maxEvents?: number;
}

const ARRIVE = 1;
const TRACKER_REPLY = 2;
const CONNECT = 3;
const INTERESTED = 4;
const CHOKE = 5;
const REQUEST = 6;
const CANCEL = 7;
const HAVE = 8;
const FLOW_END = 9;
const RECHOKE = 10;
const REANNOUNCE = 11;
const LEAVE = 12;
const SAMPLE = 13;
const STOP = 14;
const REJECT = 15;
const DISCONNECT = 16;

const RECHOKE_EVERY_S = 10;
/** With no transfer under way and nobody left to arrive for this long, the swarm is stuck. */
const STALL_AFTER_S = 600;

export function simulateSwarm(scenario: SwarmScenario, options: SwarmRunOptions): SwarmRun {
  return new SwarmSimulation(scenario, options).run();
}

/**
 * BitTorrent keeps `requestsInFlight` blocks asked of each neighbour; transfers here are whole pieces,
 * so that is this many pieces (at least one) per connection.
 */
function piecesInFlight(scenario: SwarmScenario): number {
  const { blockBytes, pieceBytes } = scenario.file;
  return Math.max(1, Math.ceil((scenario.strategy.requestsInFlight * blockBytes) / pieceBytes));
}

class SwarmSimulation implements WireOut {
  private readonly queue = new EventQueue();
  private readonly rng: Rng;
  private readonly plans: PeerPlan[];
  private readonly peers: (BtPeer | undefined)[];
  private readonly online: Uint8Array;
  private readonly completedAt: Float64Array;
  private readonly leftAt: Float64Array;
  private readonly uploadBps: Float64Array;
  private readonly downloadBps: Float64Array;
  private readonly holders: Int32Array;
  private readonly flows: FlowNetwork;
  /** Every peer's piece state, in flat arrays (see peer-store.ts). */
  private readonly store: PeerStore;
  private readonly tracker: BtTracker;
  private readonly pieces: number;
  private readonly series: SwarmSeries = {
    timeS: [],
    leechers: [],
    seeds: [],
    meanPieces: [],
    minAvailability: [],
    uploadBps: [],
    pieceCopies: [],
  };
  /** Bytes of pieces delivered to leechers, for progress. */
  private deliveredBytes = 0;
  private now = 0;
  /** When the last message from one peer to another arrives: a connection delivers in order (TCP). */
  private readonly lastArrival = new Map<number, number>();
  private completions = 0;
  private leecherCompletions = 0;
  private readonly mustComplete: number;
  private readonly leechers: number;
  private arrivalsLeft: number;
  private lastProgressS = 0;
  private stopReason: StopReason | undefined;

  constructor(
    private readonly scenario: SwarmScenario,
    private readonly options: SwarmRunOptions,
  ) {
    this.rng = new Rng(options.seed, 0x5157);
    const { pieceBytes, sizeBytes } = scenario.file;
    this.pieces = Math.ceil(sizeBytes / pieceBytes);
    this.plans = planPeers(scenario, this.rng);
    const n = this.plans.length;
    this.peers = new Array(n).fill(undefined);
    this.online = new Uint8Array(n);
    this.completedAt = new Float64Array(n).fill(Number.NaN);
    this.leftAt = new Float64Array(n).fill(Number.NaN);
    this.uploadBps = Float64Array.from(this.plans, (plan) => plan.uploadBps);
    this.downloadBps = Float64Array.from(this.plans, (plan) => plan.downloadBps);
    this.holders = new Int32Array(this.pieces);
    // A queue of requests from one neighbour needs no more slots than that neighbour keeps in flight:
    // the uploader drops each request no later than the asker stops counting it. A rejected one is
    // dropped when rejected; a served one when sent (onTransmitted runs before onPiece); a cancelled
    // one when the cancel arrives, before any request sent after it (a pair's messages keep their
    // order, see send).
    const inFlight = piecesInFlight(scenario);
    this.store = new PeerStore(n, this.pieces, scenario.strategy.maxConnections, {
      inFlight,
      queued: inFlight,
    });
    this.tracker = new BtTracker(scenario.tracker.peersPerRequest);
    this.flows = new FlowNetwork(this.uploadBps, this.downloadBps, {
      reschedule: (uploader, version, endS) => {
        this.queue.push(endS, FLOW_END, uploader, version, 0);
      },
    });
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
    this.queue.push(0, SAMPLE, 0, 0, 0);
    if (this.scenario.stop.atS !== null) this.queue.push(this.scenario.stop.atS, STOP, 0, 0, 0);
    if (this.mustComplete === 0 && this.scenario.stop.whenAllDone) this.stopReason = 'all-done';
    const maxEvents = this.options.maxEvents ?? Number.MAX_SAFE_INTEGER;
    let events = 0;
    // Once stopped, the events of the same instant still run (a peer that leaves on completing does).
    while ((this.stopReason === undefined || this.queue.peekTime() === this.now) && this.queue.pop()) {
      if (++events > maxEvents) {
        this.stopReason = 'stalled';
        break;
      }
      this.now = this.queue.time;
      this.dispatch(this.queue.kind, this.queue.a, this.queue.b, this.queue.c);
    }
    // The run's last moment is in the series once, however it ended.
    if (this.series.timeS.at(-1) !== this.now) this.sampleSeries();
    return {
      scenario: this.scenario,
      seed: this.options.seed,
      pieces: this.pieces,
      peers: this.records(),
      series: this.series,
      endedAtS: this.now,
      stopReason: this.stopReason ?? 'stalled',
      events,
      wallMs: performance.now() - started,
    };
  }

  private dispatch(kind: number, a: number, b: number, c: number): void {
    switch (kind) {
      case ARRIVE:
        this.arrive(a);
        return;
      case TRACKER_REPLY:
        this.peerIfOnline(a)?.onPeers(this.tracker.announce(a, this.rng), this);
        return;
      case CONNECT:
        this.connectNow(a, b);
        return;
      case INTERESTED:
        this.peerIfOnline(b)?.onInterested(a, c === 1, this);
        return;
      case CHOKE:
        this.peerIfOnline(b)?.onChoke(a, c === 1, this);
        return;
      case REQUEST:
        this.peerIfOnline(b)?.onRequest(a, c, this);
        return;
      case DISCONNECT:
        this.disconnectNow(a, b);
        return;
      case REJECT:
        this.peerIfOnline(b)?.onReject(a, c, this);
        return;
      case CANCEL:
        this.peerIfOnline(b)?.onCancel(a, c, this);
        return;
      case HAVE:
        this.deliverHave(a, c);
        return;
      case FLOW_END:
        this.endFlow(a, b);
        return;
      case RECHOKE:
        this.rechoke(a);
        return;
      case REANNOUNCE:
        this.reannounce(a);
        return;
      case LEAVE:
        this.leave(a);
        return;
      case SAMPLE:
        this.sample();
        return;
      case STOP:
        this.stopReason = 'time';
        return;
    }
  }

  // --- WireOut: what peers say, scheduled as events ---

  announce(from: number): void {
    this.tracker.join(from);
    this.queue.push(this.now + 2 * this.latency(), TRACKER_REPLY, from, 0, 0);
  }

  connect(from: number, to: number): void {
    this.send(CONNECT, from, to, 0);
  }

  disconnect(from: number, to: number): void {
    this.send(DISCONNECT, from, to, 0);
  }

  interested(from: number, to: number, interested: boolean): void {
    this.send(INTERESTED, from, to, interested ? 1 : 0);
  }

  choke(from: number, to: number, choked: boolean): void {
    this.send(CHOKE, from, to, choked ? 1 : 0);
  }

  request(from: number, to: number, piece: number): void {
    this.send(REQUEST, from, to, piece);
  }

  cancel(from: number, to: number, piece: number): void {
    this.send(CANCEL, from, to, piece);
  }

  have(from: number, piece: number): void {
    this.holders[piece] = (this.holders[piece] as number) + 1;
    this.deliveredBytes += this.pieceBytes(piece);
    this.lastProgressS = this.now;
    const latency = this.scenario.network.latencyS;
    if (latency.kind === 'fixed') this.queue.pushInOrder(this.now + latency.value, HAVE, from, 0, piece);
    else this.queue.push(this.now + this.latency(), HAVE, from, 0, piece);
  }

  transmit(from: number, to: number, piece: number): void {
    this.flows.start(from, to, piece, this.pieceBytes(piece), this.now);
  }

  abortTransmit(from: number, to: number): void {
    const flow = this.flows.between(from, to);
    if (flow >= 0) this.flows.end(flow, this.now);
  }

  reject(from: number, to: number, piece: number): void {
    this.send(REJECT, from, to, piece);
  }

  completed(from: number): void {
    this.completedAt[from] = this.now;
    const plan = this.plans[from] as PeerPlan;
    if (plan.role === 'leecher') {
      if (!plan.freeRider) this.completions++;
      this.leecherCompletions++;
    }
    // Contributors all done (the scenario's rule), or every leecher done: nothing is left to watch.
    const contributorsDone = this.completions === this.mustComplete && this.scenario.stop.whenAllDone;
    if (contributorsDone || this.leecherCompletions === this.leechers) this.stopReason = 'all-done';
    const after = plan.afterDone;
    if (after.kind === 'leave') this.queue.push(this.now, LEAVE, from, 0, 0);
    else if (after.kind === 'stay') this.queue.push(this.now + after.forS, LEAVE, from, 0, 0);
  }

  // --- event handlers ---

  private arrive(id: number): void {
    const plan = this.plans[id] as PeerPlan;
    const peer = new BtPeer(id, this.peerOptions(plan), new Rng(this.options.seed, id + 1));
    this.peers[id] = peer;
    this.online[id] = 1;
    this.arrivalsLeft--;
    if (plan.role === 'seed') {
      this.store.announcedOf(id).addAll();
      for (let piece = 0; piece < this.pieces; piece++)
        this.holders[piece] = (this.holders[piece] as number) + 1;
    }
    peer.start(this);
    // Stagger rounds so that the whole swarm does not rechoke in the same instant.
    this.queue.push(this.now + this.rng.next() * RECHOKE_EVERY_S, RECHOKE, id, 0, 0);
    this.queue.push(this.now + this.scenario.tracker.reannounceS, REANNOUNCE, id, 0, 0);
  }

  private connectNow(from: number, to: number): void {
    const a = this.peerIfOnline(from);
    const b = this.peerIfOnline(to);
    if (a === undefined || b === undefined || !a.canAccept(to) || !b.canAccept(from)) return;
    const ab = a.onConnectedInStore(to, to, this);
    const ba = b.onConnectedInStore(from, from, this);
    BtPeer.pair(a, ab, b, ba);
  }

  private disconnectNow(from: number, to: number): void {
    const a = this.peerIfOnline(from);
    const b = this.peerIfOnline(to);
    if (a === undefined || b === undefined || !a.connections.has(to)) return;
    for (const flow of [this.flows.between(from, to), this.flows.between(to, from)]) {
      if (flow >= 0) this.flows.end(flow, this.now);
    }
    a.onDisconnected(to, this);
    b.onDisconnected(from, this);
  }

  private deliverHave(from: number, piece: number): void {
    const peer = this.peerIfOnline(from);
    if (peer === undefined) return;
    // Every neighbour hears it now: record it once in the view their connections share.
    this.store.announcedOf(from).add(piece);
    // Neighbours that left have been disconnected already, so every link leads to a peer present.
    peer.announceToNeighbours(piece, this);
  }

  private endFlow(uploader: number, version: number): void {
    const flow = this.flows.due(uploader, version);
    if (flow < 0) return;
    const from = this.flows.uploader(flow);
    const to = this.flows.downloader(flow);
    const piece = this.flows.pieceOf(flow);
    this.flows.end(flow, this.now);
    this.peerIfOnline(from)?.onTransmitted(to, piece, this);
    this.peerIfOnline(to)?.onPiece(from, piece, this);
  }

  private rechoke(id: number): void {
    const peer = this.peerIfOnline(id);
    if (peer === undefined) return;
    // The blocks of transfers under way count in the round that ends (BitTorrent counts blocks), at
    // both ends of each transfer, so that sent and received bytes agree.
    const flows = this.flows;
    for (const flow of flows.downloadsOf(id)) this.reportProgress(flow);
    for (const flow of flows.uploadsOf(id)) this.reportProgress(flow);
    peer.rechoke(this);
    this.queue.push(this.now + RECHOKE_EVERY_S, RECHOKE, id, 0, 0);
  }

  private reportProgress(flow: number): void {
    const bytes = this.flows.takeProgress(flow, this.now);
    if (bytes === 0) return;
    const from = this.flows.uploader(flow);
    const to = this.flows.downloader(flow);
    const piece = this.flows.pieceOf(flow);
    (this.peers[from] as BtPeer).onBlocksSent(to, piece, bytes);
    (this.peers[to] as BtPeer).onBlocksReceived(from, piece, bytes);
  }

  private reannounce(id: number): void {
    const peer = this.peerIfOnline(id);
    if (peer === undefined) return;
    if (peer.connectionCount < this.scenario.strategy.maxConnections) peer.start(this);
    this.queue.push(this.now + this.scenario.tracker.reannounceS, REANNOUNCE, id, 0, 0);
  }

  private leave(id: number): void {
    const peer = this.peerIfOnline(id);
    if (peer === undefined) return;
    this.online[id] = 0;
    this.leftAt[id] = this.now;
    this.tracker.leave(id);
    for (const flow of this.flows.flowsOf(id)) this.flows.end(flow, this.now);
    peer.have.forEach((piece) => {
      this.holders[piece] = (this.holders[piece] as number) - 1;
    });
    for (const neighbour of [...peer.connections.keys()])
      this.peerIfOnline(neighbour)?.onDisconnected(id, this);
    peer.leave();
  }

  private sample(): void {
    this.sampleSeries();
    this.options.onProgress?.({
      timeS: this.now,
      completed: this.completions,
      total: this.mustComplete,
      deliveredBytes: this.deliveredBytes,
      wantedBytes: this.leechers * this.scenario.file.sizeBytes,
    });
    const idle = this.flows.active === 0 && this.arrivalsLeft === 0;
    if (idle && this.now - this.lastProgressS >= STALL_AFTER_S) {
      this.stopReason = 'stalled';
      return;
    }
    this.queue.push(this.now + this.scenario.sampleEveryS, SAMPLE, 0, 0, 0);
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
    for (let piece = 0; piece < this.pieces; piece++) {
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

  private peerIfOnline(id: number): BtPeer | undefined {
    return this.online[id] === 1 ? this.peers[id] : undefined;
  }

  private latency(): number {
    return sample(this.scenario.network.latencyS, this.rng);
  }

  /** Schedules a message from `from` to `to`, sent now: it arrives after the latency, and in order. */
  private send(kind: number, from: number, to: number, c: number): void {
    // A fixed latency keeps every pair's messages in order by itself, and all of them in time order.
    const latency = this.scenario.network.latencyS;
    if (latency.kind === 'fixed') this.queue.pushInOrder(this.now + latency.value, kind, from, to, c);
    else this.queue.push(this.arrival(from, to), kind, from, to, c);
  }

  /** When a message from `from` to `to` sent now arrives, after a drawn latency and in order. */
  private arrival(from: number, to: number): number {
    const key = from * this.plans.length + to;
    const at = Math.max(this.now + this.latency(), this.lastArrival.get(key) ?? 0);
    this.lastArrival.set(key, at);
    return at;
  }

  private pieceBytes(piece: number): number {
    const { sizeBytes, pieceBytes } = this.scenario.file;
    return piece === this.pieces - 1 ? sizeBytes - pieceBytes * (this.pieces - 1) : pieceBytes;
  }

  private peerOptions(plan: PeerPlan): PeerOptions {
    const { picker, choker } = strategiesFor(this.scenario);
    const strategy = this.scenario.strategy;
    return {
      pieces: this.pieces,
      pieceBytes: (piece) => this.pieceBytes(piece),
      picker,
      choker,
      endgame: strategy.endgame,
      piecesInFlight: this.store.slots.inFlight,
      maxConnections: strategy.maxConnections,
      freeRider: plan.freeRider,
      seed: plan.role === 'seed',
      place: { store: this.store, index: plan.id },
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
