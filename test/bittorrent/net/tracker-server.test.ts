// The HTTP tracker over loopback (127.0.0.1 only), asked with raw HTTP so that the tests do not trust
// the client under test; the client has its own tests.
import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bencoded, decodeBencode } from '../../../src/bittorrent/net/bencode.ts';
import { type RunningTracker, startTracker } from '../../../src/bittorrent/net/tracker-server.ts';

const HOST = '127.0.0.1';
const HASH = '%AA'.repeat(20);
const OTHER_HASH = '%BB'.repeat(20);

function peerId(n: number): string {
  return `-SL0001-${String(n).padStart(12, '0')}`;
}

function announcePath(n: number, extra = '', hash = HASH): string {
  return `/announce?info_hash=${hash}&peer_id=${peerId(n)}&port=${6000 + n}&uploaded=0&downloaded=0&left=10${extra}`;
}

interface Reply {
  readonly status: number;
  readonly body: Map<string, Bencoded>;
}

/** GETs `path` (or sends `method`) from the tracker, from `localAddress`, and decodes the answer. */
function ask(
  tracker: RunningTracker,
  path: string,
  options: { method?: string; localAddress?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: HOST,
        port: tracker.port,
        path,
        method: options.method ?? 'GET',
        localAddress: options.localAddress ?? HOST,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: decodeBencode(Buffer.concat(chunks)) as Map<string, Bencoded>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.method === 'POST' ? 'x'.repeat(100_000) : undefined);
  });
}

/** Sends raw bytes on a fresh connection and resolves with everything the tracker sends back. */
function raw(tracker: RunningTracker, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port: tracker.port }, () => socket.end(bytes));
    let text = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

const failureOf = (reply: Reply) => Buffer.from(reply.body.get('failure reason') as Uint8Array).toString();

/** Compact peers as `a.b.c.d:port`, read byte by byte. */
function compact(bytes: Bencoded | undefined): string[] {
  const data = bytes as Uint8Array;
  const peers: string[] = [];
  for (let at = 0; at < data.length; at += 6)
    peers.push(
      `${[...data.subarray(at, at + 4)].join('.')}:${((data[at + 4] as number) << 8) | (data[at + 5] as number)}`,
    );
  return peers.sort();
}

describe('swarmlab tracker over HTTP', () => {
  let tracker: RunningTracker;
  let nowS = 0;
  beforeEach(async () => {
    nowS = 0;
    tracker = await startTracker({
      host: HOST,
      port: 0,
      seed: 1,
      clockS: () => nowS,
      limits: { intervalS: 120, minIntervalS: 15, peerTimeoutS: 300, maxScrapeHashes: 3 },
    });
  });
  afterEach(async () => {
    await tracker.close();
  });

  it('says where it listens', () => {
    expect(tracker.announceUrl).toBe(`http://127.0.0.1:${tracker.port}/announce`);
  });

  it('answers an announce with interval, min interval, counts and compact peers (BEP 23)', async () => {
    const first = await ask(tracker, announcePath(1, '&event=started'));
    expect(first.status).toBe(200);
    expect(first.body.get('interval')).toBe(120);
    expect(first.body.get('min interval')).toBe(15);
    expect(compact(first.body.get('peers'))).toEqual([]);
    await ask(tracker, announcePath(2, '&event=started&left=0').replace('&left=10', ''));
    const third = await ask(tracker, announcePath(3, '&compact=1'));
    expect(compact(third.body.get('peers'))).toEqual(['127.0.0.1:6001', '127.0.0.1:6002']);
    expect(third.body.get('complete')).toBe(1);
    expect(third.body.get('incomplete')).toBe(2);
    expect((third.body.get('peers6') as Uint8Array).length).toBe(0);
  });

  it('answers with a dictionary peer list when asked for one, peer ids and all unless told not to', async () => {
    await ask(tracker, announcePath(1));
    const reply = await ask(tracker, announcePath(2, '&compact=0'));
    const peers = reply.body.get('peers') as Map<string, Bencoded>[];
    expect(peers).toHaveLength(1);
    expect(Buffer.from(peers[0]?.get('ip') as Uint8Array).toString()).toBe('127.0.0.1');
    expect(peers[0]?.get('port')).toBe(6001);
    expect(Buffer.from(peers[0]?.get('peer id') as Uint8Array).toString()).toBe(peerId(1));
    const bare = await ask(tracker, announcePath(2, '&compact=0&no_peer_id=1'));
    expect((bare.body.get('peers') as Map<string, Bencoded>[])[0]?.has('peer id')).toBe(false);
  });

  it('forgets a peer on stopped, and one that stops announcing', async () => {
    await ask(tracker, announcePath(1));
    await ask(tracker, announcePath(2));
    await ask(tracker, announcePath(1, '&event=stopped'));
    expect(compact((await ask(tracker, announcePath(3))).body.get('peers'))).toEqual(['127.0.0.1:6002']);
    nowS = 200;
    await ask(tracker, announcePath(3));
    nowS = 400;
    tracker.swarms.forget(nowS);
    expect(compact((await ask(tracker, announcePath(4))).body.get('peers'))).toEqual(['127.0.0.1:6003']);
  });

  it('scrapes (BEP 48): seeds, leechers and completed downloads by info-hash', async () => {
    await ask(tracker, announcePath(1));
    await ask(tracker, announcePath(2, '&event=completed').replace('&left=10', '&left=0'));
    const reply = await ask(tracker, `/scrape?info_hash=${HASH}&info_hash=${OTHER_HASH}`);
    const files = reply.body.get('files') as Map<string, Map<string, Bencoded>>;
    const key = (byte: number) => String.fromCharCode(byte).repeat(20);
    expect(Object.fromEntries(files.get(key(0xaa)) ?? [])).toEqual({
      complete: 1,
      downloaded: 1,
      incomplete: 1,
    });
    expect(Object.fromEntries(files.get(key(0xbb)) ?? [])).toEqual({
      complete: 0,
      downloaded: 0,
      incomplete: 0,
    });
  });

  it.each([
    ['no info_hash', '/announce?peer_id=-SL0001-000000000001&port=1&left=0', 'info_hash is missing'],
    [
      'a short info_hash',
      `/announce?info_hash=abc&peer_id=${peerId(1)}&port=1&left=0`,
      'info_hash is 3 bytes, not 20',
    ],
    ['two info_hash', `${announcePath(1)}&info_hash=${HASH}`, 'info_hash is given 2 times'],
    ['a short peer_id', `/announce?info_hash=${HASH}&peer_id=x&port=1&left=0`, 'peer_id is 1 bytes, not 20'],
    ['port 0', announcePath(1).replace('port=6001', 'port=0'), 'port is not from 1 to 65535'],
    ['port 70000', announcePath(1).replace('port=6001', 'port=70000'), 'port is not from 1 to 65535'],
    ['no left', announcePath(1).replace('&left=10', ''), 'left is missing'],
    ['a negative left', announcePath(1).replace('left=10', 'left=-1'), "left is not a whole number: '-1'"],
    [
      'a huge uploaded',
      announcePath(1).replace('uploaded=0', 'uploaded=99999999999999999999'),
      "uploaded is not a whole number: '99999999999999999999'",
    ],
    [
      'an unknown event',
      announcePath(1, '&event=exploded'),
      "event 'exploded' is none of started, completed, stopped",
    ],
    ['bad percent-encoding', announcePath(1, '&x=%zz'), "malformed percent-encoding in 'x=%zz'"],
    ['an unknown path', '/admin', 'no such path; ask /announce or /scrape'],
    ['a full scrape', '/scrape', 'a scrape names at least one info_hash (a full scrape is not offered)'],
    [
      'a scrape of too many',
      `/scrape?info_hash=${HASH}`.repeat(1) + `&info_hash=${HASH}`.repeat(3),
      'a scrape names at most 3 info_hash',
    ],
    [
      'a third party as ip',
      announcePath(1, '&ip=192.0.2.7'),
      'ip may only name a loopback address, from a loopback address',
    ],
  ])('answers %s with a bencoded failure reason', async (_what, path, reason) => {
    const reply = await ask(tracker, path);
    expect(failureOf(reply)).toBe(reason);
    expect(tracker.swarms.peerCount).toBe(0);
  });

  it('answers a POST, with a body it never reads, with a failure reason', async () => {
    expect(failureOf(await ask(tracker, announcePath(1), { method: 'POST' }))).toBe(
      'only GET requests are answered',
    );
  });

  it('answers garbage and an over-long request with a failure reason, and stays up', async () => {
    const garbage = await raw(tracker, '\x00\x13BitTorrent protocol garbage\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 .*d14:failure reason19:not an HTTP requeste$/s);
    const long = await raw(tracker, `GET /announce?${'x'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    expect(long).toMatch(/d14:failure reason23:the request is too longe$/);
    expect((await ask(tracker, announcePath(1))).body.get('interval')).toBe(120);
  });

  it('gives out a loopback ip a peer names from a loopback address', async () => {
    await ask(tracker, announcePath(1, '&ip=127.0.0.9'));
    await ask(tracker, announcePath(2), { localAddress: '127.0.0.2' });
    expect(compact((await ask(tracker, announcePath(3))).body.get('peers'))).toEqual([
      '127.0.0.2:6002',
      '127.0.0.9:6001',
    ]);
  });

  it('answers any query with a bencoded dictionary: peers or a failure reason', async () => {
    const field = fc.oneof(
      fc.constantFrom(
        `info_hash=${HASH}`,
        `info_hash=${OTHER_HASH}`,
        `peer_id=${peerId(1)}`,
        'port=6881',
        'port=0',
        'left=0',
        'left=5',
        'event=started',
        'event=stopped',
        'compact=0',
        'numwant=999999',
        'ip=127.0.0.3',
      ),
      fc
        .tuple(
          fc.constantFrom('info_hash', 'peer_id', 'port', 'left', 'event', 'numwant', 'x'),
          fc.string({ maxLength: 12 }),
        )
        .map(([name, value]) => `${name}=${encodeURIComponent(value)}`),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/announce', '/scrape'),
        fc.array(field, { maxLength: 8 }),
        async (path, fields) => {
          const reply = await ask(tracker, `${path}?${fields.join('&')}`);
          expect(reply.status).toBe(200);
          const keys = [...reply.body.keys()];
          expect(keys.includes('failure reason') || keys.includes('interval') || keys.includes('files')).toBe(
            true,
          );
        },
      ),
      { numRuns: 150 },
    );
    // Two torrents, one peer id, two addresses: whatever was asked, at most four peers are remembered.
    expect(tracker.swarms.peerCount).toBeLessThanOrEqual(4);
  });
});
