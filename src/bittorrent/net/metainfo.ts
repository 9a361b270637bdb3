// A .torrent file (BEP 3 metainfo, v1, single- and multi-file): read and checked whole, or written.
//
// Stable interface for the peer-wire runtime (branch net-peer): `parseTorrent`, `readTorrentFile`,
// `Metainfo`, `TorrentFile`. A file's `path` is relative to the output (or data) folder and starts with
// the torrent's name: [name] for a single-file torrent, [name, ...path] for a multi-file one. Every
// component has been checked to stay inside that folder; `infoHash` is the SHA-1 of the info dictionary
// exactly as the file spells it.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { InputError } from '../../util/input-error.ts';
import {
  type Bencodable,
  type BencodeDict,
  type Bencoded,
  BencodeError,
  decodeWithSpans,
  encodeBencode,
  printableKey,
} from './bencode.ts';
import { MAX_PIECE_LENGTH } from './piece-length.ts';

export interface TorrentFile {
  /** Components from the output folder down: the torrent's name first. */
  readonly path: readonly string[];
  readonly length: number;
  /** Where the file starts in the torrent's byte stream (the files end to end, in order). */
  readonly offset: number;
}

export interface Metainfo {
  /** The tracker (`announce`, or the first of `announce-list` when there is no `announce`). */
  readonly announce: string;
  /** BEP 12 tiers, as written; empty when the file has none. */
  readonly announceList: readonly (readonly string[])[];
  /** SHA-1 of the bencoded info dictionary, 20 bytes. */
  readonly infoHash: Uint8Array;
  readonly name: string;
  /** True when `name` is a folder (the info dictionary has `files`). */
  readonly multiFile: boolean;
  /** BEP 27: peers come from the tracker only. */
  readonly isPrivate: boolean;
  readonly pieceLength: number;
  readonly pieceCount: number;
  readonly files: readonly TorrentFile[];
  readonly totalLength: number;
  /** The SHA-1 that piece `index` must have (a view of the file's bytes, 20 long). */
  pieceHash(index: number): Uint8Array;
  /** Bytes in piece `index`: `pieceLength`, less for the last piece. */
  pieceSize(index: number): number;
}

/** A .torrent file larger than this is refused before it is read (64 GiB in 256 KiB pieces is 5 MiB). */
export const MAX_TORRENT_FILE_BYTES = 32 * 2 ** 20;
/** The longest name most file systems take, in bytes. */
const MAX_COMPONENT_BYTES = 255;
const HASH_BYTES = 20;

/** Reads and checks a .torrent file; a bad one is an InputError naming the file (exit 2). */
export async function readTorrentFile(path: string): Promise<Metainfo> {
  let bytes: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_TORRENT_FILE_BYTES)
        throw new InputError(
          path,
          undefined,
          `${size} bytes is larger than a .torrent file may be (${MAX_TORRENT_FILE_BYTES})`,
        );
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, undefined, `cannot read: ${(error as Error).message}`);
  }
  return parseTorrent(bytes, path);
}

/** Checks `bytes` as a v1 .torrent; `fileName` names it in errors (`x.torrent: info.name: ...`). */
export function parseTorrent(bytes: Uint8Array, fileName: string): Metainfo {
  const fail = (problem: string): never => {
    throw new InputError(fileName, undefined, problem);
  };
  let decoded: ReturnType<typeof decodeWithSpans>;
  try {
    decoded = decodeWithSpans(bytes);
  } catch (error) {
    if (error instanceof BencodeError) return fail(`not bencode: ${error.message}`);
    throw error;
  }
  const root = dict(decoded.value, 'the file', fail);
  const info = dict(root.get('info'), 'info', fail);
  const span = decoded.spans.get('info');
  if (span === undefined) return fail('info: missing');
  const infoHash = new Uint8Array(createHash('sha1').update(bytes.subarray(span.start, span.end)).digest());
  const trackers = readTrackers(root, fail);
  const name = component(info.get('name'), 'info.name', fail);
  const pieceLength = integer(info.get('piece length'), 'info.piece length', fail);
  if (pieceLength < 1 || pieceLength > MAX_PIECE_LENGTH)
    fail(`info.piece length: ${pieceLength} is not from 1 to ${MAX_PIECE_LENGTH} bytes`);
  const multiFile = info.has('files');
  if (multiFile && info.has('length')) fail("info: has both 'length' and 'files'");
  const files = multiFile ? readFiles(info.get('files'), name, fail) : [singleFile(info, name, fail)];
  const totalLength = files.reduce((sum, file) => sum + file.length, 0);
  if (!Number.isSafeInteger(totalLength)) fail('info: the files add up to more bytes than can be counted');
  if (totalLength === 0) fail('info: the torrent holds no bytes');
  const pieceCount = Math.ceil(totalLength / pieceLength);
  const pieces = bytesOf(info.get('pieces'), 'info.pieces', fail);
  if (pieces.length !== pieceCount * HASH_BYTES)
    fail(
      `info.pieces: ${pieces.length} bytes, expected ${pieceCount * HASH_BYTES} (20 for each of ${pieceCount} pieces)`,
    );
  const isPrivate = info.has('private') && integer(info.get('private'), 'info.private', fail) === 1;
  return {
    announce: trackers.announce,
    announceList: trackers.announceList,
    infoHash,
    name,
    multiFile,
    isPrivate,
    pieceLength,
    pieceCount,
    files,
    totalLength,
    pieceHash(index) {
      if (!(Number.isInteger(index) && index >= 0 && index < pieceCount))
        throw new RangeError(`no piece ${index} in ${pieceCount}`);
      return pieces.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
    },
    pieceSize(index) {
      if (!(Number.isInteger(index) && index >= 0 && index < pieceCount))
        throw new RangeError(`no piece ${index} in ${pieceCount}`);
      return index === pieceCount - 1 ? totalLength - pieceLength * (pieceCount - 1) : pieceLength;
    },
  };
}

type Fail = (problem: string) => never;

function readTrackers(root: BencodeDict, fail: Fail): { announce: string; announceList: string[][] } {
  const announceList: string[][] = [];
  const list = root.get('announce-list');
  if (list !== undefined) {
    listOf(list, 'announce-list', fail).forEach((tier, t) => {
      const urls = listOf(tier, `announce-list[${t}]`, fail).map((url, u) =>
        trackerUrl(url, `announce-list[${t}][${u}]`, fail),
      );
      if (urls.length > 0) announceList.push(urls);
    });
  }
  const given = root.get('announce');
  const announce = given !== undefined ? trackerUrl(given, 'announce', fail) : announceList[0]?.[0];
  if (announce === undefined)
    return fail('announce: missing, and no announce-list; swarmlab finds peers only through a tracker');
  return { announce, announceList };
}

function trackerUrl(value: Bencoded | undefined, where: string, fail: Fail): string {
  const url = text(value, where, fail);
  if (!/^(https?|udp):\/\/[^\s]+$/i.test(url)) fail(`${where}: '${printableKey(url)}' is not a tracker URL`);
  return url;
}

function singleFile(info: BencodeDict, name: string, fail: Fail): TorrentFile {
  const length = integer(info.get('length'), 'info.length', fail);
  if (length < 0) fail(`info.length: ${length} is negative`);
  return { path: [name], length, offset: 0 };
}

function readFiles(value: Bencoded | undefined, name: string, fail: Fail): TorrentFile[] {
  const entries = listOf(value, 'info.files', fail);
  if (entries.length === 0) fail('info.files: empty');
  const files: TorrentFile[] = [];
  const seen = new Set<string>();
  const folders = new Set<string>();
  let offset = 0;
  entries.forEach((entry, i) => {
    const where = `info.files[${i}]`;
    const file = dict(entry, where, fail);
    const length = integer(file.get('length'), `${where}.length`, fail);
    if (length < 0) fail(`${where}.length: ${length} is negative`);
    const parts = listOf(file.get('path'), `${where}.path`, fail).map((part, p) =>
      component(part, `${where}.path[${p}]`, fail),
    );
    if (parts.length === 0) fail(`${where}.path: empty`);
    const key = parts.join('/');
    if (seen.has(key) || folders.has(key))
      fail(`${where}.path: '${printableKey(key)}' names another file or folder too`);
    for (let p = 1; p < parts.length; p++) {
      const folder = parts.slice(0, p).join('/');
      if (seen.has(folder))
        fail(`${where}.path: '${printableKey(folder)}' is a file of the torrent, not a folder`);
      folders.add(folder);
    }
    seen.add(key);
    files.push({ path: [name, ...parts], length, offset });
    offset += length;
  });
  return files;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One component of a path under the output folder: refused if it could lead out of it or name something
 * else than a plain name (`..`, `.`, empty, a slash or backslash, NUL or another control character, a
 * Windows drive letter) or is longer than a file system takes.
 */
function component(value: Bencoded | undefined, where: string, fail: Fail): string {
  const name = text(value, where, fail);
  const shown = printableKey(name);
  if (name === '') fail(`${where}: empty`);
  if (name === '.' || name === '..') fail(`${where}: '${name}' would leave the output folder`);
  if (/[/\\]/.test(name)) fail(`${where}: '${shown}' holds a slash; a name must not be a path`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) fail(`${where}: '${shown}' holds a control character`);
  if (/^[A-Za-z]:/.test(name)) fail(`${where}: '${shown}' starts with a drive letter`);
  if ((value as Uint8Array).length > MAX_COMPONENT_BYTES)
    fail(`${where}: longer than ${MAX_COMPONENT_BYTES} bytes`);
  return name;
}

function text(value: Bencoded | undefined, where: string, fail: Fail): string {
  const bytes = bytesOf(value, where, fail);
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(`${where}: not UTF-8 text`);
  }
}

function bytesOf(value: Bencoded | undefined, where: string, fail: Fail): Uint8Array {
  if (value === undefined) return fail(`${where}: missing`);
  if (!(value instanceof Uint8Array)) return fail(`${where}: expected a string, found ${kindOf(value)}`);
  return value;
}

function integer(value: Bencoded | undefined, where: string, fail: Fail): number {
  if (value === undefined) return fail(`${where}: missing`);
  if (typeof value !== 'number') return fail(`${where}: expected an integer, found ${kindOf(value)}`);
  return value;
}

function listOf(value: Bencoded | undefined, where: string, fail: Fail): readonly Bencoded[] {
  if (value === undefined) return fail(`${where}: missing`);
  if (!Array.isArray(value)) return fail(`${where}: expected a list, found ${kindOf(value)}`);
  return value;
}

function dict(value: Bencoded | undefined, where: string, fail: Fail): BencodeDict {
  if (value === undefined) return fail(`${where}: missing`);
  if (!(value instanceof Map)) return fail(`${where}: expected a dictionary, found ${kindOf(value)}`);
  return value;
}

function kindOf(value: Bencoded): string {
  if (typeof value === 'number') return 'an integer';
  if (value instanceof Uint8Array) return 'a string';
  if (Array.isArray(value)) return 'a list';
  return 'a dictionary';
}

/** What `encodeTorrent` writes: the info dictionary's fields, and the tracker. */
export interface TorrentSpec {
  readonly announce: string;
  readonly name: string;
  readonly pieceLength: number;
  /** The pieces' SHA-1s, end to end. */
  readonly pieces: Uint8Array;
  /** Absent for a single-file torrent; paths below the name. */
  readonly files?: readonly { readonly path: readonly string[]; readonly length: number }[];
  /** The single file's length. */
  readonly length?: number;
  readonly createdBy?: string;
  readonly creationDate?: number;
}

/** Bencodes a v1 .torrent. */
export function encodeTorrent(spec: TorrentSpec): Uint8Array {
  const info: Record<string, Bencodable | undefined> = {
    name: spec.name,
    'piece length': spec.pieceLength,
    pieces: spec.pieces,
    length: spec.files === undefined ? spec.length : undefined,
    files: spec.files?.map((file) => ({ length: file.length, path: [...file.path] })),
  };
  return encodeBencode({
    announce: spec.announce,
    'created by': spec.createdBy,
    'creation date': spec.creationDate,
    info,
  });
}
