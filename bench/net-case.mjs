// One live-swarm download on loopback, in processes of their own: a tracker (`swarmlab tracker`), one
// seed, and N leechers started together, all of one client (swarmlab's compiled CLI, or aria2c). The
// seed is made ready first (listening and announced); the time is from the leechers' start (so with
// their start-up: process, torrent, folder, tracker) to the last one's exit with every byte on disk.
// Prints the wall times as JSON. Called by bench/bench.ts (`npm run bench -- net`).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARIA2_OFFLINE } from '../test/bittorrent/support/aria2-offline.mjs';
import { freePort } from '../test/bittorrent/support/free-port.mjs';

const { client, leechers, sizeMiB } = JSON.parse(process.argv[2]);
const CLI = fileURLToPath(new URL('../bin/swarmlab.js', import.meta.url));
/** As every aria2c of the tests, with notices (to see it listen). */
const ARIA2_ALONE = [...ARIA2_OFFLINE, '--console-log-level=notice'];
const children = [];

/** Starts a program; `ready` resolves with the first match of `pattern` in its output. */
function run(command, args, pattern) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    const look = (chunk) => {
      output += chunk;
      const match = pattern?.exec(output);
      if (match) resolve(match);
    };
    child.stdout.setEncoding('utf8').on('data', look);
    child.stderr.setEncoding('utf8').on('data', look);
    void exited.then((code) => reject(new Error(`${command} exited (${code}) before ready:\n${output}`)));
  });
  // Awaited only where a pattern was given; elsewhere its rejection at exit is no error.
  ready.catch(() => {});
  return { child, ready, exited, output: () => output };
}

const swarmlab = (args, pattern) => run(process.execPath, [CLI, ...args], pattern);

const sha1 = (bytes) => createHash('sha1').update(bytes).digest('hex');
const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-net-'));
try {
  const content = randomBytes(sizeMiB * 2 ** 20);
  await writeFile(join(dir, 'file.bin'), content);
  const tracker = swarmlab(['tracker', '--host', '127.0.0.60', '--port', '0'], /127\.0\.0\.60:(\d+)/);
  const [, trackerPort] = await tracker.ready;
  const torrent = join(dir, 'file.torrent');
  const made = swarmlab([
    'make-torrent',
    join(dir, 'file.bin'),
    '--tracker',
    `http://127.0.0.60:${trackerPort}/announce`,
    '-o',
    torrent,
  ]);
  if ((await made.exited) !== 0) throw new Error(`make-torrent failed:\n${made.output()}`);
  const infoHash = /info-hash ([0-9a-f]{40})/.exec(made.output())[1];
  const seed =
    client === 'swarmlab'
      ? swarmlab(['seed', torrent, '--data', dir, '--host', '127.0.0.61', '--port', '0'], /seeding/)
      : run(
          'aria2c',
          [
            ...ARIA2_ALONE,
            '--interface=127.0.0.61',
            `--listen-port=${await freePort('127.0.0.61')}`,
            '--bt-seed-unverified=true',
            '--seed-ratio=0.0',
            '-d',
            dir,
            torrent,
          ],
          /listening on TCP port/,
        );
  await seed.ready;
  await untilTrackerKnowsOne(trackerPort, infoHash);
  const outs = Array.from({ length: leechers }, (_, i) => join(dir, `out${i}`));
  const startedMs = performance.now();
  const finishedMs = [];
  const runs = await Promise.all(
    outs.map(async (out, i) => {
      const host = `127.0.0.${70 + i}`;
      const leecher =
        client === 'swarmlab'
          ? swarmlab(['get', torrent, '--out', out, '--host', host, '-q', '--json', `${out}.json`])
          : run('aria2c', [
              ...ARIA2_ALONE,
              `--interface=${host}`,
              `--listen-port=${await freePort(host)}`,
              '--seed-time=0',
              '-d',
              out,
              torrent,
            ]);
      const code = await leecher.exited;
      finishedMs.push(performance.now() - startedMs);
      return { code, output: leecher.output() };
    }),
  );
  for (const [i, r] of runs.entries()) {
    if (r.code !== 0) throw new Error(`leecher ${i} exited ${r.code}:\n${r.output}`);
    const got = await readFile(join(outs[i], 'file.bin'));
    if (sha1(got) !== sha1(content)) throw new Error(`leecher ${i} wrote other bytes`);
  }
  // Where a swarmlab leecher's time went, from its results: until its peer was made (process start,
  // modules, the torrent, the folder), until its first connection (tracker), and the transfer.
  const phases = [];
  if (client === 'swarmlab') {
    for (const [i, out] of outs.entries()) {
      const results = JSON.parse(await readFile(`${out}.json`, 'utf8'));
      const openedS = Math.min(...results.live.connections.map((c) => c.openedS));
      const completedS = results.peers[0].completedS;
      phases.push({ wallS: finishedMs[i] / 1000, openedS, completedS });
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      phases,
      client,
      leechers,
      sizeMiB,
      firstMs: Math.min(...finishedMs),
      lastMs: Math.max(...finishedMs),
      meanMs: finishedMs.reduce((a, b) => a + b, 0) / finishedMs.length,
    })}\n`,
  );
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}

/** Polls the tracker's scrape until it counts a peer in the swarm (the seed has announced). */
async function untilTrackerKnowsOne(port, infoHash) {
  const query = infoHash.replace(/../g, '%$&');
  for (let i = 0; i < 200; i++) {
    const text = await fetch(`http://127.0.0.60:${port}/scrape?info_hash=${query}`)
      .then((r) => r.arrayBuffer())
      .then((b) => Buffer.from(b).toString('latin1'))
      .catch(() => '');
    if (/8:completei[1-9]/.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the seed never announced');
}
