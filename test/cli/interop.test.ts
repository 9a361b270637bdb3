// Interop on loopback with real BitTorrent clients: swarmlab downloads from an aria2c seed; aria2c and
// qBittorrent (qbittorrent-nox) download from a swarmlab seed, meeting it through `swarmlab tracker`.
// Every client, swarmlab's own included, runs as a process inside one network namespace that this file
// makes, with only `lo` up (on the host's loopback where namespaces are not permitted, saying so); each
// gets its own 127.0.0.x address, and DHT, local peer discovery, PEX and UPnP are off in each. A test is
// skipped, saying so, only when its client is not installed (in CI it fails instead).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readTorrentFile } from '../../src/bittorrent/net/metainfo.ts';
import { ARIA2_OFFLINE } from '../bittorrent/support/aria2-offline.mjs';
import { freePort } from '../bittorrent/support/free-port.mjs';
import { skipWithout } from '../bittorrent/support/installed.ts';
import { openNetNamespace } from '../bittorrent/support/net-namespace.ts';
import { startOpentracker } from '../bittorrent/support/opentracker.ts';
import { makeTorrent, type Running, start, startSwarmlab } from './live-processes.ts';
import { makeTempDir, removeTempDirs } from './spawn.ts';

// Skipped when a client is missing, except in CI, where the test fails and says what is missing.
const HAVE_ARIA2 = !skipWithout('aria2c');
const HAVE_QBITTORRENT = !skipWithout('qbittorrent-nox');
const HAVE_OPENTRACKER = !skipWithout('opentracker');
if (!HAVE_OPENTRACKER)
  process.stderr.write(
    'interop: opentracker is not installed (apt-get install opentracker): skipping its test\n',
  );
if (!HAVE_ARIA2)
  process.stderr.write('interop: aria2c is not installed (apt-get install aria2): skipping its tests\n');
if (!HAVE_QBITTORRENT)
  process.stderr.write(
    'interop: qbittorrent-nox is not installed (apt-get install qbittorrent-nox): skipping its test\n',
  );

/** aria2c without DHT, local peer discovery or PEX (it has no UPnP); notices, to see it listen. */
const ARIA2_ALONE = [
  ...ARIA2_OFFLINE,
  '--console-log-level=notice',
  '--bt-tracker-connect-timeout=2',
  '--bt-tracker-timeout=2',
];

const namespace = await openNetNamespace();
process.stderr.write(`interop: ${namespace.reason}\n`);

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await namespace.close();
  await removeTempDirs();
});

function keep(process: Running): Running {
  running.push(process);
  return process;
}

/** A 3 MiB file (not a whole number of pieces) and its torrent, announcing to `tracker`. */
async function shareFile(tracker: string): Promise<{ dir: string; torrent: string; content: Buffer }> {
  const dir = await makeTempDir('interop');
  const content = randomBytes(3 * 2 ** 20 + 4321);
  await mkdir(join(dir, 'data'));
  await writeFile(join(dir, 'data', 'file.bin'), content);
  const torrent = await makeTorrent(join(dir, 'data', 'file.bin'), tracker, join(dir, 'file.torrent'));
  return { dir, torrent, content };
}

/** `swarmlab ARGS` inside the namespace, to its end; its exit code and output. */
async function swarmlab(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const child = keep(startSwarmlab(args, namespace));
  const code = await child.exited;
  return { code, output: child.output() };
}

async function startTracker(host: string): Promise<string> {
  // A short interval: a client that announced before the seed hears of it again within seconds.
  const tracker = keep(
    startSwarmlab(['tracker', '--host', host, '--port', '0', '--interval', '5'], namespace),
  );
  const [, port] = await tracker.waitFor(new RegExp(`${host.replaceAll('.', '\\.')}:(\\d+)`));
  return `http://${host}:${port}/announce`;
}

async function startSeed(torrent: string, data: string, host: string): Promise<number> {
  const seed = keep(
    startSwarmlab(['seed', torrent, '--data', data, '--host', host, '--port', '0', '--verbose'], namespace),
  );
  const [, port] = await seed.waitFor(/on [\d.]+:(\d+)/);
  return Number(port);
}

/** Waits until `path` holds exactly `content` (a client writing it), or fails after `timeoutMs`. */
async function untilFileIs(
  path: string,
  content: Buffer,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = await readFile(path).catch(() => undefined);
    if (got?.equals(content)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${path} never held the file:\n${what()}`);
}

describe('interop with real BitTorrent clients, on loopback', () => {
  it.skipIf(!namespace.isolated)('runs its clients where only lo is up', async () => {
    const links = keep(start('ip', ['-o', 'link', 'show'], { namespace }));
    expect(await links.exited, links.output()).toBe(0);
    expect(links.output().match(/^\d+: [^:]+/gm)).toEqual(['1: lo']);
  });

  it.skipIf(!HAVE_ARIA2)('swarmlab gets a file from an aria2c seed', async () => {
    const { dir, torrent, content } = await shareFile('http://127.0.0.1:9/announce');
    const port = await freePort('127.0.0.41');
    const aria = keep(
      start(
        'aria2c',
        [
          ...ARIA2_ALONE,
          '--interface=127.0.0.41',
          `--listen-port=${port}`,
          '--check-integrity=true',
          '--seed-ratio=0.0',
          '-d',
          join(dir, 'data'),
          torrent,
        ],
        { namespace },
      ),
    );
    await aria.waitFor(/listening on TCP port/);
    const out = join(dir, 'out');
    const got = await swarmlab([
      'get',
      torrent,
      '--out',
      out,
      '--host',
      '127.0.0.42',
      '--peer',
      `127.0.0.41:${port}`,
      '--no-tracker',
    ]);
    expect(got.code, `${got.output}\n${aria.output()}`).toBe(0);
    expect((await readFile(join(out, 'file.bin'))).equals(content)).toBe(true);
  });

  it.skipIf(!HAVE_ARIA2)('aria2c gets a file from a swarmlab seed, through swarmlab tracker', async () => {
    const tracker = await startTracker('127.0.0.43');
    const { dir, torrent, content } = await shareFile(tracker);
    await startSeed(torrent, join(dir, 'data'), '127.0.0.44');
    const out = join(dir, 'out');
    const port = await freePort('127.0.0.45');
    const aria = keep(
      start(
        'aria2c',
        [
          ...ARIA2_ALONE,
          '--interface=127.0.0.45',
          `--listen-port=${port}`,
          '--seed-time=0',
          '-d',
          out,
          torrent,
        ],
        { namespace },
      ),
    );
    expect(await aria.exited, aria.output()).toBe(0);
    expect((await readFile(join(out, 'file.bin'))).equals(content)).toBe(true);
  });

  it.skipIf(!HAVE_OPENTRACKER)('swarmlab peers meet through opentracker', async () => {
    // opentracker answers only the info-hashes it is given; the info-hash does not depend on the tracker.
    const first = await shareFile('http://127.0.0.1:9/announce');
    const { infoHash } = await readTorrentFile(first.torrent);
    const tracker = await startOpentracker('127.0.0.49', [infoHash], namespace);
    try {
      const torrent = await makeTorrent(
        join(first.dir, 'data', 'file.bin'),
        tracker.announceUrl,
        join(first.dir, 'via-opentracker.torrent'),
      );
      await startSeed(torrent, join(first.dir, 'data'), '127.0.0.50');
      const out = join(first.dir, 'out');
      const got = await swarmlab(['get', torrent, '--out', out, '--host', '127.0.0.51']);
      expect(got.code, got.output).toBe(0);
      expect((await readFile(join(out, 'file.bin'))).equals(first.content)).toBe(true);
    } finally {
      await tracker.stop();
    }
  });

  it.skipIf(!HAVE_QBITTORRENT)(
    'qBittorrent gets a file from a swarmlab seed, through swarmlab tracker',
    async () => {
      const tracker = await startTracker('127.0.0.46');
      const { dir, torrent, content } = await shareFile(tracker);
      await startSeed(torrent, join(dir, 'data'), '127.0.0.47');
      const out = join(dir, 'out');
      const profile = join(dir, 'qbt');
      await mkdir(join(profile, 'qBittorrent', 'config'), { recursive: true });
      const port = await freePort('127.0.0.48');
      await writeFile(
        join(profile, 'qBittorrent', 'config', 'qBittorrent.conf'),
        qbittorrentConfig(port, out),
      );
      const webPort = await freePort('127.0.0.1');
      const qbt = keep(
        start(
          'qbittorrent-nox',
          [`--profile=${profile}`, `--webui-port=${webPort}`, `--save-path=${out}`, torrent],
          { namespace },
        ),
      );
      await untilFileIs(join(out, 'file.bin'), content, 60_000, () => qbt.output());
    },
  );
});

/** qBittorrent alone on 127.0.0.48: no DHT, local peer discovery, PEX or UPnP; the legal notice accepted. */
function qbittorrentConfig(port: number, out: string): string {
  return [
    '[LegalNotice]',
    'Accepted=true',
    '',
    '[BitTorrent]',
    'Session\\DHTEnabled=false',
    'Session\\LSDEnabled=false',
    'Session\\PeXEnabled=false',
    `Session\\Port=${port}`,
    'Session\\InterfaceAddress=127.0.0.48',
    'Session\\Interface=lo',
    'Session\\InterfaceName=lo',
    `Session\\DefaultSavePath=${out}`,
    'Session\\AddTorrentPaused=false',
    '',
    '[Preferences]',
    'Connection\\UPnP=false',
    'General\\Locale=en',
    'WebUI\\LocalHostAuth=false',
    'WebUI\\Address=127.0.0.1',
    '',
  ].join('\n');
}
