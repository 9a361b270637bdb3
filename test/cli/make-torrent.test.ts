import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTorrent } from '../../src/bittorrent/net/metainfo.ts';
import { runCli } from './in-process.ts';
import { listDir, makeTempDir, removeTempDirs } from './spawn.ts';

const TRACKER = 'http://127.0.0.1:6969/announce';

afterAll(removeTempDirs);

/** `swarmlab make-torrent INPUT --tracker TRACKER -o OUTPUT ...flags`, in this process. */
function make(input: string, output: string, ...flags: string[]) {
  return runCli(['make-torrent', input, '--tracker', TRACKER, '-o', output, ...flags]);
}

describe('swarmlab make-torrent', () => {
  it('writes a .torrent of a folder and says what it holds', async () => {
    const dir = await makeTempDir('make');
    await mkdir(join(dir, 'share', 'sub'), { recursive: true });
    await writeFile(join(dir, 'share', 'one'), 'x'.repeat(40_000));
    await writeFile(join(dir, 'share', 'sub', 'two'), 'y'.repeat(10));
    const out = join(dir, 'share.torrent');
    const run = await make(join(dir, 'share'), out, '--piece-length', '16KiB');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const meta = parseTorrent(await readFile(out), out);
    expect(run.stdout).toBe(
      `wrote ${out}\n2 files in share/: 40010 bytes in 3 pieces of 16384; info-hash ${Buffer.from(meta.infoHash).toString('hex')}\n`,
    );
    expect(meta.announce).toBe(TRACKER);
    expect(meta.files.map((file) => file.path.join('/'))).toEqual(['share/one', 'share/sub/two']);
  });

  it('prints only what it wrote with -q', async () => {
    const dir = await makeTempDir('make-quiet');
    await writeFile(join(dir, 'file.bin'), 'data');
    const out = join(dir, 'file.torrent');
    const run = await make(join(dir, 'file.bin'), out, '-q');
    expect(run.stdout).toBe(`wrote ${out}\n`);
    expect(run.code).toBe(0);
  });

  it.each([
    [
      ['--piece-length', '1000'],
      '--piece-length: a piece length is a power of two from 16384 (16 KiB) to 67108864 (64 MiB) bytes, got 1000',
    ],
    [['--piece-length', 'big'], '--piece-length: expected a size like "700 MB", got "big"'],
    [
      ['--tracker', 'tracker.example'],
      "--tracker takes a URL such as http://HOST:PORT/announce, got 'tracker.example'",
    ],
  ])('refuses %j with exit 2, writing nothing', async (flags, message) => {
    const dir = await makeTempDir('make-bad');
    await writeFile(join(dir, 'file.bin'), 'data');
    const run = await make(join(dir, 'file.bin'), join(dir, 'x.torrent'), ...flags);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(await listDir(dir)).toEqual(['file.bin']);
  });

  it('refuses a missing path, and a name it would refuse to download, with exit 2', async () => {
    const dir = await makeTempDir('make-names');
    const missing = await make(join(dir, 'nothing'), join(dir, 'x.torrent'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`swarmlab: ${join(dir, 'nothing')}: no such file or folder\n`);
    await mkdir(join(dir, 'odd'));
    await writeFile(join(dir, 'odd', 'line\nbreak'), 'x');
    const odd = await make(join(dir, 'odd'), join(dir, 'x.torrent'));
    expect(odd.code).toBe(2);
    expect(odd.stderr).toContain("info.files[0].path[0]: 'line\\x0abreak' holds a control character");
    expect(await listDir(dir)).toEqual(['odd']);
  });

  it('refuses to write the .torrent over its own input', async () => {
    const dir = await makeTempDir('make-self');
    await writeFile(join(dir, 'file.bin'), 'data');
    const run = await make(join(dir, 'file.bin'), join(dir, 'file.bin'));
    expect(run.code).toBe(2);
    expect(await readFile(join(dir, 'file.bin'), 'utf8')).toBe('data');
  });
});
