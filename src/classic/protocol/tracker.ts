// The tracker (rank 0) as a state machine: it builds swarms from the clients' reports, starts them all
// together, answers swarm requests, records updates, and shuts the upload sides down when all are done.
import { assertNever, type Message, type Outbox, ProtocolError, type Rank } from './messages.ts';
import { SwarmRegistry } from './swarm-registry.ts';

export type TrackerPhase = 'collecting' | 'serving' | 'closing' | 'stopped';

export class Tracker {
  readonly swarms = new SwarmRegistry();
  private phaseNow: TrackerPhase = 'collecting';
  private readonly reported = new Set<Rank>();
  private readonly done = new Set<Rank>();
  private readonly closed = new Set<Rank>();

  constructor(private readonly clientCount: number) {
    if (!Number.isInteger(clientCount) || clientCount < 0) {
      throw new RangeError(`client count must be a whole number, got ${clientCount}`);
    }
  }

  get phase(): TrackerPhase {
    return this.phaseNow;
  }

  get stopped(): boolean {
    return this.phaseNow === 'stopped';
  }

  /** With no clients there is nothing to wait for: the tracker stops at once. */
  begin(): void {
    if (this.clientCount === 0) this.phaseNow = 'stopped';
  }

  handle(from: Rank, msg: Message, out: Outbox): void {
    if (!Number.isInteger(from) || from < 1 || from > this.clientCount)
      throw new ProtocolError(`message from unknown rank ${from}`);
    switch (msg.kind) {
      case 'owned-files':
        this.onOwnedFiles(from, msg.files, out);
        return;
      case 'swarm-request':
        this.onSwarmRequest(from, msg.file, msg.refresh, out);
        return;
      case 'update':
        this.expect('serving', msg);
        this.swarms.addPeer(from, msg.file);
        return;
      case 'file-complete':
        this.expect('serving', msg);
        this.swarms.promoteToSeed(from, msg.file);
        return;
      case 'all-done':
        this.onAllDone(from, out);
        return;
      case 'upload-closed':
        this.onUploadClosed(from);
        return;
      case 'start':
      case 'swarm':
      case 'segment-request':
      case 'segment-reply':
      case 'shutdown':
        throw new ProtocolError(`the tracker does not take '${msg.kind}' (from ${from})`);
      default:
        assertNever(msg);
        return;
    }
  }

  private onOwnedFiles(from: Rank, files: Extract<Message, { kind: 'owned-files' }>['files'], out: Outbox) {
    this.expect('collecting', { kind: 'owned-files' });
    if (this.reported.has(from)) throw new ProtocolError(`client ${from} reported its files twice`);
    this.reported.add(from);
    for (const file of files) this.swarms.addSeed(from, file);
    if (this.reported.size < this.clientCount) return;
    this.phaseNow = 'serving';
    for (let rank = 1; rank <= this.clientCount; rank++) out.send(rank, { kind: 'start' });
  }

  private onSwarmRequest(from: Rank, file: string, refresh: boolean, out: Outbox): void {
    this.expect('serving', { kind: 'swarm-request' });
    const swarm = this.swarms.require(file, from);
    const { seeds, peers } = this.swarms.list(file, from);
    out.send(from, { kind: 'swarm', file, hashes: refresh ? null : swarm.hashes, seeds, peers });
  }

  private onAllDone(from: Rank, out: Outbox): void {
    this.expect('serving', { kind: 'all-done' });
    if (this.done.has(from)) throw new ProtocolError(`client ${from} said it was done twice`);
    this.done.add(from);
    if (this.done.size < this.clientCount) return;
    this.phaseNow = 'closing';
    for (let rank = 1; rank <= this.clientCount; rank++) out.send(rank, { kind: 'shutdown' });
  }

  private onUploadClosed(from: Rank): void {
    this.expect('closing', { kind: 'upload-closed' });
    if (this.closed.has(from)) throw new ProtocolError(`client ${from} closed its upload side twice`);
    this.closed.add(from);
    if (this.closed.size === this.clientCount) this.phaseNow = 'stopped';
  }

  private expect(phase: TrackerPhase, msg: { kind: Message['kind'] }): void {
    if (this.phaseNow !== phase) {
      throw new ProtocolError(`'${msg.kind}' arrived while the tracker was ${this.phaseNow}, not ${phase}`);
    }
  }
}
