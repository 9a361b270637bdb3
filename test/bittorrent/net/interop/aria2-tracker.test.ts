// aria2c reads the .torrent files make-torrent writes, and two aria2c meet through `swarmlab tracker`
// and move a file between them: our tracker and our .torrent files work with a client that is not ours.
// Loopback only; each aria2c on its own 127.0.0.x address. Skipped without aria2c, except in CI.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTorrent } from '../../../../src/bittorrent/net/make-torrent.ts';
import { type RunningTracker, startTracker } from '../../../../src/bittorrent/net/tracker-server.ts';
import { type Aria2, runAria2c } from '../../support/aria2.ts';
import { isInstalled, skipWithout } from '../../support/installed.ts';
import { freePort } from '../../support/opentracker.ts';

const installed = isInstalled('aria2c');

/** Bytes that do not repeat within a piece, so that a misplaced block fails its hash. */
function content(length: number, salt: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = salt >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

describe.skipIf(skipWithout('aria2c'))('aria2c with make-torrent and swarmlab tracker', () => {
  let dir: string;
  const running: Aria2[] = [];
  beforeAll(async () => {
    expect(installed, 'aria2c is not installed (apt-get install aria2)').toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-aria2-'));
  });
  afterAll(async () => {
    for (const aria2 of running) await aria2.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the files of a multi-file torrent as make-torrent wrote them', async () => {
    const root = join(dir, 'listed');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'a.bin'), content(70_000, 1));
    await writeFile(join(root, 'sub', 'b.txt'), 'hello');
    const { bytes, metainfo } = await makeTorrent(root, {
      tracker: 'http://127.0.0.1:1/announce',
      pieceLength: 16_384,
    });
    await writeFile(join(dir, 'listed.torrent'), bytes);
    const aria2 = runAria2c(['--show-files=true', join(dir, 'listed.torrent')]);
    running.push(aria2);
    expect(await aria2.exited).toBe(0);
    const shown = aria2.output();
    expect(shown).toContain(`Info Hash: ${Buffer.from(metainfo.infoHash).toString('hex')}`);
    expect(shown).toContain('Mode: multi');
    expect(shown).toContain('The Number of Pieces: 5');
    expect(shown).toMatch(/\.\/listed\/a\.bin\s*\n\s*\|[^\n]*\(70,000\)/);
    expect(shown).toMatch(/\.\/listed\/sub\/b\.txt\s*\n\s*\|[^\n]*\(5\)/);
  });

  it('lets an aria2c seed and an aria2c leecher meet through swarmlab tracker', async () => {
    const tracker: RunningTracker = await startTracker({
      host: '127.0.0.1',
      port: 0,
      limits: { intervalS: 5, minIntervalS: 1 },
    });
    try {
      const data = content(3 * 2 ** 20 + 12_345, 7);
      const seedDir = join(dir, 'seed');
      const leechDir = join(dir, 'leech');
      await mkdir(seedDir);
      await mkdir(leechDir);
      await writeFile(join(seedDir, 'payload.bin'), data);
      const { bytes, metainfo } = await makeTorrent(join(seedDir, 'payload.bin'), {
        tracker: tracker.announceUrl,
      });
      const torrentPath = join(dir, 'payload.torrent');
      await writeFile(torrentPath, bytes);
      const seed = runAria2c([
        `--dir=${seedDir}`,
        '--interface=127.0.0.2',
        `--listen-port=${await freePort('127.0.0.2')}`,
        '--check-integrity=true',
        '--seed-ratio=0.0',
        torrentPath,
      ]);
      running.push(seed);
      const leech = runAria2c([
        `--dir=${leechDir}`,
        '--interface=127.0.0.3',
        `--listen-port=${await freePort('127.0.0.3')}`,
        '--seed-time=0',
        '--bt-stop-timeout=60',
        torrentPath,
      ]);
      running.push(leech);
      const code = await leech.exited;
      expect(code, `leecher: ${leech.output()}\nseed: ${seed.output()}`).toBe(0);
      const got = await readFile(join(leechDir, 'payload.bin'));
      expect(createHash('sha1').update(got).digest('hex')).toBe(
        createHash('sha1').update(data).digest('hex'),
      );
      // The leecher could only have found the seed through our tracker, which still counts the seed.
      expect(tracker.swarms.scrape(Buffer.from(metainfo.infoHash).toString('latin1')).complete).toBe(1);
    } finally {
      await tracker.close();
    }
  });
});
