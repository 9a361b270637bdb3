// Bencode (BEP 3), strict, for input that may be hostile: .torrent files, tracker requests and answers.
// Ours rather than the npm `bencode` package (4.0.1), which was checked and does not fit: it reads a
// string cut short by the end of input as a shorter string, sets `__proto__` keys on plain objects,
// turns non-UTF-8 keys into hex (so two keys can collide), accepts `i-0e` and `i03e`, recurses without
// a bound, cannot say where the info dictionary lies in the input (its SHA-1 is the info-hash), and
// sorts dictionary keys with binary keys (a scrape's info-hashes) in the wrong order.
//
// Byte strings decode to Uint8Array views of the input; integers to numbers (a value past 2^53 is
// refused, not rounded); dictionaries to Maps whose keys are byte strings spelled one character per
// byte (latin1), so that every key survives the round trip and key order is byte order.

/** A decoded value. */
export type Bencoded = number | Uint8Array | readonly Bencoded[] | BencodeDict;
export type BencodeDict = ReadonlyMap<string, Bencoded>;

/** What `encodeBencode` takes: as decoded, plus text (encoded as UTF-8) and plain objects as dictionaries. */
export type Bencodable =
  | number
  | string
  | Uint8Array
  | readonly Bencodable[]
  | ReadonlyMap<string, Bencodable>
  | { readonly [key: string]: Bencodable | undefined };

/** Input that is not bencode, with the offset of the first byte that is wrong. */
export class BencodeError extends Error {
  override readonly name = 'BencodeError';

  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`byte ${offset}: ${problem}`);
  }
}

/** Deeper nesting than any torrent or tracker answer needs; it would only cost stack. */
export const MAX_DEPTH = 64;

const I = 0x69;
const L = 0x6c;
const D = 0x64;
const E = 0x65;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Where a top-level dictionary's value lies in the input: `bytes.subarray(start, end)` is its encoding. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface DecodeOptions {
  /**
   * Refuse dictionary keys out of byte order, as BEP 3 requires of the writer (the default). Tracker
   * answers are read without it: some trackers write keys in another order. A repeated key is refused
   * either way.
   */
  readonly sortedKeys?: boolean;
}

/** The one value that `bytes` encodes, all of it; throws a BencodeError at the first wrong byte. */
export function decodeBencode(bytes: Uint8Array, options: DecodeOptions = {}): Bencoded {
  return decodeWithSpans(bytes, options).value;
}

/**
 * Decodes as decodeBencode and also says where each value of the top-level dictionary lies, so that
 * the info dictionary can be hashed exactly as it was written.
 */
export function decodeWithSpans(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): { value: Bencoded; spans: ReadonlyMap<string, Span> } {
  const reader = new Reader(bytes, options.sortedKeys ?? true);
  if (bytes.length === 0) throw new BencodeError(0, 'empty input, expected a value');
  const value = reader.value(0);
  if (reader.at !== bytes.length)
    throw new BencodeError(reader.at, `${bytes.length - reader.at} bytes after the end of the value`);
  return { value, spans: reader.topSpans };
}

class Reader {
  at = 0;
  readonly topSpans = new Map<string, Span>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly sortedKeys: boolean,
  ) {}

  value(depth: number): Bencoded {
    const byte = this.peek('a value');
    if (byte === I) return this.integer();
    if (byte === L || byte === D) {
      if (depth >= MAX_DEPTH) throw new BencodeError(this.at, `nested deeper than ${MAX_DEPTH} levels`);
      return byte === L ? this.list(depth) : this.dictionary(depth);
    }
    if (byte >= ZERO && byte <= NINE) return this.string();
    throw new BencodeError(this.at, `expected a value (i, l, d or a digit), found ${describe(byte)}`);
  }

  private peek(expected: string): number {
    const byte = this.bytes[this.at];
    if (byte === undefined) throw new BencodeError(this.at, `input ends where ${expected} was expected`);
    return byte;
  }

  private integer(): number {
    const start = this.at;
    this.at++;
    const negative = this.bytes[this.at] === MINUS;
    if (negative) this.at++;
    const digits = this.digits('an integer', E);
    this.at++;
    if (digits.length > 1 && digits[0] === '0')
      throw new BencodeError(start, `integer i${negative ? '-' : ''}${digits}e has a leading zero`);
    if (negative && digits === '0') throw new BencodeError(start, 'integer i-0e is not allowed');
    const value = Number(digits);
    if (!Number.isSafeInteger(value))
      throw new BencodeError(start, `integer ${negative ? '-' : ''}${digits} is too large`);
    return negative ? -value : value;
  }

  /** The decimal digits up to `end` (at least one, at most 16), leaving `at` on `end`. */
  private digits(what: string, end: number): string {
    const start = this.at;
    for (;;) {
      const byte = this.peek(`the end of ${what}`);
      if (byte === end) break;
      if (byte < ZERO || byte > NINE)
        throw new BencodeError(this.at, `expected a digit in ${what}, found ${describe(byte)}`);
      if (this.at - start >= 16) throw new BencodeError(start, `${what} has too many digits`);
      this.at++;
    }
    if (this.at === start) throw new BencodeError(start, `${what} has no digits`);
    let text = '';
    for (let i = start; i < this.at; i++) text += String.fromCharCode(this.bytes[i] as number);
    return text;
  }

  private string(): Uint8Array {
    const start = this.at;
    const digits = this.digits('a string length', COLON);
    if (digits.length > 1 && digits[0] === '0')
      throw new BencodeError(start, `string length ${digits} has a leading zero`);
    this.at++;
    const length = Number(digits);
    if (length > this.bytes.length - this.at)
      throw new BencodeError(start, `string of ${length} bytes runs past the end of the input`);
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  private list(depth: number): Bencoded[] {
    this.at++;
    const items: Bencoded[] = [];
    while (this.peek('e or a list item') !== E) items.push(this.value(depth + 1));
    this.at++;
    return items;
  }

  private dictionary(depth: number): BencodeDict {
    this.at++;
    const entries = new Map<string, Bencoded>();
    let previous: string | undefined;
    while (this.peek('e or a dictionary key') !== E) {
      const keyAt = this.at;
      const byte = this.peek('a dictionary key');
      if (byte < ZERO || byte > NINE)
        throw new BencodeError(keyAt, `expected a string as dictionary key, found ${describe(byte)}`);
      const key = latin1(this.string());
      if (entries.has(key)) throw new BencodeError(keyAt, `key '${printableKey(key)}' appears twice`);
      if (this.sortedKeys && previous !== undefined && key < previous)
        throw new BencodeError(keyAt, `key '${printableKey(key)}' is out of order`);
      previous = key;
      const start = this.at;
      entries.set(key, this.value(depth + 1));
      if (depth === 0) this.topSpans.set(key, { start, end: this.at });
    }
    this.at++;
    return entries;
  }
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function describe(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e
    ? `'${String.fromCharCode(byte)}'`
    : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/** A key as it can be printed: bytes outside printable ASCII as \xNN. */
export function printableKey(key: string): string {
  return key.replace(/[^\x20-\x7e]|\\/g, (c) =>
    c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

const textEncoder = new TextEncoder();

/** Encodes `value`; dictionary keys are written in byte order, undefined values of objects left out. */
export function encodeBencode(value: Bencodable): Uint8Array {
  const parts: Uint8Array[] = [];
  encodeInto(value, parts, 0);
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function encodeInto(value: Bencodable, parts: Uint8Array[], depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError(`bencode: nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`bencode: ${value} is not a safe integer`);
    parts.push(ascii(`i${value}e`));
  } else if (typeof value === 'string') {
    pushString(textEncoder.encode(value), parts);
  } else if (value instanceof Uint8Array) {
    pushString(value, parts);
  } else if (Array.isArray(value)) {
    parts.push(ascii('l'));
    for (const item of value as readonly Bencodable[]) encodeInto(item, parts, depth + 1);
    parts.push(ascii('e'));
  } else {
    const entries =
      value instanceof Map
        ? [...(value as ReadonlyMap<string, Bencodable>)]
        : Object.entries(value as { readonly [key: string]: Bencodable | undefined });
    const present = entries.filter((entry): entry is [string, Bencodable] => entry[1] !== undefined);
    // Keys are one character per byte, so comparing code units is comparing bytes.
    present.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    parts.push(ascii('d'));
    for (const [key, item] of present) {
      pushString(keyBytes(key), parts);
      encodeInto(item, parts, depth + 1);
    }
    parts.push(ascii('e'));
  }
}

function pushString(bytes: Uint8Array, parts: Uint8Array[]): void {
  parts.push(ascii(`${bytes.length}:`), bytes);
}

function keyBytes(key: string): Uint8Array {
  const bytes = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code > 0xff) throw new RangeError(`bencode: dictionary key '${key}' is not one byte per character`);
    bytes[i] = code;
  }
  return bytes;
}

function ascii(text: string): Uint8Array {
  return keyBytes(text);
}

/** A byte string as dictionary keys spell it: one character per byte. */
export function bytesAsKey(bytes: Uint8Array): string {
  return latin1(bytes);
}
