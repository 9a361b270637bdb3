// The floor for the net benchmark's live swarm: the same bytes moved, hashed and written by plain Node
// processes with no protocol at all, on the same machine in the same run. One seed and N leechers, each
// a process of its own (`node` on this file, not the CLI); the seed sends each leecher an equal share of
// the 256 KiB pieces, and every leecher forwards each piece it gets from the seed to every other
// leecher, as a perfectly scheduled swarm would: each leecher receives the whole file once, the seed
// uploads it once, and the leechers upload the rest among themselves. No handshakes, no messages but
// `index + piece`, no choking, no requests, no time-outs. Every piece is SHA-1 checked and written
// (page cache) before the leecher forwards it. The time is from the leechers' start to the last one's
// exit, as bench/net-case.mjs times a swarm. Prints the wall times as JSON.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/bittorrent/support/free-port.mjs';

const PIECE = 256 * 1024;
const HEADER = 4;
const SELF = fileURLToPath(import.meta.url);
const sha1 = (bytes) => createHash('sha1').update(bytes).digest('hex');

/** A whole run may take this long; then its processes are killed and the case fails. */
const DEADLINE_MS = 120_000;

const [, , input, role] = process.argv;
const options = JSON.parse(input);
if (role === 'seed' || role === 'leecher') {
  // A child ends with its parent: the parent holds the child's stdin, which closes when it goes.
  // Unreferenced: a leecher still exits once its work is done.
  process.stdin
    .on('close', () => process.exit(3))
    .resume()
    .unref();
  if (role === 'seed') await seed(options);
  else await leecher(options);
} else {
  await main(options);
}

async function main({ leechers, sizeMiB }) {
  if (!Number.isInteger(sizeMiB) || sizeMiB < 1) throw new Error('sizeMiB must be a whole number of MiB');
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-floor-'));
  const children = [];
  const cleanUp = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  let stopping = false;
  const onSignal = (signal) => {
    stopping = true;
    void cleanUp().then(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const deadline = setTimeout(() => {
    process.stderr.write(`the floor run took over ${DEADLINE_MS / 1000} s\n`);
    void cleanUp().then(() => process.exit(1));
  }, DEADLINE_MS);
  try {
    const content = randomBytes(sizeMiB * 2 ** 20);
    const file = join(dir, 'file.bin');
    await writeFile(file, content);
    const hashes = [];
    for (let at = 0; at < content.length; at += PIECE) hashes.push(sha1(content.subarray(at, at + PIECE)));
    await writeFile(join(dir, 'hashes.json'), JSON.stringify(hashes));
    const ports = await Promise.all(Array.from({ length: leechers + 1 }, (_, i) => freePort(host(i))));
    const shared = { dir, leechers, ports, pieces: hashes.length };
    const seedChild = start({ ...shared, me: 0 }, 'seed', children);
    await seedChild.ready;
    const startedMs = performance.now();
    const finishedMs = [];
    await Promise.all(
      Array.from({ length: leechers }, async (_, i) => {
        const child = start({ ...shared, me: i + 1 }, 'leecher', children);
        const code = await child.exited;
        finishedMs.push(performance.now() - startedMs);
        if (stopping) return;
        if (code !== 0) throw new Error(`floor leecher ${i} exited ${code}:\n${child.output()}`);
        const got = await readFile(join(dir, `out${i + 1}.bin`));
        if (sha1(got) !== sha1(content)) throw new Error(`floor leecher ${i} wrote other bytes`);
      }),
    );
    if (stopping) return;
    process.stdout.write(
      `${JSON.stringify({ leechers, sizeMiB, firstMs: Math.min(...finishedMs), lastMs: Math.max(...finishedMs) })}\n`,
    );
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await cleanUp();
  }
}

/** Peer 0 is the seed, peer i the i-th leecher, each on an address of its own. */
function host(peer) {
  return peer === 0 ? '127.0.0.81' : `127.0.0.${90 + peer}`;
}

function start(options, role, children) {
  const child = spawn(process.execPath, [SELF, JSON.stringify(options), role], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const exited = new Promise((resolve) => child.on('close', resolve));
  const ready = new Promise((resolve, reject) => {
    const look = (chunk) => {
      output += chunk;
      if (output.includes('ready')) resolve();
    };
    child.stdout.setEncoding('utf8').on('data', look);
    child.stderr.setEncoding('utf8').on('data', look);
    void exited.then(() => reject(new Error(`floor ${role} exited before ready:\n${output}`)));
  });
  ready.catch(() => {});
  return { child, ready, exited, output: () => output };
}

/** `index + piece`, one frame per piece. */
function frame(index, piece) {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(index);
  return [header, piece];
}

/** Serves leecher i (1..N) the pieces i-1, i-1+N, ... once it has connected, then waits to be killed. */
async function seed({ dir, leechers, ports }) {
  const content = await readFile(join(dir, 'file.bin'));
  const server = createServer((socket) => {
    socket.once('data', (hello) => {
      const peer = hello.readUInt32BE(0);
      for (let index = peer - 1; index * PIECE < content.length; index += leechers) {
        for (const part of frame(index, content.subarray(index * PIECE, (index + 1) * PIECE)))
          socket.write(part);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(ports[0], host(0), () => process.stdout.write('ready\n'));
}

/**
 * Gets its share from the seed and forwards each piece to the other leechers; gets theirs from them.
 * Leecher i dials the seed and every leecher j < i (retrying while j starts listening), and accepts
 * the leechers j > i; each connection starts with the dialler's number.
 */
async function leecher({ dir, leechers, ports, pieces, me }) {
  const hashes = JSON.parse(await readFile(join(dir, 'hashes.json'), 'utf8'));
  const out = await open(join(dir, `out${me}.bin`), 'w');
  const peers = [];
  let held = 0;
  let writes = Promise.resolve();
  let done = () => {};
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  const keep = (index, piece, fromSeed) => {
    if (sha1(piece) !== hashes[index]) throw new Error(`piece ${index} failed its hash`);
    writes = writes.then(() => out.write(piece, 0, piece.length, index * PIECE));
    if (fromSeed) for (const peer of peers) for (const part of frame(index, piece)) peer.write(part);
    held++;
    if (held === pieces) done();
  };
  const server = createServer((socket) => {
    socket.once('data', (hello) => {
      peers.push(socket);
      readFrames(socket, hello.subarray(HEADER), (index, piece) => keep(index, piece, false));
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(ports[me], host(me), resolve));
  for (let other = 1; other < me; other++) {
    const socket = await dial(ports[other], host(other), me);
    peers.push(socket);
    readFrames(socket, Buffer.alloc(0), (index, piece) => keep(index, piece, false));
  }
  // The seed is dialled once every leecher this one dials is connected (the last leecher's forwarders
  // connect to it in turn, as they start): pieces forwarded before a peer connects would be lost, so the
  // seed's share waits until this leecher holds a connection to each other leecher.
  await until(() => peers.length === leechers - 1);
  const fromSeed = await dial(ports[0], host(0), me);
  readFrames(fromSeed, Buffer.alloc(0), (index, piece) => keep(index, piece, true));
  // A connection that ends before every piece is here would leave this leecher waiting for ever.
  for (const socket of [fromSeed, ...peers]) {
    socket.on('close', () => {
      if (held === pieces) return;
      process.stderr.write(`a connection closed with ${held} of ${pieces} pieces here\n`);
      process.exit(1);
    });
  }
  await finished;
  await writes;
  await out.close();
  for (const peer of peers) peer.end();
  fromSeed.destroy();
  server.close();
}

async function until(condition) {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('the other leechers never connected');
}

async function dial(port, address, me) {
  for (let attempt = 0; attempt < 500; attempt++) {
    const socket = await new Promise((resolve) => {
      const s = connect(port, address, () => resolve(s));
      s.once('error', () => resolve(undefined));
    });
    if (socket !== undefined) {
      const hello = Buffer.alloc(HEADER);
      hello.writeUInt32BE(me);
      socket.write(hello);
      socket.on('error', () => {});
      return socket;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`could not reach ${address}:${port}`);
}

/** Cuts a byte stream into `index + piece` frames (every piece here is PIECE bytes). */
function readFrames(socket, first, onPiece) {
  let pending = [];
  let pendingBytes = 0;
  const take = (chunk) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    while (pendingBytes >= HEADER + PIECE) {
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
      onPiece(all.readUInt32BE(0), all.subarray(HEADER, HEADER + PIECE));
      const rest = all.subarray(HEADER + PIECE);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    }
  };
  if (first.length > 0) take(first);
  socket.on('data', take);
}
