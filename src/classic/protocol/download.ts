// A client's download side: for each wanted file in turn, get the swarm from the tracker, then every
// segment in order from members chosen by the peer selector, one request at a time (as the seed does).
import type { Rng } from '../../util/rng.ts';
import { SwarmCandidates } from './candidates.ts';
import type { ClientStats } from './counters.ts';
import type { FileHoldings, Holdings } from './holdings.ts';
import { type Message, type MessageOf, type Outbox, ProtocolError, type Rank, TRACKER } from './messages.ts';
import type { PeerSelector } from './strategies/index.ts';

/** The seed reports progress and refreshes its swarm after every 10 segments. */
export const UPDATE_EVERY = 10;

export interface DownloadOutbox extends Outbox {
  /** A wanted file is complete: the runtime writes client<R>_<file>. */
  completed(file: string, hashes: readonly string[]): void;
}

type DownloadState =
  | { readonly phase: 'waiting-start' }
  | { readonly phase: 'awaiting-swarm'; readonly file: string }
  | { readonly phase: 'awaiting-segment'; readonly file: string; readonly index: number; readonly peer: Rank }
  | { readonly phase: 'done' };

/** What the client currently knows of the file it is downloading. */
interface Transfer {
  readonly file: string;
  readonly held: FileHoldings;
  /** The swarm's members but this client; those that refused the current segment are not asked again. */
  candidates: SwarmCandidates;
  sinceUpdate: number;
}

export class ClientDownload {
  private state: DownloadState = { phase: 'waiting-start' };
  private nextWanted = 0;
  private transfer: Transfer | undefined;

  constructor(
    private readonly rank: Rank,
    private readonly wanted: readonly string[],
    private readonly holdings: Holdings,
    private readonly selector: PeerSelector,
    private readonly rng: Rng,
    private readonly stats: ClientStats,
  ) {}

  get done(): boolean {
    return this.state.phase === 'done';
  }

  get phase(): DownloadState['phase'] {
    return this.state.phase;
  }

  handle(from: Rank, msg: Message, out: DownloadOutbox): void {
    switch (msg.kind) {
      case 'start':
        this.expect('waiting-start', msg, from === TRACKER);
        this.startNextFile(out);
        return;
      case 'swarm':
        this.onSwarm(from, msg, out);
        return;
      case 'segment-reply':
        this.onSegmentReply(from, msg, out);
        return;
      default:
        throw new ProtocolError(`client ${this.rank}'s download side does not take '${msg.kind}'`);
    }
  }

  private startNextFile(out: DownloadOutbox): void {
    while (this.nextWanted < this.wanted.length) {
      const file = this.wanted[this.nextWanted++] as string;
      const held = this.holdings.get(file);
      // A wanted file the client already holds whole needs no swarm: its output is its own copy.
      if (held?.isComplete) {
        this.reportCompleted(file, held, out);
        continue;
      }
      this.state = { phase: 'awaiting-swarm', file };
      out.send(TRACKER, { kind: 'swarm-request', file, refresh: false });
      return;
    }
    this.state = { phase: 'done' };
    this.transfer = undefined;
    out.send(TRACKER, { kind: 'all-done' });
  }

  private onSwarm(from: Rank, msg: MessageOf<'swarm'>, out: DownloadOutbox): void {
    this.expect('awaiting-swarm', msg, from === TRACKER);
    if (this.state.phase !== 'awaiting-swarm' || msg.file !== this.state.file) {
      throw new ProtocolError(`client ${this.rank} got the swarm of ${msg.file} it did not ask for`);
    }
    const candidates = new SwarmCandidates(msg.seeds, msg.peers, this.rank);
    if (this.transfer?.file === msg.file) {
      this.transfer.candidates = candidates;
    } else {
      if (msg.hashes === null)
        throw new ProtocolError(`client ${this.rank} got ${msg.file}'s swarm without its hashes`);
      const held = this.holdings.track(msg.file, msg.hashes);
      this.transfer = { file: msg.file, held, candidates, sinceUpdate: 0 };
    }
    this.continueTransfer(this.transfer, out);
  }

  private onSegmentReply(from: Rank, msg: MessageOf<'segment-reply'>, out: DownloadOutbox): void {
    const state = this.state;
    if (
      state.phase !== 'awaiting-segment' ||
      state.peer !== from ||
      state.file !== msg.file ||
      state.index !== msg.index
    ) {
      throw new ProtocolError(
        `client ${this.rank} got an unexpected reply from ${from} for ${msg.file}#${msg.index}`,
      );
    }
    const transfer = this.transfer as Transfer;
    this.selector.observe(from, msg.granted);
    if (!msg.granted) {
      this.stats.refusalsReceived++;
      transfer.candidates.skip(from);
      this.requestNextSegment(transfer, out);
      return;
    }
    transfer.held.add(msg.index);
    transfer.candidates.clear();
    this.stats.downloaded++;
    this.stats.downloadedFrom.set(from, (this.stats.downloadedFrom.get(from) ?? 0) + 1);
    transfer.sinceUpdate++;
    if (transfer.sinceUpdate === UPDATE_EVERY && !transfer.held.isComplete) {
      // Tell the tracker we hold part of the file (we become a peer), and refresh the swarm:
      // new peers appear as others download.
      transfer.sinceUpdate = 0;
      out.send(TRACKER, { kind: 'update', file: transfer.file });
      this.state = { phase: 'awaiting-swarm', file: transfer.file };
      out.send(TRACKER, { kind: 'swarm-request', file: transfer.file, refresh: true });
      return;
    }
    this.continueTransfer(transfer, out);
  }

  /** Asks for the next missing segment, or, when none is missing, reports the file complete. */
  private continueTransfer(transfer: Transfer, out: DownloadOutbox): void {
    if (!transfer.held.isComplete) {
      this.requestNextSegment(transfer, out);
      return;
    }
    out.send(TRACKER, { kind: 'file-complete', file: transfer.file });
    this.reportCompleted(transfer.file, transfer.held, out);
    this.startNextFile(out);
  }

  private requestNextSegment(transfer: Transfer, out: DownloadOutbox): void {
    const index = transfer.held.firstMissing();
    const candidates = transfer.candidates;
    if (candidates.length === 0) {
      // Seeds never refuse and every swarm has one, so this means a broken swarm, not bad luck.
      throw new ProtocolError(
        `client ${this.rank}: no member of the ${transfer.file} swarm holds segment ${index}`,
      );
    }
    const peer = this.selector.pick(candidates, this.rng);
    this.state = { phase: 'awaiting-segment', file: transfer.file, index, peer };
    out.send(peer, { kind: 'segment-request', file: transfer.file, index });
  }

  private reportCompleted(file: string, held: FileHoldings, out: DownloadOutbox): void {
    this.stats.filesCompleted++;
    out.completed(file, held.hashes);
  }

  private expect(phase: DownloadState['phase'], msg: Message, fromTracker: boolean): void {
    if (!fromTracker) throw new ProtocolError(`client ${this.rank} got '${msg.kind}' from a client`);
    if (this.state.phase !== phase) {
      throw new ProtocolError(`client ${this.rank} got '${msg.kind}' while ${this.state.phase}`);
    }
  }
}
