// `swarmlab seed` and `swarmlab get` as processes on loopback: a multi-file torrent moves exactly, through
// the given peer or through `swarmlab tracker`, and both write results that `swarmlab report` reads.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/read.ts';
import type { SwarmResults } from '../../src/results/swarm.ts';
import { makeTorrent, type Running, startSwarmlab } from './live-processes.ts';
import { makeTempDir, removeTempDirs, swarmlab } from './spawn.ts';

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(removeTempDirs);

/** A folder of two files whose lengths are not multiples of the piece length, and its torrent. */
async function shareFolder(
  tracker: string,
): Promise<{ dir: string; torrent: string; files: Map<string, Buffer> }> {
  const dir = await makeTempDir('net-live');
  const files = new Map([
    ['a.bin', randomBytes(300_000)],
    ['sub/b.bin', randomBytes(1_000_003)],
  ]);
  for (const [name, bytes] of files) {
    await mkdir(join(dir, 'data', 'share', name, '..'), { recursive: true });
    await writeFile(join(dir, 'data', 'share', name), bytes);
  }
  const torrent = await makeTorrent(join(dir, 'data', 'share'), tracker, join(dir, 'share.torrent'));
  return { dir, torrent, files };
}

async function expectSameFiles(out: string, files: Map<string, Buffer>): Promise<void> {
  for (const [name, bytes] of files) {
    const got = await readFile(join(out, 'share', name));
    expect(got.equals(bytes), name).toBe(true);
  }
}

function startSeed(args: readonly string[]): Running {
  const seed = startSwarmlab(['seed', ...args]);
  running.push(seed);
  return seed;
}

describe('swarmlab seed and swarmlab get on loopback', () => {
  it('gets a multi-file torrent from a seed given by --peer, exactly, and both write results', async () => {
    const { dir, torrent, files } = await shareFolder('http://127.0.0.1:9/announce');
    const seed = startSeed([
      torrent,
      '--data',
      join(dir, 'data'),
      '--host',
      '127.0.0.21',
      '--port',
      '0',
      '--no-tracker',
      '--json',
      join(dir, 'seed.json'),
    ]);
    const [, port] = await seed.waitFor(/on 127\.0\.0\.21:(\d+)/);
    const out = join(dir, 'out');
    const got = await swarmlab([
      'get',
      torrent,
      '--out',
      out,
      '--host',
      '127.0.0.22',
      '--peer',
      `127.0.0.21:${port}`,
      '--no-tracker',
      '--json',
      join(dir, 'get.json'),
    ]);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/got share \(1\.2 MiB\) into .* from 1 peer, 0 hash failures/);
    await expectSameFiles(out, files);
    expect(await seed.stop()).toBe(0);
    expect(seed.output()).toMatch(/stopped seeding: sent 1\.2 MiB/);
    const leecher = await readResults(join(dir, 'get.json'));
    expect(leecher.format).toBe('swarmlab-swarm-run');
    expect((leecher as { runtime?: string }).runtime).toBe('net');
    const seeder = (await readResults(join(dir, 'seed.json'))) as SwarmResults;
    expect(seeder.peers[0]?.bytesUp).toBe(1_300_003);
    // A live run and its seed's view draw on one report page.
    const report = await swarmlab([
      'report',
      join(dir, 'get.json'),
      join(dir, 'seed.json'),
      '-o',
      join(dir, 'r.html'),
    ]);
    expect(report.code, report.stderr).toBe(0);
  });

  it('meets through swarmlab tracker, and a second get finds everything already there', async () => {
    const tracker = startSwarmlab(['tracker', '--host', '127.0.0.23', '--port', '0']);
    running.push(tracker);
    const [, trackerPort] = await tracker.waitFor(/127\.0\.0\.23:(\d+)/);
    const { dir, torrent, files } = await shareFolder(`http://127.0.0.23:${trackerPort}/announce`);
    const seed = startSeed([torrent, '--data', join(dir, 'data'), '--host', '127.0.0.24', '--port', '0']);
    await seed.waitFor(/on 127\.0\.0\.24:\d+/);
    const out = join(dir, 'out');
    const got = await swarmlab(['get', torrent, '--out', out, '--host', '127.0.0.25']);
    expect(got.code, got.stderr).toBe(0);
    await expectSameFiles(out, files);
    const again = await swarmlab(['get', torrent, '--out', out, '--host', '127.0.0.25']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0\.0 MiB at .* 0 hash failures; 20 pieces were already there/);
  });

  it('refuses a torrent file that is not one, with exit 2 and what is wrong', async () => {
    const dir = await makeTempDir('net-bad');
    await writeFile(join(dir, 'bad.torrent'), 'd4:infoi3ee');
    const got = await swarmlab(['get', join(dir, 'bad.torrent'), '--out', join(dir, 'out')]);
    expect(got.code).toBe(2);
    expect(got.stderr).toMatch(/bad\.torrent: /);
    expect(got.stderr).not.toMatch(/\n\s+at /);
  });
});
