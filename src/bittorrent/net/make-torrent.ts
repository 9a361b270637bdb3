// Makes a v1 .torrent of a file or a folder: walks it, hashes it piece by piece (one piece in memory at
// a time), and checks the result with the same parser that reads every other .torrent.
import { createHash } from 'node:crypto';
import { lstat, open, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../../util/input-error.ts';
import { encodeTorrent, type Metainfo, parseTorrent } from './metainfo.ts';
import { defaultPieceLength, pieceLengthProblem } from './piece-length.ts';

export interface MakeTorrentOptions {
  /** The tracker's announce URL. */
  readonly tracker: string;
  /** Bytes per piece; chosen from the size when absent (see `defaultPieceLength`). */
  readonly pieceLength?: number;
  readonly createdBy?: string;
  /** Seconds since 1970; left out when absent, so that the same input makes the same file. */
  readonly creationDate?: number;
}

interface SourceFile {
  /** Components below the torrent's name (empty for a single-file torrent). */
  readonly path: readonly string[];
  readonly absolute: string;
  readonly length: number;
}

/** The .torrent of `path` (a file or a folder), as bytes and as parsed back. */
export async function makeTorrent(
  path: string,
  options: MakeTorrentOptions,
): Promise<{ bytes: Uint8Array; metainfo: Metainfo }> {
  const root = resolve(path);
  const kind = await lstat(root).catch(() => {
    throw new InputError(path, undefined, 'no such file or folder');
  });
  if (!kind.isFile() && !kind.isDirectory())
    throw new InputError(
      path,
      undefined,
      'neither a file nor a folder (make-torrent follows no symbolic link)',
    );
  const files = kind.isFile()
    ? [{ path: [], absolute: root, length: kind.size }]
    : await walk(path, root, []);
  const totalBytes = files.reduce((sum, file) => sum + file.length, 0);
  if (totalBytes === 0) throw new InputError(path, undefined, 'holds no bytes; a torrent must hold some');
  const pieceLength = options.pieceLength ?? defaultPieceLength(totalBytes);
  const problem = pieceLengthProblem(pieceLength);
  if (problem !== undefined) throw new RangeError(problem);
  const pieces = await hashPieces(files, pieceLength, totalBytes);
  const name = basename(root);
  const bytes = encodeTorrent({
    announce: options.tracker,
    name,
    pieceLength,
    pieces,
    ...(kind.isFile()
      ? { length: totalBytes }
      : { files: files.map((file) => ({ path: file.path, length: file.length })) }),
    ...(options.createdBy === undefined ? {} : { createdBy: options.createdBy }),
    ...(options.creationDate === undefined ? {} : { creationDate: options.creationDate }),
  });
  // The parser checks names and the tracker as it would for any other .torrent: a name it would
  // refuse to download is refused here too.
  return { bytes, metainfo: parseTorrent(bytes, `${path} (as a torrent)`) };
}

/** Every regular file under `folder`, in byte order of their paths; a symbolic link is refused. */
async function walk(shown: string, folder: string, below: readonly string[]): Promise<SourceFile[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => compareBytes(a.name, b.name));
  const files: SourceFile[] = [];
  for (const entry of entries) {
    const absolute = join(folder, entry.name);
    const path = [...below, entry.name];
    if (entry.isDirectory()) files.push(...(await walk(shown, absolute, path)));
    else if (entry.isFile()) files.push({ path, absolute, length: (await lstat(absolute)).size });
    else
      throw new InputError(
        join(shown, ...path),
        undefined,
        'neither a file nor a folder (make-torrent follows no symbolic link)',
      );
  }
  return files;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The SHA-1 of every piece of the files end to end, reading a piece at a time. */
async function hashPieces(
  files: readonly SourceFile[],
  pieceLength: number,
  totalBytes: number,
): Promise<Uint8Array> {
  const pieceCount = Math.ceil(totalBytes / pieceLength);
  const hashes = new Uint8Array(pieceCount * 20);
  const piece = new Uint8Array(pieceLength);
  let filled = 0;
  let index = 0;
  const finishPiece = () => {
    hashes.set(createHash('sha1').update(piece.subarray(0, filled)).digest(), index * 20);
    index++;
    filled = 0;
  };
  for (const file of files) {
    const handle = await open(file.absolute, 'r');
    try {
      let position = 0;
      while (position < file.length) {
        const { bytesRead } = await handle.read(
          piece,
          filled,
          Math.min(pieceLength - filled, file.length - position),
          position,
        );
        if (bytesRead === 0)
          throw new InputError(file.absolute, undefined, 'the file shrank while it was read');
        position += bytesRead;
        filled += bytesRead;
        if (filled === pieceLength) finishPiece();
      }
    } finally {
      await handle.close();
    }
  }
  if (filled > 0) finishPiece();
  if (index !== pieceCount)
    throw new InputError(files[0]?.absolute ?? '', undefined, 'the files changed while they were read');
  return hashes;
}
