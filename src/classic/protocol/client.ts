// One client rank: its holdings shared by a download side and an upload side, and its counters.
// A runtime hands every message for this rank to `handle`, which routes it by kind as MPI tags did.
import { Rng } from '../../util/rng.ts';
import { type ClientStats, emptyStats } from './counters.ts';
import { ClientDownload, type DownloadOutbox } from './download.ts';
import { Holdings } from './holdings.ts';
import { type Message, type OwnedFile, ProtocolError, type Rank, sideOf, TRACKER } from './messages.ts';
import { createPeerSelector, type PeerStrategyName } from './strategies/index.ts';
import { ClientUpload } from './upload.ts';

export interface ClientInput {
  readonly rank: Rank;
  readonly owned: readonly OwnedFile[];
  readonly wanted: readonly string[];
}

export interface ClientOptions {
  readonly seed: number;
  readonly strategy: PeerStrategyName;
}

export class Client {
  readonly stats: ClientStats;
  readonly download: ClientDownload;
  readonly upload: ClientUpload;

  constructor(
    private readonly input: ClientInput,
    options: ClientOptions,
  ) {
    const holdings = new Holdings();
    for (const file of input.owned) holdings.own(file.name, file.hashes);
    this.stats = emptyStats(input.rank);
    // Each rank draws from its own stream, so its choices do not depend on how others interleave.
    const rng = new Rng(options.seed, input.rank);
    const selector = createPeerSelector(options.strategy);
    this.download = new ClientDownload(input.rank, input.wanted, holdings, selector, rng, this.stats);
    this.upload = new ClientUpload(input.rank, holdings, this.stats);
  }

  get rank(): Rank {
    return this.input.rank;
  }

  /** The first message a client sends: what it owns. */
  announce(out: DownloadOutbox): void {
    out.send(TRACKER, { kind: 'owned-files', files: this.input.owned });
  }

  handle(from: Rank, msg: Message, out: DownloadOutbox): void {
    const side = sideOf(msg);
    if (side === 'download') {
      this.download.handle(from, msg, out);
      return;
    }
    if (side === 'upload') {
      this.upload.handle(from, msg, out);
      return;
    }
    throw new ProtocolError(`client ${this.rank} got '${msg.kind}', which is for the tracker`);
  }

  /** Both sides have finished: the download side is done and the upload side was shut down. */
  get finished(): boolean {
    return this.download.done && this.upload.closed;
  }
}
