// A client's upload side: answers other clients' segment requests from what the client holds,
// until the tracker says everyone is done.

import type { ClientStats } from './counters.ts';
import type { Holdings } from './holdings.ts';
import { type Message, type Outbox, ProtocolError, type Rank, TRACKER } from './messages.ts';

export class ClientUpload {
  private closedNow = false;

  constructor(
    private readonly rank: Rank,
    private readonly holdings: Holdings,
    private readonly stats: ClientStats,
  ) {}

  get closed(): boolean {
    return this.closedNow;
  }

  handle(from: Rank, msg: Message, out: Outbox): void {
    if (this.closedNow)
      throw new ProtocolError(`client ${this.rank}'s upload side got '${msg.kind}' after closing`);
    if (msg.kind === 'shutdown') {
      if (from !== TRACKER) throw new ProtocolError(`client ${this.rank} told to shut down by ${from}`);
      this.closedNow = true;
      out.send(TRACKER, { kind: 'upload-closed' });
      return;
    }
    if (msg.kind !== 'segment-request') {
      throw new ProtocolError(`client ${this.rank}'s upload side does not take '${msg.kind}'`);
    }
    if (from === this.rank) throw new ProtocolError(`client ${this.rank} asked itself for a segment`);
    const granted = this.holdings.has(msg.file, msg.index);
    if (granted) this.stats.served++;
    else this.stats.refused++;
    out.send(from, { kind: 'segment-reply', file: msg.file, index: msg.index, granted });
  }
}
