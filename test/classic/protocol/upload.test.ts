import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../../src/classic/protocol/counters.ts';
import { Holdings } from '../../../src/classic/protocol/holdings.ts';
import { type Message, ProtocolError, TRACKER } from '../../../src/classic/protocol/messages.ts';
import { ClientUpload } from '../../../src/classic/protocol/upload.ts';
import { hashesOf, RecordingOutbox } from './recording-outbox.ts';

/** Client 2's upload side: it owns a (3 segments) and holds segment 1 of b (of 4). */
function setup() {
  const holdings = new Holdings();
  holdings.own('a', hashesOf('a', 3));
  holdings.track('b', hashesOf('b', 4)).add(1);
  const stats = emptyStats(2);
  return { upload: new ClientUpload(2, holdings, stats), holdings, stats, out: new RecordingOutbox() };
}

describe('ClientUpload', () => {
  it('grants a segment it holds, replying to the requester with the file and index', () => {
    const { upload, stats, out } = setup();
    upload.handle(3, { kind: 'segment-request', file: 'a', index: 2 }, out);
    upload.handle(1, { kind: 'segment-request', file: 'b', index: 1 }, out);
    expect(out.take()).toEqual([
      { to: 3, msg: { kind: 'segment-reply', file: 'a', index: 2, granted: true } },
      { to: 1, msg: { kind: 'segment-reply', file: 'b', index: 1, granted: true } },
    ]);
    expect(stats).toMatchObject({ served: 2, refused: 0 });
  });

  it('refuses a segment it does not hold, of a file it holds part of, knows nothing of, or out of range', () => {
    const { upload, stats, out } = setup();
    const asks: [string, number][] = [
      ['b', 0],
      ['b', 3],
      ['c', 0],
      ['a', 3],
      ['a', -1],
    ];
    for (const [file, index] of asks) upload.handle(4, { kind: 'segment-request', file, index }, out);
    expect(out.take()).toEqual(
      asks.map(([file, index]) => ({ to: 4, msg: { kind: 'segment-reply', file, index, granted: false } })),
    );
    expect(stats).toEqual({ ...emptyStats(2), refused: asks.length });
  });

  it('grants a segment once the download side has added it to the shared holdings', () => {
    const { upload, holdings, stats, out } = setup();
    upload.handle(3, { kind: 'segment-request', file: 'b', index: 2 }, out);
    holdings.get('b')?.add(2);
    upload.handle(3, { kind: 'segment-request', file: 'b', index: 2 }, out);
    expect(out.take().map((sent) => sent.msg)).toEqual([
      { kind: 'segment-reply', file: 'b', index: 2, granted: false },
      { kind: 'segment-reply', file: 'b', index: 2, granted: true },
    ]);
    expect(stats).toMatchObject({ served: 1, refused: 1 });
  });

  it('closes on shutdown from the tracker and tells rank 0 it has closed', () => {
    const { upload, out } = setup();
    expect(upload.closed).toBe(false);
    upload.handle(TRACKER, { kind: 'shutdown' }, out);
    expect(upload.closed).toBe(true);
    expect(out.take()).toEqual([{ to: TRACKER, msg: { kind: 'upload-closed' } }]);
  });

  it('throws a ProtocolError on any message after closing', () => {
    const { upload, stats, out } = setup();
    upload.handle(TRACKER, { kind: 'shutdown' }, out);
    out.take();
    expect(() => upload.handle(3, { kind: 'segment-request', file: 'a', index: 0 }, out)).toThrow(
      ProtocolError,
    );
    expect(() => upload.handle(TRACKER, { kind: 'shutdown' }, out)).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
    expect(stats).toEqual(emptyStats(2));
  });

  it('throws a ProtocolError on shutdown from a client, and stays open', () => {
    const { upload, out } = setup();
    for (const from of [1, 2, 3]) {
      expect(() => upload.handle(from, { kind: 'shutdown' }, out)).toThrow(ProtocolError);
    }
    expect(upload.closed).toBe(false);
    expect(out.sent).toEqual([]);
    upload.handle(3, { kind: 'segment-request', file: 'a', index: 0 }, out);
    expect(out.take()).toHaveLength(1);
  });

  it('throws a ProtocolError on a segment request from itself', () => {
    const { upload, stats, out } = setup();
    expect(() => upload.handle(2, { kind: 'segment-request', file: 'a', index: 0 }, out)).toThrow(
      ProtocolError,
    );
    expect(out.sent).toEqual([]);
    expect(stats).toEqual(emptyStats(2));
  });

  it('throws a ProtocolError on kinds that are not for an upload side', () => {
    const { upload, out } = setup();
    const notMine: Message[] = [
      { kind: 'owned-files', files: [] },
      { kind: 'start' },
      { kind: 'swarm-request', file: 'a', refresh: false },
      { kind: 'swarm', file: 'a', hashes: [], seeds: [], peers: [] },
      { kind: 'segment-reply', file: 'a', index: 0, granted: true },
      { kind: 'update', file: 'a' },
      { kind: 'file-complete', file: 'a' },
      { kind: 'all-done' },
      { kind: 'upload-closed' },
    ];
    for (const msg of notMine)
      expect(() => upload.handle(TRACKER, msg, out), msg.kind).toThrow(ProtocolError);
    expect(out.sent).toEqual([]);
    expect(upload.closed).toBe(false);
  });
});
