import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/bittorrent/net/bencode.ts';
import { type Metainfo, parseTorrent } from '../../../src/bittorrent/net/metainfo.ts';
import { PART_SUFFIX, PieceStore, pathUnder } from '../../../src/bittorrent/net/storage.ts';
import { InputError } from '../../../src/util/input-error.ts';

/** A multi-file torrent of the given files (paths below the name), and its bytes end to end. */
function torrentOf(
  files: readonly (readonly [readonly string[], number])[],
  pieceLength: number,
  name = 'swarm',
): { meta: Metainfo; whole: Uint8Array; contents: Uint8Array[] } {
  let seed = 1;
  const contents = files.map(([, length]) =>
    new Uint8Array(length).map(() => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed >>> 24;
    }),
  );
  const whole = Buffer.concat(contents);
  const pieces: Buffer[] = [];
  for (let at = 0; at < whole.length; at += pieceLength)
    pieces.push(
      createHash('sha1')
        .update(whole.subarray(at, at + pieceLength))
        .digest(),
    );
  const bytes = encodeBencode({
    announce: 'http://127.0.0.1:1/announce',
    info: {
      name,
      'piece length': pieceLength,
      pieces: Buffer.concat(pieces),
      files: files.map(([path, length]) => ({ path: [...path], length })),
    },
  });
  return { meta: parseTorrent(bytes, 'test.torrent'), whole, contents };
}

const pieceOf = (meta: Metainfo, whole: Uint8Array, index: number) =>
  whole.subarray(index * meta.pieceLength, index * meta.pieceLength + meta.pieceSize(index));

/** Every file under `dir`, as paths relative to it. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** Files of 10, 0, 25 and 7 bytes in pieces of 16: pieces 0 and 1 cross file boundaries. */
const FILES = [
  [['a'], 10],
  [['empty'], 0],
  [['sub', 'b'], 25],
  [['sub', 'c'], 7],
] as const;

describe('PieceStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes verified pieces through temporary names, renaming each file as its last piece lands', async () => {
    const { meta, whole, contents } = torrentOf(FILES, 16);
    const out = join(dir, 'out');
    const store = await PieceStore.open(meta, out, 'download');
    expect(store.held.count).toBe(0);
    // The empty file is complete from the start.
    expect(await listing(out)).toEqual(['swarm/empty']);
    expect(await store.writePiece(2, pieceOf(meta, whole, 2))).toBe(true);
    // Piece 2 holds the end of b and all of c: c is complete, b is not.
    expect(await listing(out)).toEqual(['swarm/empty', `swarm/sub/b${PART_SUFFIX}`, 'swarm/sub/c']);
    expect(await store.writePiece(0, pieceOf(meta, whole, 0))).toBe(true);
    // Piece 0 holds all of a and the start of b: a is complete, b is not.
    expect(await listing(out)).toEqual([
      'swarm/a',
      'swarm/empty',
      `swarm/sub/b${PART_SUFFIX}`,
      'swarm/sub/c',
    ]);
    expect(store.complete).toBe(false);
    expect(await store.writePiece(1, pieceOf(meta, whole, 1))).toBe(true);
    expect(store.complete).toBe(true);
    expect(await listing(out)).toEqual(['swarm/a', 'swarm/empty', 'swarm/sub/b', 'swarm/sub/c']);
    const paths = ['a', 'empty', 'sub/b', 'sub/c'];
    for (const [i, path] of paths.entries())
      expect(await readFile(join(out, 'swarm', path))).toEqual(Buffer.from(contents[i] as Uint8Array));
    await store.close();
  });

  it('refuses a piece that fails its hash, and writes nothing of it', async () => {
    const { meta, whole } = torrentOf(FILES, 16);
    const store = await PieceStore.open(meta, dir, 'download');
    const bad = Uint8Array.from(pieceOf(meta, whole, 1));
    bad[3] = (bad[3] as number) ^ 1;
    expect(await store.writePiece(1, bad)).toBe(false);
    expect(await store.writePiece(1, pieceOf(meta, whole, 1).subarray(1))).toBe(false);
    expect(store.held.has(1)).toBe(false);
    expect(await listing(dir)).toEqual(['swarm/empty']);
    await expect(store.writePiece(3, pieceOf(meta, whole, 2))).rejects.toThrow(RangeError);
    await store.close();
  });

  it('reads blocks across file boundaries, in any order the pieces were written', async () => {
    const { meta, whole } = torrentOf(FILES, 16);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([0, 1, 2], { minLength: 3 }), async (order) => {
        const out = await mkdtemp(join(dir, 'run-'));
        const store = await PieceStore.open(meta, out, 'download');
        for (const index of order) await store.writePiece(index, pieceOf(meta, whole, index));
        // Reads overlap: the store runs them one at a time.
        const blocks = await Promise.all([
          store.readBlock(0, 5, 11),
          store.readBlock(1, 0, 16),
          store.readBlock(2, 0, 10),
          store.readBlock(0, 0, 16),
        ]);
        expect(Buffer.from(blocks[0] as Uint8Array)).toEqual(Buffer.from(whole.subarray(5, 16)));
        expect(Buffer.from(blocks[1] as Uint8Array)).toEqual(Buffer.from(whole.subarray(16, 32)));
        expect(Buffer.from(blocks[2] as Uint8Array)).toEqual(Buffer.from(whole.subarray(32, 42)));
        await expect(store.readBlock(2, 0, 11)).rejects.toThrow(RangeError);
        await store.close();
      }),
      { numRuns: 6 },
    );
  });

  it('refuses to read a piece it does not hold', async () => {
    const { meta } = torrentOf(FILES, 16);
    const store = await PieceStore.open(meta, dir, 'download');
    await expect(store.readBlock(0, 0, 16)).rejects.toThrow('piece 0 is not held');
    await store.close();
  });

  it('resumes: at open it rehashes what is on disk, final and temporary names alike', async () => {
    const { meta, whole, contents } = torrentOf(FILES, 16);
    const first = await PieceStore.open(meta, dir, 'download');
    await first.writePiece(0, pieceOf(meta, whole, 0));
    await first.writePiece(2, pieceOf(meta, whole, 2));
    await first.close();
    const second = await PieceStore.open(meta, dir, 'download');
    expect([0, 1, 2].map((i) => second.held.has(i))).toEqual([true, false, true]);
    await second.writePiece(1, pieceOf(meta, whole, 1));
    expect(second.complete).toBe(true);
    await second.close();
    expect(await readFile(join(dir, 'swarm', 'sub', 'b'))).toEqual(Buffer.from(contents[2] as Uint8Array));
    // A complete folder is held whole again, and nothing is renamed.
    const third = await PieceStore.open(meta, dir, 'download');
    expect(third.complete).toBe(true);
    await third.close();
    expect(await listing(dir)).toEqual(['swarm/a', 'swarm/empty', 'swarm/sub/b', 'swarm/sub/c']);
  });

  it('counts a damaged piece as missing, and moves a damaged file back to its temporary name', async () => {
    const { meta, whole } = torrentOf(FILES, 16);
    const damaged = Buffer.from(whole.subarray(10, 35));
    damaged[20] = (damaged[20] as number) ^ 0xff; // byte 30: piece 1
    await mkdir(join(dir, 'swarm', 'sub'), { recursive: true });
    await writeFile(join(dir, 'swarm', 'a'), whole.subarray(0, 10));
    await writeFile(join(dir, 'swarm', 'sub', 'b'), damaged);
    const store = await PieceStore.open(meta, dir, 'download');
    expect([0, 1, 2].map((i) => store.held.has(i))).toEqual([true, false, false]);
    expect(await listing(dir)).toEqual(['swarm/a', 'swarm/empty', `swarm/sub/b${PART_SUFFIX}`]);
    await store.writePiece(1, pieceOf(meta, whole, 1));
    await store.writePiece(2, pieceOf(meta, whole, 2));
    expect(store.complete).toBe(true);
    await store.close();
    expect(await readFile(join(dir, 'swarm', 'sub', 'b'))).toEqual(Buffer.from(whole.subarray(10, 35)));
  });

  it('cuts a file that is longer than the torrent says to its length', async () => {
    const { meta, whole } = torrentOf([[['only'], 20]], 16);
    await mkdir(join(dir, 'swarm'));
    await writeFile(join(dir, 'swarm', 'only'), Buffer.concat([whole, Buffer.from('trailing')]));
    const store = await PieceStore.open(meta, dir, 'download');
    expect(store.complete).toBe(true);
    await store.close();
    expect(await readFile(join(dir, 'swarm', 'only'))).toEqual(Buffer.from(whole));
  });

  it('seeds from complete data without writing anything, and holds nothing of missing files', async () => {
    const { meta, whole } = torrentOf(FILES, 16);
    const empty = await PieceStore.open(meta, join(dir, 'nowhere'), 'seed');
    expect(empty.held.count).toBe(0);
    await expect(empty.writePiece(0, pieceOf(meta, whole, 0))).rejects.toThrow('writes nothing');
    await empty.close();
    expect(await readdir(dir)).toEqual([]);
    await mkdir(join(dir, 'swarm', 'sub'), { recursive: true });
    await writeFile(join(dir, 'swarm', 'a'), whole.subarray(0, 10));
    await writeFile(join(dir, 'swarm', 'empty'), '');
    await writeFile(join(dir, 'swarm', 'sub', 'b'), whole.subarray(10, 35));
    await writeFile(join(dir, 'swarm', 'sub', 'c'), whole.subarray(35));
    const store = await PieceStore.open(meta, dir, 'seed');
    expect(store.complete).toBe(true);
    expect(Buffer.from(await store.readBlock(2, 0, 10))).toEqual(Buffer.from(whole.subarray(32)));
    await store.close();
  });

  it('writes nothing through a symbolic link in the output folder', async () => {
    const { meta, whole } = torrentOf(FILES, 16);
    const outside = join(dir, 'outside');
    const out = join(dir, 'out');
    await mkdir(outside);
    await mkdir(join(out, 'swarm'), { recursive: true });
    await symlink(outside, join(out, 'swarm', 'sub'));
    const store = await PieceStore.open(meta, out, 'download');
    await expect(store.writePiece(2, pieceOf(meta, whole, 2))).rejects.toThrow(InputError);
    expect(await readdir(outside)).toEqual([]);
    await store.close();
  });

  it('opens no file through a symbolic link planted at a temporary name', async () => {
    const { meta, whole } = torrentOf([[['only'], 20]], 16);
    const outside = join(dir, 'victim');
    await writeFile(outside, 'keep me');
    await mkdir(join(dir, 'out', 'swarm'), { recursive: true });
    await symlink(outside, join(dir, 'out', 'swarm', `only${PART_SUFFIX}`));
    const store = await PieceStore.open(meta, join(dir, 'out'), 'download');
    await expect(store.writePiece(0, pieceOf(meta, whole, 0))).rejects.toThrow(/ELOOP|symbolic/);
    await store.close();
    expect(await readFile(outside, 'utf8')).toBe('keep me');
  });

  it('keeps paths inside the folder even if handed components that would leave it', () => {
    expect(pathUnder('/out', ['swarm', 'a'])).toBe('/out/swarm/a');
    expect(pathUnder('/out', ['..foo'])).toBe('/out/..foo');
    for (const bad of [['..'], ['a', '..', '..'], ['/etc/passwd'], ['.'], []])
      expect(() => pathUnder('/out', bad)).toThrow(InputError);
  });

  it('refuses a torrent that names a file as another file’s temporary name', async () => {
    const { meta } = torrentOf(
      [
        [['x'], 5],
        [[`x${PART_SUFFIX}`], 5],
      ],
      16,
    );
    await expect(PieceStore.open(meta, dir, 'download')).rejects.toThrow(InputError);
  });

  it('keeps a bounded number of files open, closing the oldest, with pieces across many files', async () => {
    const files = Array.from(
      { length: 70 },
      (_, i) => [[`f${String(i).padStart(2, '0')}`], 7 + (i % 5)] as const,
    );
    const { meta, whole, contents } = torrentOf(files, 64);
    const store = await PieceStore.open(meta, dir, 'download');
    for (let index = meta.pieceCount - 1; index >= 0; index--)
      expect(await store.writePiece(index, pieceOf(meta, whole, index))).toBe(true);
    expect(store.complete).toBe(true);
    const reads = await Promise.all(
      Array.from({ length: meta.pieceCount }, (_, index) => store.readBlock(index, 0, meta.pieceSize(index))),
    );
    expect(Buffer.concat(reads)).toEqual(Buffer.from(whole));
    await store.close();
    for (const [i, [path]] of files.entries())
      expect(await readFile(join(dir, 'swarm', ...path))).toEqual(Buffer.from(contents[i] as Uint8Array));
  });
});
