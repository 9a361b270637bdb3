// A test double for the protocol's outboxes: it records what a state machine sends (and, for a download
// side, which files it reports complete) so that tests can assert the exact outputs.
import type { DownloadOutbox } from '../../../src/classic/protocol/download.ts';
import type { Message, Rank } from '../../../src/classic/protocol/messages.ts';

export interface Sent {
  readonly to: Rank;
  readonly msg: Message;
}

export interface Completion {
  readonly file: string;
  readonly hashes: readonly string[];
}

export class RecordingOutbox implements DownloadOutbox {
  readonly sent: Sent[] = [];
  readonly completions: Completion[] = [];

  send(to: Rank, msg: Message): void {
    this.sent.push({ to, msg });
  }

  completed(file: string, hashes: readonly string[]): void {
    this.completions.push({ file, hashes: [...hashes] });
  }

  /** Everything sent since the last call, emptying the record. */
  take(): Sent[] {
    return this.sent.splice(0);
  }

  /** The one message sent since the last take; fails if there was not exactly one. */
  takeOne(): Sent {
    const sent = this.take();
    if (sent.length !== 1) throw new Error(`expected one message, got ${JSON.stringify(sent)}`);
    return sent[0] as Sent;
  }
}

/** Distinct, recognisable hashes for a file of `count` segments. */
export function hashesOf(file: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${file}#${i}`);
}
