// The seed's file formats: `in<R>.txt` (what client R owns, with hashes, and what it wants) and
// `client<R>_<file>` (a downloaded file's hashes in segment order, one per line).

import { appendAll, sameItems } from '../../util/arrays.ts';
import { InputError } from '../../util/input-error.ts';
import type { ClientInput } from '../protocol/client.ts';
import type { OwnedFile } from '../protocol/messages.ts';

/** An in<R>.txt as written, with line numbers kept for messages about it. */
export interface ClientFile {
  readonly path: string;
  readonly rank: number;
  readonly owned: readonly (OwnedFile & { readonly line: number })[];
  readonly wanted: readonly { readonly name: string; readonly line: number }[];
}

/**
 * Reads lines one at a time, skipping blank ones, and names the line in every error. It walks the text
 * instead of splitting it: a file of millions of blank lines must not become millions of strings.
 */
class LineReader {
  /** Where the next line starts in the text. */
  private at = 0;
  /** Lines read so far, blank ones included. */
  private read = 0;
  /** The line of the last non-blank line read, 0 before the first. */
  private lastContent = 0;
  line = 0;

  constructor(
    private readonly path: string,
    private readonly text: string,
  ) {}

  /** The tokens of the next non-blank line. */
  next(what: string): string[] {
    NON_SPACE.lastIndex = this.at;
    const found = NON_SPACE.exec(this.text);
    if (found !== null) {
      // Blank lines are skipped by counting their line breaks, without a string for each.
      for (
        let i = this.text.indexOf('\n', this.at);
        i >= 0 && i < found.index;
        i = this.text.indexOf('\n', i + 1)
      )
        this.read++;
      const end = this.text.indexOf('\n', found.index);
      const stop = end < 0 ? this.text.length : end;
      this.at = stop + 1;
      this.read++;
      this.line = this.read;
      this.lastContent = this.read;
      return this.text.slice(found.index, stop).trim().split(/\s+/);
    }
    this.at = this.text.length + 1;
    this.line = Math.max(this.lastContent, 1);
    throw this.error(
      this.lastContent === 0 ? `empty file: expected ${what}` : `expected ${what}, found the end of the file`,
    );
  }

  atEnd(): boolean {
    NON_SPACE.lastIndex = this.at;
    return !NON_SPACE.test(this.text);
  }

  error(problem: string, line = this.line): InputError {
    return new InputError(this.path, Math.max(line, 1), problem);
  }
}

/** The first character that is not white space (as String.prototype.trim sees it). */
const NON_SPACE = /\S/g;

export function parseClientFile(path: string, rank: number, text: string): ClientFile {
  const reader = new LineReader(path, text);
  const ownedCount = readCount(reader, 'the number of owned files');
  const owned: (OwnedFile & { line: number; lastLine: number })[] = [];
  const ownedNames = new Map<string, number>();
  for (let i = 0; i < ownedCount; i++) {
    const file = readOwnedFile(reader, i + 1, ownedCount);
    const earlier = ownedNames.get(file.name);
    if (earlier !== undefined)
      throw reader.error(`${file.name} is listed twice as owned (first on line ${earlier})`, file.line);
    ownedNames.set(file.name, file.line);
    owned.push(file);
  }
  const wantedCount = readWantedCount(reader, owned.at(-1));
  const wanted: { name: string; line: number }[] = [];
  const wantedNames = new Map<string, number>();
  for (let i = 0; i < wantedCount; i++) {
    const tokens = reader.next(`wanted file ${i + 1} of ${wantedCount}`);
    const name = readName(reader, tokens);
    if (tokens.length > 1) throw reader.error(`unexpected '${tokens[1]}' after the wanted file name ${name}`);
    const earlier = wantedNames.get(name);
    if (earlier !== undefined) throw reader.error(`${name} is wanted twice (first on line ${earlier})`);
    wantedNames.set(name, reader.line);
    wanted.push({ name, line: reader.line });
  }
  if (!reader.atEnd()) {
    reader.next('nothing');
    throw reader.error(
      `unexpected content after the ${wantedCount} wanted file${wantedCount === 1 ? '' : 's'}`,
    );
  }
  return { path, rank, owned: owned.map(({ name, hashes, line }) => ({ name, hashes, line })), wanted };
}

function readOwnedFile(
  reader: LineReader,
  ordinal: number,
  total: number,
): OwnedFile & { line: number; lastLine: number } {
  const tokens = reader.next(`owned file ${ordinal} of ${total}: a file name and its number of segments`);
  const line = reader.line;
  const name = readName(reader, tokens);
  if (tokens.length < 2) throw reader.error(`expected the number of segments after ${name}`);
  const count = parseCount(reader, tokens[1] as string, `the number of segments of ${name}`);
  if (count === 0) throw reader.error(`${name} has 0 segments: a file has at least one`);
  if (tokens.length > 2)
    throw reader.error(`unexpected '${tokens[2]}' after the number of segments of ${name}`);
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const hashTokens = readHashLine(reader, name, i, count);
    if (hashTokens.length === 2 && /^\d+$/.test(hashTokens[1] as string)) {
      throw reader.error(`expected ${count} hashes for ${name}, found ${i} before the next file's header`);
    }
    if (hashTokens.length > 1) {
      throw reader.error(`expected one hash per line for ${name}, found ${hashTokens.length} tokens`);
    }
    hashes.push(hashTokens[0] as string);
  }
  return { name, hashes, line, lastLine: reader.line };
}

/**
 * A file that lists fewer hashes than it declares swallows the wanted count as a hash, and the parser
 * only notices a line later. When the swallowed "hash" is a bare number unlike the file's other hashes
 * (hashes of one file share a length), say what most likely happened instead of the bare symptom.
 */
function readWantedCount(
  reader: LineReader,
  lastOwned: (OwnedFile & { lastLine: number }) | undefined,
): number {
  try {
    return readCount(reader, 'the number of wanted files');
  } catch (error) {
    if (!(error instanceof InputError) || lastOwned === undefined) throw error;
    const { name, hashes, lastLine } = lastOwned;
    const last = hashes.at(-1) ?? '';
    const swallowed =
      hashes.length >= 2 && /^\d+$/.test(last) && last.length !== (hashes[0] as string).length;
    if (!swallowed) throw error;
    throw reader.error(
      `expected ${hashes.length} hashes for ${name}, found ${hashes.length - 1}: ` +
        `'${last}' here looks like the number of wanted files, not a hash`,
      lastLine,
    );
  }
}

function readHashLine(reader: LineReader, name: string, found: number, count: number): string[] {
  try {
    return reader.next(`hash ${found + 1} of ${count} for ${name}`);
  } catch (error) {
    if (error instanceof InputError)
      throw reader.error(`expected ${count} hashes for ${name}, found ${found}`);
    throw error;
  }
}

function readCount(reader: LineReader, what: string): number {
  const tokens = reader.next(what);
  const count = parseCount(reader, tokens[0] as string, what);
  if (tokens.length > 1) throw reader.error(`unexpected '${tokens[1]}' after ${what}`);
  return count;
}

function parseCount(reader: LineReader, token: string, what: string): number {
  if (!/^\d+$/.test(token)) throw reader.error(`expected ${what} (a whole number), found '${token}'`);
  const value = Number(token);
  if (!Number.isSafeInteger(value)) throw reader.error(`${what} is too large: ${token}`);
  return value;
}

/** File names become part of output names (client<R>_<file>), so they must be safe as one path segment. */
function readName(reader: LineReader, tokens: string[]): string {
  const name = tokens[0] as string;
  if (name.includes('\0')) throw reader.error('a file name cannot contain a NUL character');
  if (name === '.' || name === '..' || /[/\\]/.test(name)) {
    throw reader.error(`'${name}' cannot be a file name: it must not contain '/' or '\\' or be '.' or '..'`);
  }
  return name;
}

/** Most file systems (ext4, XFS, APFS, NTFS) take names of at most 255 bytes. */
export const MAX_NAME_BYTES = 255;

/** A wanted file becomes client<R>_<file>: refuse it before the run, not after, if that name cannot exist. */
function checkOutputNameFits(file: ClientFile, wanted: { name: string; line: number }): void {
  const bytes = Buffer.byteLength(outputFileName(file.rank, wanted.name));
  if (bytes > MAX_NAME_BYTES) {
    throw new InputError(
      file.path,
      wanted.line,
      `the output of wanted file ${wanted.name.slice(0, 20)}... would be named client${file.rank}_<name>, ` +
        `${bytes} bytes, more than the ${MAX_NAME_BYTES} a file name may have`,
    );
  }
}

/** Turns parsed client files into runnable inputs, checking what only the whole set can show. */
export function toClientInputs(files: readonly ClientFile[]): { clients: ClientInput[]; warnings: string[] } {
  const firstOwner = new Map<string, { file: ClientFile; owned: OwnedFile & { line: number } }>();
  for (const file of files) {
    for (const owned of file.owned) {
      const first = firstOwner.get(owned.name);
      if (first === undefined) {
        firstOwner.set(owned.name, { file, owned });
      } else if (!sameItems(first.owned.hashes, owned.hashes)) {
        const where = `${first.file.path}:${first.owned.line}`;
        throw new InputError(file.path, owned.line, `${owned.name} has other hashes than at ${where}`);
      }
    }
  }
  const warnings: string[] = [];
  const clients = files.map((file): ClientInput => {
    const ownedNames = new Set(file.owned.map((owned) => owned.name));
    for (const wanted of file.wanted) {
      checkOutputNameFits(file, wanted);
      if (!firstOwner.has(wanted.name)) {
        throw new InputError(file.path, wanted.line, `${wanted.name} is wanted, but no client owns it`);
      }
      if (ownedNames.has(wanted.name)) {
        warnings.push(
          `${file.path}:${wanted.line}: client ${file.rank} wants ${wanted.name}, which it owns: nothing to download, its output is its own copy`,
        );
      }
    }
    return {
      rank: file.rank,
      owned: file.owned.map(({ name, hashes }) => ({ name, hashes })),
      wanted: file.wanted.map((wanted) => wanted.name),
    };
  });
  return { clients, warnings };
}

/** The text of an in<R>.txt for a client. */
export function formatClientFile(client: ClientInput): string {
  const lines = [String(client.owned.length)];
  for (const file of client.owned) {
    lines.push(`${file.name} ${file.hashes.length}`);
    appendAll(lines, file.hashes);
  }
  lines.push(String(client.wanted.length));
  appendAll(lines, client.wanted);
  return `${lines.join('\n')}\n`;
}

export function outputFileName(rank: number, file: string): string {
  return `client${rank}_${file}`;
}

/** The text of client<R>_<file>: the hashes in segment order, one per line. */
export function formatOutputFile(hashes: readonly string[]): string {
  return hashes.length === 0 ? '' : `${hashes.join('\n')}\n`;
}
