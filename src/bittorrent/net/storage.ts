// A torrent's pieces on disk, in a folder (`--out` of get, `--data` of seed), laid out as the torrent
// names its files. A file being downloaded lives under a temporary name (PART_SUFFIX) and is renamed
// when every piece over it has been written and verified. At open, what is already there is rehashed:
// the pieces held are the ones whose bytes match. Nothing is ever written outside the folder: every
// path is checked to stay under it, folders are made one by one and must not be symbolic links, and
// files are opened without following one.
//
// Stable interface for the peer-wire runtime (branch net-peer): `PieceStore.open`, `held`, `complete`,
// `readBlock`, `writePiece`, `close`. Calls may overlap; the store runs its disk work one at a time.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, rename } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../../util/input-error.ts';
import { Bitset } from '../core/bitset.ts';
import type { Metainfo, TorrentFile } from './metainfo.ts';

/** Appended to a file's name while it is incomplete. */
export const PART_SUFFIX = '.swarmlab-part';
/** Open files kept at once; older ones are closed first. */
const MAX_OPEN_FILES = 32;

/** 'seed' only reads what is there and writes nothing; 'download' also writes, and makes the folder. */
export type StoreMode = 'seed' | 'download';

/** A byte range of one file that lies in a piece. */
interface Segment {
  readonly file: number;
  /** Where in the file. */
  readonly position: number;
  /** Where in the piece. */
  readonly at: number;
  readonly length: number;
}

export class PieceStore {
  /** The pieces on disk, verified. */
  readonly held: Bitset;
  private readonly paths: string[];
  private readonly done: boolean[];
  private readonly handles = new Map<number, FileHandle>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly metainfo: Metainfo,
    readonly folder: string,
    readonly mode: StoreMode,
  ) {
    this.held = new Bitset(metainfo.pieceCount);
    this.paths = metainfo.files.map((file) => pathUnder(folder, file.path));
    this.done = metainfo.files.map(() => false);
  }

  /**
   * Opens the store over `folder` and rehashes what is there (one piece in memory at a time).
   * In 'download' mode, files already complete keep their names, and files not complete are moved to
   * their temporary names to be written into.
   */
  static async open(metainfo: Metainfo, folder: string, mode: StoreMode): Promise<PieceStore> {
    const store = new PieceStore(metainfo, resolve(folder), mode);
    store.refuseClashingTemporaryNames();
    if (mode === 'download') await mkdir(store.folder, { recursive: true });
    await store.rehash();
    if (mode === 'download') await store.settleFiles();
    return store;
  }

  get complete(): boolean {
    return this.held.count === this.metainfo.pieceCount;
  }

  /** `length` bytes of piece `index` from `begin`; the piece must be held. */
  readBlock(index: number, begin: number, length: number): Promise<Uint8Array> {
    if (!this.held.has(index)) return Promise.reject(new RangeError(`piece ${index} is not held`));
    const size = this.metainfo.pieceSize(index);
    if (
      !(
        Number.isInteger(begin) &&
        Number.isInteger(length) &&
        begin >= 0 &&
        length > 0 &&
        begin + length <= size
      )
    )
      return Promise.reject(
        new RangeError(`no block of ${length} bytes at ${begin} in piece ${index} of ${size}`),
      );
    return this.serialized(async () => {
      const block = new Uint8Array(length);
      for (const segment of this.segments(index, begin, length)) await this.readSegment(segment, block);
      return block;
    });
  }

  /**
   * Checks `data` against the piece's SHA-1 and, if it matches, writes it and counts the piece held
   * (renaming every file it completes). Returns whether it matched; a piece that does not is not written.
   */
  writePiece(index: number, data: Uint8Array): Promise<boolean> {
    if (this.mode !== 'download') return Promise.reject(new Error('a seeding store writes nothing'));
    if (!(Number.isInteger(index) && index >= 0 && index < this.metainfo.pieceCount))
      return Promise.reject(new RangeError(`no piece ${index}`));
    if (data.length !== this.metainfo.pieceSize(index) || !this.matches(index, data))
      return Promise.resolve(false);
    return this.serialized(async () => {
      if (this.held.has(index)) return true;
      for (const segment of this.segments(index, 0, data.length)) {
        const handle = await this.handle(segment.file);
        await handle.write(data, segment.at, segment.length, segment.position);
      }
      this.held.add(index);
      for (const segment of this.segments(index, 0, data.length)) await this.finishIfComplete(segment.file);
      return true;
    });
  }

  /** Closes every file; the store is not used again. */
  close(): Promise<void> {
    return this.serialized(async () => {
      this.closed = true;
      for (const handle of this.handles.values()) await handle.close();
      this.handles.clear();
    });
  }

  /** Whether `data` has piece `index`'s SHA-1. */
  matches(index: number, data: Uint8Array): boolean {
    const digest = createHash('sha1').update(data).digest();
    return Buffer.compare(digest, this.metainfo.pieceHash(index)) === 0;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error('the piece store is closed');
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The files' byte ranges that make up `length` bytes of piece `index` from `begin`, in order. */
  private segments(index: number, begin: number, length: number): Segment[] {
    const files = this.metainfo.files;
    const start = index * this.metainfo.pieceLength + begin;
    const end = start + length;
    const segments: Segment[] = [];
    for (let f = firstFileAt(files, start); f < files.length; f++) {
      const file = files[f] as TorrentFile;
      if (file.offset >= end) break;
      const from = Math.max(start, file.offset);
      const to = Math.min(end, file.offset + file.length);
      if (to > from)
        segments.push({ file: f, position: from - file.offset, at: from - start, length: to - from });
    }
    return segments;
  }

  private async readSegment(segment: Segment, into: Uint8Array): Promise<void> {
    const read = await readInto(await this.handle(segment.file), into, segment);
    if (read < segment.length) throw new Error(`${this.paths[segment.file]}: shorter than the torrent says`);
  }

  /** The open file `file`: its final name once complete (or when seeding), its temporary name before. */
  private async handle(file: number): Promise<FileHandle> {
    const open_ = this.handles.get(file);
    if (open_ !== undefined) {
      this.handles.delete(file);
      this.handles.set(file, open_);
      return open_;
    }
    if (this.handles.size >= MAX_OPEN_FILES) {
      const [oldest, handle] = this.handles.entries().next().value as [number, FileHandle];
      this.handles.delete(oldest);
      await handle.close();
    }
    const handle = await this.openFile(file);
    this.handles.set(file, handle);
    return handle;
  }

  private async openFile(file: number): Promise<FileHandle> {
    const path = this.paths[file] as string;
    if (this.mode === 'seed' || this.done[file]) return open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    await this.makeFoldersFor(file);
    return open(path + PART_SUFFIX, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  }

  /** Makes the file's folders one at a time, refusing any that is a symbolic link or a file. */
  private async makeFoldersFor(file: number): Promise<void> {
    const parts = (this.metainfo.files[file] as TorrentFile).path;
    let folder = this.folder;
    for (const part of parts.slice(0, -1)) {
      folder = join(folder, part);
      await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const kind = await lstat(folder);
      if (!kind.isDirectory())
        throw new InputError(
          folder,
          undefined,
          'is not a folder (a symbolic link or a file); nothing is written through it',
        );
    }
  }

  /** Rehashes every piece whose bytes are all on disk (under the final or the temporary names). */
  private async rehash(): Promise<void> {
    const sources = await Promise.all(this.paths.map((path) => this.existingSource(path)));
    const buffer = new Uint8Array(this.metainfo.pieceLength);
    for (let index = 0; index < this.metainfo.pieceCount; index++) {
      const size = this.metainfo.pieceSize(index);
      const segments = this.segments(index, 0, size);
      const present = segments.every((s) => {
        const source = sources[s.file];
        return source !== undefined && source.size >= s.position + s.length;
      });
      if (!present) continue;
      const piece = buffer.subarray(0, size);
      for (const segment of segments) {
        const source = sources[segment.file] as { path: string };
        await readRange(source.path, piece, segment);
      }
      if (this.matches(index, piece)) this.held.add(index);
    }
    for (let file = 0; file < this.paths.length; file++)
      this.done[file] =
        sources[file]?.path === this.paths[file] &&
        sources[file]?.size === (this.metainfo.files[file] as TorrentFile).length &&
        this.piecesHeldOf(file);
  }

  /** The file's final name if it is a regular file there, else its temporary name if that is. */
  private async existingSource(path: string): Promise<{ path: string; size: number } | undefined> {
    const candidates = this.mode === 'seed' ? [path] : [path, path + PART_SUFFIX];
    for (const candidate of candidates) {
      const kind = await lstat(candidate).catch(() => undefined);
      if (kind?.isFile()) return { path: candidate, size: kind.size };
    }
    return undefined;
  }

  /**
   * After the rehash: a file not complete under its final name (pieces missing, or bytes past its end)
   * is moved to its temporary name, to be written into; one whose pieces are all held is then finished.
   */
  private async settleFiles(): Promise<void> {
    for (let file = 0; file < this.paths.length; file++) {
      const path = this.paths[file] as string;
      if (this.done[file]) continue;
      const kind = await lstat(path).catch(() => undefined);
      if (kind?.isFile()) await rename(path, path + PART_SUFFIX);
      await this.finishIfComplete(file);
    }
  }

  /** Whether every piece over the file is held (a file of no bytes has none, so it always is). */
  private piecesHeldOf(file: number): boolean {
    const { offset, length } = this.metainfo.files[file] as TorrentFile;
    if (length === 0) return true;
    const first = Math.floor(offset / this.metainfo.pieceLength);
    const last = Math.floor((offset + length - 1) / this.metainfo.pieceLength);
    for (let index = first; index <= last; index++) if (!this.held.has(index)) return false;
    return true;
  }

  /** Renames the file to its final name if every piece over it is held, at exactly its length. */
  private async finishIfComplete(file: number): Promise<void> {
    if (this.done[file] || !this.piecesHeldOf(file)) return;
    const handle = await this.handle(file);
    await handle.truncate((this.metainfo.files[file] as TorrentFile).length);
    await handle.close();
    this.handles.delete(file);
    const path = this.paths[file] as string;
    await rename(path + PART_SUFFIX, path);
    this.done[file] = true;
  }

  /** A torrent whose file `x` and file `x.swarmlab-part` both exist could not use temporary names. */
  private refuseClashingTemporaryNames(): void {
    const finals = new Set(this.paths);
    for (const path of this.paths)
      if (finals.has(path + PART_SUFFIX))
        throw new InputError(
          path,
          undefined,
          `the torrent also holds a file named as its temporary name (${PART_SUFFIX})`,
        );
  }
}

/** The index of the first file that holds the byte at `position` (or any later file, if it has none). */
function firstFileAt(files: readonly TorrentFile[], position: number): number {
  let low = 0;
  let high = files.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const file = files[middle] as TorrentFile;
    if (file.offset + file.length <= position) low = middle + 1;
    else high = middle;
  }
  return low;
}

async function readRange(path: string, into: Uint8Array, segment: Segment): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    await readInto(handle, into, segment);
  } finally {
    await handle.close();
  }
}

/** Reads the segment into its place in `into`; returns the bytes read (fewer at the end of the file). */
async function readInto(handle: FileHandle, into: Uint8Array, segment: Segment): Promise<number> {
  let done = 0;
  while (done < segment.length) {
    const { bytesRead } = await handle.read(
      into,
      segment.at + done,
      segment.length - done,
      segment.position + done,
    );
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * `folder` joined with the torrent's path components, checked to stay under `folder` (the parser has
 * refused components that would leave it; this is the second lock on the same door).
 */
export function pathUnder(folder: string, components: readonly string[]): string {
  const path = resolve(folder, ...components);
  const below = relative(folder, path);
  if (below === '' || below === '..' || below.startsWith(`..${sep}`) || isAbsolute(below))
    throw new InputError(folder, undefined, `'${components.join('/')}' would leave the folder`);
  return path;
}
