// What a live download of `sizeMiB` is made of, each part alone on this machine, so that the net
// benchmark can say where the time goes: SHA-1 of every piece (node:crypto), writing the pieces to a
// file (the page cache: no fsync, as no client syncs each piece), moving the bytes through a loopback
// TCP connection in 16 KiB blocks, and starting the compiled CLI. Prints milliseconds as JSON.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { sizeMiB } = JSON.parse(process.argv[2]);
const PIECE = 256 * 1024;
const BLOCK = 16 * 1024;
const content = randomBytes(sizeMiB * 2 ** 20);

function timed(work) {
  const start = performance.now();
  return Promise.resolve(work()).then(() => performance.now() - start);
}

const hashMs = await timed(() => {
  for (let at = 0; at < content.length; at += PIECE)
    createHash('sha1')
      .update(content.subarray(at, at + PIECE))
      .digest();
});

const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-parts-'));
const diskMs = await timed(async () => {
  const file = await open(join(dir, 'file.bin'), 'w');
  for (let at = 0; at < content.length; at += PIECE) await file.write(content, at, PIECE, at);
  await file.close();
});
await rm(dir, { recursive: true, force: true });

const socketMs = await timed(
  () =>
    new Promise((resolve) => {
      let received = 0;
      const server = createServer((socket) => {
        socket.on('data', (chunk) => {
          received += chunk.length;
          if (received === content.length) {
            socket.destroy();
            server.close();
            resolve();
          }
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const client = connect(server.address().port, '127.0.0.1', () => {
          for (let at = 0; at < content.length; at += BLOCK) client.write(content.subarray(at, at + BLOCK));
          client.end();
        });
      });
    }),
);

const cli = fileURLToPath(new URL('../bin/swarmlab.js', import.meta.url));
const startupMs = await timed(() => execFileSync(process.execPath, [cli, '--version']));

process.stdout.write(`${JSON.stringify({ hashMs, diskMs, socketMs, startupMs })}\n`);
