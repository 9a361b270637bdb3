import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bencodable, encodeBencode } from '../../../src/bittorrent/net/bencode.ts';
import { makeTorrent } from '../../../src/bittorrent/net/make-torrent.ts';
import { parseTorrent, readTorrentFile } from '../../../src/bittorrent/net/metainfo.ts';
import { defaultPieceLength, MAX_PIECE_LENGTH } from '../../../src/bittorrent/net/piece-length.ts';
import { InputError } from '../../../src/util/input-error.ts';

const sha1 = (data: Uint8Array | string) => new Uint8Array(createHash('sha1').update(data).digest());
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const TRACKER = 'http://127.0.0.1:6969/announce';

/** A valid multi-file torrent's fields, to be broken one at a time. */
function info(
  overrides: Record<string, Bencodable | undefined> = {},
): Record<string, Bencodable | undefined> {
  return {
    name: 'folder',
    'piece length': 16,
    pieces: new Uint8Array(20 * 2),
    files: [
      { length: 10, path: ['a', 'b.txt'] },
      { length: 12, path: ['c.txt'] },
    ],
    ...overrides,
  };
}

function torrent(infoFields: Record<string, Bencodable | undefined>, root: Record<string, Bencodable> = {}) {
  return encodeBencode({ announce: TRACKER, info: infoFields, ...root });
}

/** What parseTorrent says is wrong with `bytes`. */
function problemOf(bytes: Uint8Array): string {
  try {
    parseTorrent(bytes, 'x.torrent');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('parsed without a problem');
}

describe('parseTorrent', () => {
  it('reads a multi-file torrent: paths under the name, offsets end to end, the last piece shorter', () => {
    const meta = parseTorrent(torrent(info()), 'x.torrent');
    expect(meta.name).toBe('folder');
    expect(meta.multiFile).toBe(true);
    expect(meta.files).toEqual([
      { path: ['folder', 'a', 'b.txt'], length: 10, offset: 0 },
      { path: ['folder', 'c.txt'], length: 12, offset: 10 },
    ]);
    expect(meta.totalLength).toBe(22);
    expect(meta.pieceCount).toBe(2);
    expect(meta.pieceSize(0)).toBe(16);
    expect(meta.pieceSize(1)).toBe(6);
    expect(meta.announce).toBe(TRACKER);
    expect(() => meta.pieceHash(2)).toThrow(RangeError);
  });

  it('hashes the info dictionary exactly as the file spells it, unknown keys and all', () => {
    const pieces = Buffer.alloc(20, 7).toString('latin1');
    const infoText = `d6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:${pieces}7:x-extrali1eee`;
    const file = Buffer.from(`d8:announce${TRACKER.length}:${TRACKER}4:info${infoText}e`, 'latin1');
    const meta = parseTorrent(file, 'x.torrent');
    expect(hex(meta.infoHash)).toBe(hex(sha1(Buffer.from(infoText, 'latin1'))));
    expect(meta.files).toEqual([{ path: ['x'], length: 5, offset: 0 }]);
    expect(meta.multiFile).toBe(false);
    expect([...meta.pieceHash(0)]).toEqual(Array(20).fill(7));
  });

  it('takes the first tracker of announce-list when there is no announce', () => {
    const bytes = encodeBencode({
      'announce-list': [[], ['http://a/announce', 'http://b/announce']],
      info: info(),
    });
    const meta = parseTorrent(bytes, 'x.torrent');
    expect(meta.announce).toBe('http://a/announce');
    expect(meta.announceList).toEqual([['http://a/announce', 'http://b/announce']]);
  });

  it.each([
    ['..', "x.torrent: info.files[0].path[0]: '..' would leave the output folder"],
    ['.', "x.torrent: info.files[0].path[0]: '.' would leave the output folder"],
    ['', 'x.torrent: info.files[0].path[0]: empty'],
    ['/etc', "x.torrent: info.files[0].path[0]: '/etc' holds a slash; a name must not be a path"],
    ['a\\..\\b', "x.torrent: info.files[0].path[0]: 'a\\\\..\\\\b' holds a slash; a name must not be a path"],
    ['C:evil', "x.torrent: info.files[0].path[0]: 'C:evil' starts with a drive letter"],
    ['a\u0000b', "x.torrent: info.files[0].path[0]: 'a\\x00b' holds a control character"],
    ['new\nline', "x.torrent: info.files[0].path[0]: 'new\\x0aline' holds a control character"],
    ['x'.repeat(256), 'x.torrent: info.files[0].path[0]: longer than 255 bytes'],
  ])('refuses the path component %j (exit 2)', (component, problem) => {
    const files = [{ length: 22, path: [component, 'f'] }];
    expect(problemOf(torrent(info({ files })))).toBe(problem);
  });

  it.each([
    [
      'a name that is a path',
      info({ name: '../up' }),
      "info.name: '../up' holds a slash; a name must not be a path",
    ],
    ['a name that is ..', info({ name: '..' }), "info.name: '..' would leave the output folder"],
    ['a name not in UTF-8', info({ name: new Uint8Array([0xff, 0xfe]) }), 'info.name: not UTF-8 text'],
    ['no info', undefined, 'info: missing'],
    [
      'a piece length of 0',
      info({ 'piece length': 0 }),
      `info.piece length: 0 is not from 1 to ${MAX_PIECE_LENGTH} bytes`,
    ],
    [
      'a huge piece length',
      info({ 'piece length': MAX_PIECE_LENGTH * 2 }),
      `info.piece length: ${MAX_PIECE_LENGTH * 2} is not from 1 to ${MAX_PIECE_LENGTH} bytes`,
    ],
    [
      'pieces too short',
      info({ pieces: new Uint8Array(39) }),
      'info.pieces: 39 bytes, expected 40 (20 for each of 2 pieces)',
    ],
    [
      'a negative length',
      info({ files: [{ length: -1, path: ['a'] }] }),
      'info.files[0].length: -1 is negative',
    ],
    ['length and files', info({ length: 3 }), "info: has both 'length' and 'files'"],
    ['no files', info({ files: [] }), 'info.files: empty'],
    ['an empty path', info({ files: [{ length: 22, path: [] }] }), 'info.files[0].path: empty'],
    [
      'a file named twice',
      info({
        files: [
          { length: 11, path: ['a'] },
          { length: 11, path: ['a'] },
        ],
      }),
      "info.files[1].path: 'a' names another file or folder too",
    ],
    [
      'a file that is also a folder',
      info({
        files: [
          { length: 11, path: ['a'] },
          { length: 11, path: ['a', 'b'] },
        ],
      }),
      "info.files[1].path: 'a' is a file of the torrent, not a folder",
    ],
    [
      'a folder that is also a file',
      info({
        files: [
          { length: 11, path: ['a', 'b'] },
          { length: 11, path: ['a'] },
        ],
      }),
      "info.files[1].path: 'a' names another file or folder too",
    ],
    [
      'no bytes at all',
      info({ files: [{ length: 0, path: ['a'] }], pieces: new Uint8Array(0) }),
      'info: the torrent holds no bytes',
    ],
    [
      'a length that is a string',
      info({ files: [{ length: '5', path: ['a'] }] }),
      'info.files[0].length: expected an integer, found a string',
    ],
    [
      'a path that is a string',
      info({ files: [{ length: 5, path: 'a' }] }),
      'info.files[0].path: expected a list, found a string',
    ],
  ])('refuses %s', (_what, fields, problem) => {
    const bytes =
      fields === undefined
        ? encodeBencode({ announce: TRACKER })
        : torrent(fields as Record<string, Bencodable>);
    expect(problemOf(bytes)).toBe(`x.torrent: ${problem}`);
  });

  it('refuses a torrent with no tracker, or a tracker that is not a URL', () => {
    expect(problemOf(encodeBencode({ info: info() }))).toBe(
      'x.torrent: announce: missing, and no announce-list; swarmlab finds peers only through a tracker',
    );
    expect(problemOf(torrent(info(), { announce: 'file:///etc/passwd' }))).toBe(
      "x.torrent: announce: 'file:///etc/passwd' is not a tracker URL",
    );
  });

  it('says what is wrong with bytes that are not bencode, and where', () => {
    expect(problemOf(Buffer.from('d8:announce'))).toBe(
      'x.torrent: not bencode: byte 11: input ends where a value was expected',
    );
    expect(problemOf(new Uint8Array(0))).toBe(
      'x.torrent: not bencode: byte 0: empty input, expected a value',
    );
  });

  it('never fails but with an InputError, and never lets a path out, whatever the bytes are mutated to', () => {
    const valid = torrent(info());
    const mutated = fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      })
      .chain((flips) =>
        fc.nat(valid.length).map((cut) => {
          const bytes = valid.slice(0, Math.max(cut, valid.length - 3));
          for (const [at, byte] of flips) if (at < bytes.length) bytes[at] = byte;
          return bytes;
        }),
      );
    fc.assert(
      fc.property(mutated, (bytes) => {
        try {
          expectPathsInside(parseTorrent(bytes, 'x.torrent').files.map((file) => file.path));
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
    );
  });

  it('keeps every path it accepts inside the output folder, whatever the names', () => {
    const name = fc.oneof(
      fc.constantFrom(
        '..',
        '.',
        '',
        '/',
        '\\',
        'C:',
        'c:\\x',
        '/abs',
        '..\\..',
        'a/../..',
        '\u0000',
        '~',
        '...',
      ),
      fc.string({ maxLength: 8, unit: 'binary' }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(name, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        name,
        (paths, top) => {
          const files = paths.map((path) => ({ length: 1, path }));
          const bytes = torrent({ name: top, 'piece length': 16, pieces: new Uint8Array(20), files });
          try {
            expectPathsInside(parseTorrent(bytes, 'x.torrent').files.map((file) => file.path));
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
          }
        },
      ),
    );
  });
});

function expectPathsInside(paths: readonly (readonly string[])[]): void {
  const out = resolve('/out');
  for (const path of paths) {
    const below = relative(out, resolve(out, ...path));
    expect(below.startsWith('..') || below === '' || below.includes('\u0000')).toBe(false);
    expect(path.length).toBeGreaterThan(0);
  }
}

describe('makeTorrent', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-make-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a single-file torrent whose pieces are the SHA-1s of the file', async () => {
    const data = new Uint8Array(100_000).map((_, i) => (i * 7919) % 251);
    const path = join(dir, 'one.bin');
    await writeFile(path, data);
    const { bytes, metainfo } = await makeTorrent(path, { tracker: TRACKER, pieceLength: 32_768 });
    const meta = parseTorrent(bytes, 'one.torrent');
    expect(meta.infoHash).toEqual(metainfo.infoHash);
    expect(meta.name).toBe('one.bin');
    expect(meta.pieceCount).toBe(4);
    for (let i = 0; i < 4; i++)
      expect(hex(meta.pieceHash(i))).toBe(hex(sha1(data.subarray(i * 32_768, (i + 1) * 32_768))));
    // Nothing in it depends on the time: the same input makes the same bytes.
    expect((await makeTorrent(path, { tracker: TRACKER, pieceLength: 32_768 })).bytes).toEqual(bytes);
  });

  it('makes a multi-file torrent in byte order of the paths, pieces across file boundaries', async () => {
    const root = join(dir, 'tree');
    await mkdir(join(root, 'sub'), { recursive: true });
    const files: [string[], Uint8Array][] = [
      [['B'], new Uint8Array(20_000).fill(1)],
      [['a'], new Uint8Array(0)],
      [['sub', 'z'], new Uint8Array(30_000).fill(2)],
      [['é'], new Uint8Array(5).fill(3)],
    ];
    for (const [path, data] of files) await writeFile(join(root, ...path), data);
    const { bytes } = await makeTorrent(root, { tracker: TRACKER, pieceLength: 16_384 });
    const meta = parseTorrent(bytes, 'tree.torrent');
    expect(meta.files.map((file) => file.path.join('/'))).toEqual([
      'tree/B',
      'tree/a',
      'tree/sub/z',
      'tree/é',
    ]);
    const whole = Buffer.concat([files[0]?.[1], files[1]?.[1], files[2]?.[1], files[3]?.[1]] as Uint8Array[]);
    expect(meta.totalLength).toBe(whole.length);
    for (let i = 0; i < meta.pieceCount; i++)
      expect(hex(meta.pieceHash(i))).toBe(hex(sha1(whole.subarray(i * 16_384, (i + 1) * 16_384))));
  });

  it('refuses a folder with a symbolic link, an empty folder, and a missing path', async () => {
    const linked = join(dir, 'linked');
    await mkdir(linked);
    await writeFile(join(dir, 'target'), 'x');
    await symlink(join(dir, 'target'), join(linked, 'link'));
    await expect(makeTorrent(linked, { tracker: TRACKER })).rejects.toThrow(
      `${join(linked, 'link')}: neither a file nor a folder (make-torrent follows no symbolic link)`,
    );
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(makeTorrent(empty, { tracker: TRACKER })).rejects.toThrow('holds no bytes');
    await expect(makeTorrent(join(dir, 'nothing'), { tracker: TRACKER })).rejects.toBeInstanceOf(InputError);
  });

  it('chooses 256 KiB pieces, doubled until there are at most 2,048', () => {
    expect(defaultPieceLength(1)).toBe(262_144);
    expect(defaultPieceLength(64 * 2 ** 20)).toBe(262_144);
    expect(defaultPieceLength(512 * 2 ** 20 + 1)).toBe(524_288);
    expect(defaultPieceLength(2 ** 50)).toBe(16 * 2 ** 20);
  });

  it('reads a .torrent file from disk, and refuses one too large before reading it', async () => {
    const path = join(dir, 'small.bin');
    await writeFile(path, 'hello');
    const { bytes } = await makeTorrent(path, { tracker: TRACKER });
    await writeFile(join(dir, 'small.torrent'), bytes);
    expect((await readTorrentFile(join(dir, 'small.torrent'))).name).toBe('small.bin');
    await expect(readTorrentFile(join(dir, 'absent.torrent'))).rejects.toBeInstanceOf(InputError);
  });
});
