// The tracker client against Debian's opentracker, on loopback: peers meet through a tracker that is not
// ours. opentracker must be installed (`.ci/run` does it); without it the test is skipped, except in CI.
// On the host's loopback, not in a namespace: the client under test runs in this process, which cannot
// enter one (test/cli/interop.test.ts runs swarmlab and opentracker in a namespace, as processes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnounceParams,
  announce,
  infoHashKey,
  scrape,
} from '../../../../src/bittorrent/net/tracker-client.ts';
import { isInstalled, skipWithout } from '../../support/installed.ts';
import { type Opentracker, startOpentracker } from '../../support/opentracker.ts';

const HOST = '127.0.0.1';
const LISTED = new Uint8Array(20).map((_, i) => 200 - i);
const UNLISTED = new Uint8Array(20).fill(9);
const installed = isInstalled('opentracker');

function params(n: number, overrides: Partial<AnnounceParams> = {}): AnnounceParams {
  return {
    infoHash: LISTED,
    peerId: new TextEncoder().encode(`-SL0001-${String(n).padStart(12, '0')}`),
    port: 7000 + n,
    uploaded: 0,
    downloaded: 0,
    left: 1000,
    ...overrides,
  };
}

describe.skipIf(skipWithout('opentracker'))('tracker client against opentracker', () => {
  let tracker: Opentracker;
  beforeAll(async () => {
    expect(installed, 'opentracker is not installed (apt-get install opentracker)').toBe(true);
    tracker = await startOpentracker(HOST, [LISTED]);
  });
  afterAll(async () => {
    await tracker?.stop();
  });

  it('announces, and the next peer hears of the first (opentracker answers in the compact form only)', async () => {
    const first = await announce(tracker.announceUrl, params(1, { event: 'started' }));
    expect(first.ok).toBe(true);
    const second = await announce(tracker.announceUrl, params(2, { event: 'started' }));
    expect(second.ok && second.peers.map((peer) => `${peer.host}:${peer.port}`)).toContain(`${HOST}:7001`);
    expect(second.ok && second.intervalS).toBeGreaterThan(0);
    expect(second.ok && second.incomplete).toBe(2);
    // Asked for a dictionary list, Debian's opentracker answers 400; the client says so.
    expect(await announce(tracker.announceUrl, params(3, { compact: false }))).toEqual({
      ok: false,
      reason: 'HTTP status 400',
    });
  });

  it('counts completed and forgets stopped, as its scrape shows', async () => {
    await announce(tracker.announceUrl, params(1, { event: 'completed', left: 0 }));
    await announce(tracker.announceUrl, params(2, { event: 'stopped' }));
    const scraped = await scrape(tracker.announceUrl, [LISTED]);
    expect(scraped.ok).toBe(true);
    if (!scraped.ok) return;
    expect(scraped.files.get(infoHashKey(LISTED))).toEqual({ complete: 1, downloaded: 1, incomplete: 0 });
  });

  it("gives opentracker's failure reason for a torrent not on its list", async () => {
    const answer = await announce(tracker.announceUrl, params(4, { infoHash: UNLISTED }));
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.reason).toMatch(/^the tracker says: .*not authorized/);
  });
});
