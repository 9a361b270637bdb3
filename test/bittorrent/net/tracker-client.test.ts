// The tracker client against our tracker and against small servers that misbehave, on loopback only.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnounceParams,
  announce,
  infoHashKey,
  scrape,
  scrapeUrl,
} from '../../../src/bittorrent/net/tracker-client.ts';
import { type RunningTracker, startTracker } from '../../../src/bittorrent/net/tracker-server.ts';

const HOST = '127.0.0.1';
const INFO_HASH = new Uint8Array(20).map((_, i) => i * 13 + 1);

function params(n: number, overrides: Partial<AnnounceParams> = {}): AnnounceParams {
  return {
    infoHash: INFO_HASH,
    peerId: new TextEncoder().encode(`-SL0001-${String(n).padStart(12, '0')}`),
    port: 6000 + n,
    uploaded: 0,
    downloaded: 0,
    left: 100,
    ...overrides,
  };
}

/** An HTTP server on loopback that answers every request with `handler`. */
async function serve(
  handler: Parameters<typeof createHttpServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://${HOST}:${port}/announce`, server };
}

const close = (server: { close(callback: () => void): unknown }) =>
  new Promise<void>((resolve) => server.close(() => resolve()));

describe('announce against swarmlab tracker', () => {
  let tracker: RunningTracker;
  beforeAll(async () => {
    tracker = await startTracker({
      host: HOST,
      port: 0,
      seed: 3,
      limits: { intervalS: 90, minIntervalS: 10 },
    });
  });
  afterAll(async () => {
    await tracker.close();
  });

  it('reads the compact answer: peers, interval, min interval, counts', async () => {
    const first = await announce(tracker.announceUrl, params(1, { event: 'started' }));
    expect(first).toEqual({
      ok: true,
      intervalS: 90,
      minIntervalS: 10,
      peers: [],
      complete: 0,
      incomplete: 1,
    });
    const second = await announce(tracker.announceUrl, params(2, { event: 'started', left: 0 }));
    expect(second.ok && second.peers).toEqual([{ host: HOST, port: 6001 }]);
  });

  it('reads the dictionary answer, with peer ids', async () => {
    const answer = await announce(tracker.announceUrl, params(3, { compact: false, numwant: 10 }));
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.peers.map((peer) => `${peer.host}:${peer.port}`).sort()).toEqual([
      '127.0.0.1:6001',
      '127.0.0.1:6002',
    ]);
    expect(answer.peers.every((peer) => peer.peerId?.length === 20)).toBe(true);
  });

  it('says completed and stopped, as the scrape then shows', async () => {
    await announce(tracker.announceUrl, params(1, { event: 'completed', left: 0 }));
    await announce(tracker.announceUrl, params(3, { event: 'stopped' }));
    const scraped = await scrape(tracker.announceUrl, [INFO_HASH, new Uint8Array(20)]);
    expect(scraped.ok).toBe(true);
    if (!scraped.ok) return;
    expect(scraped.files.get(infoHashKey(INFO_HASH))).toEqual({ complete: 2, downloaded: 1, incomplete: 0 });
    expect(scraped.files.get(infoHashKey(new Uint8Array(20)))).toEqual({
      complete: 0,
      downloaded: 0,
      incomplete: 0,
    });
  });

  it("gives the tracker's failure reason", async () => {
    const answer = await announce(tracker.announceUrl, params(4, { port: 0 }));
    expect(answer).toEqual({ ok: false, reason: 'the tracker says: port is not from 1 to 65535' });
  });

  it('asks from the local address it is given, which the tracker gives out', async () => {
    await announce(tracker.announceUrl, params(5), { localAddress: '127.0.0.5' });
    const answer = await announce(tracker.announceUrl, params(6, { numwant: 50 }));
    expect(answer.ok && answer.peers.some((peer) => peer.host === '127.0.0.5' && peer.port === 6005)).toBe(
      true,
    );
  });
});

describe('announce against trackers that fail', () => {
  it('gives up after its time-out on a tracker that never answers', async () => {
    const silent = createTcpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, HOST, resolve));
    const { port } = silent.address() as { port: number };
    const answer = await announce(`http://${HOST}:${port}/announce`, params(1), { timeoutMs: 200 });
    expect(answer).toEqual({ ok: false, reason: 'no answer within 200 ms' });
    silent.close();
  });

  it('stops reading an answer longer than its bound', async () => {
    const { url, server } = await serve((_request, response) => {
      response.write('d8:intervali1e5:peers');
      response.end(`${1_000_000}:${'x'.repeat(1_000_000)}e`);
    });
    const answer = await announce(url, params(1), { maxResponseBytes: 10_000 });
    expect(answer).toEqual({ ok: false, reason: 'the answer is longer than 10000 bytes' });
    await close(server);
  });

  it.each([
    ['an answer that is not bencode', 200, 'hello', /^the answer is not bencode \(byte 0: /],
    ['an error page', 502, '<html>bad gateway</html>', /^HTTP status 502$/],
    ['an answer without interval', 200, 'd5:peers0:e', /^the answer has no 'interval'$/],
    [
      'compact peers cut short',
      200,
      'd8:intervali1e5:peers5:abcdee',
      /^compact peers are not a multiple of 6 bytes$/,
    ],
    ['a list that is not one', 200, 'li1ee', /^the answer is not a bencoded dictionary$/],
  ])('fails on %s', async (_what, status, body, reason) => {
    const { url, server } = await serve((_request, response) => {
      response.writeHead(status);
      response.end(body);
    });
    const answer = await announce(url, params(1));
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.reason).toMatch(reason);
    await close(server);
  });

  it('reads keys out of order and skips unusable dictionary peers', async () => {
    const body =
      'd5:peersld4:porti0e2:ip3:x.ye' + 'd2:ip9:127.0.0.74:porti7000eed2:ip4:a b!4:porti1eee8:intervali30ee';
    const { url, server } = await serve((_request, response) => response.end(body));
    const answer = await announce(url, params(1));
    expect(answer).toEqual({ ok: true, intervalS: 30, peers: [{ host: '127.0.0.7', port: 7000 }] });
    await close(server);
  });

  it('fails on a refused connection and on a URL it cannot use', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, HOST, resolve));
    const { port } = closed.address() as { port: number };
    await close(closed);
    const refused = await announce(`http://${HOST}:${port}/announce`, params(1));
    expect(refused.ok).toBe(false);
    expect(await announce('udp://127.0.0.1:1/announce', params(1))).toEqual({
      ok: false,
      reason: 'udp: trackers are not supported (http and https are)',
    });
    expect(await announce('not a url', params(1))).toEqual({ ok: false, reason: "'not a url' is not a URL" });
  });
});

describe('scrapeUrl (BEP 48)', () => {
  it.each([
    ['http://t.example/announce', 'http://t.example/scrape'],
    ['http://t.example/x/announce.php?k=1', 'http://t.example/x/scrape.php?k=1'],
    ['http://t.example/announce?a=announce', 'http://t.example/scrape?a=announce'],
    ['http://t.example/a', undefined],
    ['http://t.example/x/announce/y', undefined],
  ])('%s scrapes at %s', (announceUrl, expected) => {
    expect(scrapeUrl(announceUrl)).toBe(expected);
  });
});
