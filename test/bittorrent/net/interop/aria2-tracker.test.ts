// aria2c reads the .torrent files make-torrent writes, and two aria2c meet through `swarmlab tracker`
// and move a file between them: our tracker and our .torrent files work with a client that is not ours.
// Loopback only, inside a network namespace of this file's own with only `lo` up where namespaces are
// permitted; each aria2c on its own 127.0.0.x address. Skipped without aria2c, except in CI.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BencodeDict, decodeBencode } from '../../../../src/bittorrent/net/bencode.ts';
import { makeTorrent } from '../../../../src/bittorrent/net/make-torrent.ts';
import { type Running, start, startSwarmlab } from '../../../cli/live-processes.ts';
import { type Aria2, runAria2c } from '../../support/aria2.ts';
import { freePort } from '../../support/free-port.mjs';
import { isInstalled, skipWithout } from '../../support/installed.ts';
import { type NetNamespace, openNetNamespace } from '../../support/net-namespace.ts';

const installed = isInstalled('aria2c');

/** A script for `node -e`: the body at URL argv[1], in hex on stdout. */
const FETCH_HEX =
  'fetch(process.argv[1]).then((r) => r.arrayBuffer()).then((b) => process.stdout.write(Buffer.from(b).toString("hex")))';

/** How many seeds the tracker at `announceUrl` counts for `infoHash`, asked from inside `namespace`. */
async function seedsCounted(
  namespace: NetNamespace,
  announceUrl: string,
  infoHash: Uint8Array,
): Promise<unknown> {
  const query = [...infoHash].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  const url = `${announceUrl.replace(/\/announce$/, '/scrape')}?info_hash=${query}`;
  const fetched = start(process.execPath, ['-e', FETCH_HEX, url], { namespace });
  expect(await fetched.exited, fetched.output()).toBe(0);
  const answer = decodeBencode(Buffer.from(fetched.output(), 'hex')) as BencodeDict;
  const files = answer.get('files') as BencodeDict;
  return (files.get(Buffer.from(infoHash).toString('latin1')) as BencodeDict | undefined)?.get('complete');
}

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

/** Asks every 100 ms, 100 times at most, until the tracker counts a seed. */
async function untilSeedCounted(namespace: NetNamespace, announceUrl: string, infoHash: Uint8Array) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await seedsCounted(namespace, announceUrl, infoHash)) === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the aria2c seed never announced to the tracker');
}

describe.skipIf(skipWithout('aria2c'))('aria2c with make-torrent and swarmlab tracker', () => {
  let dir: string;
  let namespace: NetNamespace;
  const running: (Aria2 | Running)[] = [];
  beforeAll(async () => {
    expect(installed, 'aria2c is not installed (apt-get install aria2)').toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-aria2-'));
    namespace = await openNetNamespace();
    process.stderr.write(`aria2c interop: ${namespace.reason}\n`);
  });
  afterAll(async () => {
    for (const child of running) await child.stop();
    await namespace?.close();
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
    // A short interval: a leecher that missed the seed at its first announce hears of it again soon.
    const tracker = startSwarmlab(
      ['tracker', '--host', '127.0.0.1', '--port', '0', '--interval', '5', '-q'],
      namespace,
    );
    running.push(tracker);
    const [announceUrl] = await tracker.waitFor(/http:\S+\/announce/);
    const data = content(3 * 2 ** 20 + 12_345, 7);
    const seedDir = join(dir, 'seed');
    const leechDir = join(dir, 'leech');
    await mkdir(seedDir);
    await mkdir(leechDir);
    await writeFile(join(seedDir, 'payload.bin'), data);
    const { bytes, metainfo } = await makeTorrent(join(seedDir, 'payload.bin'), { tracker: announceUrl });
    const torrentPath = join(dir, 'payload.torrent');
    await writeFile(torrentPath, bytes);
    const seed = runAria2c(
      [
        `--dir=${seedDir}`,
        '--interface=127.0.0.2',
        `--listen-port=${await freePort('127.0.0.2')}`,
        '--check-integrity=true',
        '--seed-ratio=0.0',
        torrentPath,
      ],
      namespace,
    );
    running.push(seed);
    // The tracker's interval is minutes: the leecher starts once the seed is known, to meet it at once.
    await untilSeedCounted(namespace, announceUrl, metainfo.infoHash);
    const leech = runAria2c(
      [
        `--dir=${leechDir}`,
        '--interface=127.0.0.3',
        `--listen-port=${await freePort('127.0.0.3')}`,
        '--seed-time=0',
        '--bt-stop-timeout=60',
        torrentPath,
      ],
      namespace,
    );
    running.push(leech);
    const code = await leech.exited;
    expect(code, `leecher: ${leech.output()}\nseed: ${seed.output()}`).toBe(0);
    const got = await readFile(join(leechDir, 'payload.bin'));
    expect(createHash('sha1').update(got).digest('hex')).toBe(createHash('sha1').update(data).digest('hex'));
    // The leecher could only have found the seed through our tracker, which still counts the seed.
    expect(await seedsCounted(namespace, announceUrl, metainfo.infoHash)).toBe(1);
  });
});
