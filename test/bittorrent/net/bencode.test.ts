import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Bencoded,
  BencodeError,
  decodeBencode,
  decodeWithSpans,
  encodeBencode,
  MAX_DEPTH,
} from '../../../src/bittorrent/net/bencode.ts';

const text = (value: string) => new TextEncoder().encode(value);
const decode = (value: string, sortedKeys = true) => decodeBencode(text(value), { sortedKeys });
const ascii = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** The first problem decoding `value` finds, as `byte N: what`. */
function problemOf(value: string | Uint8Array): string {
  try {
    decodeBencode(typeof value === 'string' ? text(value) : value);
  } catch (error) {
    expect(error).toBeInstanceOf(BencodeError);
    return (error as Error).message;
  }
  throw new Error(`decoded without a problem: ${String(value)}`);
}

describe('bencode decoding', () => {
  it('reads the four kinds of value', () => {
    expect(decode('i42e')).toBe(42);
    expect(decode('i-7e')).toBe(-7);
    expect(decode('i0e')).toBe(0);
    expect(ascii(decode('4:spam') as Uint8Array)).toBe('spam');
    expect(ascii(decode('0:') as Uint8Array)).toBe('');
    const list = decode('l4:spami3ee') as Bencoded[];
    expect(list).toHaveLength(2);
    expect(list[1]).toBe(3);
    const dict = decode('d3:bar4:spam3:fooi42ee') as Map<string, Bencoded>;
    expect([...dict.keys()]).toEqual(['bar', 'foo']);
    expect(dict.get('foo')).toBe(42);
  });

  it.each([
    ['', 'byte 0: empty input, expected a value'],
    ['i03e', 'byte 0: integer i03e has a leading zero'],
    ['i-0e', 'byte 0: integer i-0e is not allowed'],
    ['ie', 'byte 1: an integer has no digits'],
    ['i1.5e', "byte 2: expected a digit in an integer, found '.'"],
    ['i12', 'byte 3: input ends where the end of an integer was expected'],
    ['i99999999999999999e', 'byte 1: an integer has too many digits'],
    ['i9007199254740993e', 'byte 0: integer 9007199254740993 is too large'],
    ['5:ab', 'byte 0: string of 5 bytes runs past the end of the input'],
    ['03:abc', 'byte 0: string length 03 has a leading zero'],
    ['-3:abc', "byte 0: expected a value (i, l, d or a digit), found '-'"],
    ['l4:spam', 'byte 7: input ends where e or a list item was expected'],
    ['d3:fooi1e3:bari2ee', "byte 9: key 'bar' is out of order"],
    ['d3:fooi1e3:fooi2ee', "byte 9: key 'foo' appears twice"],
    ['di1ei2ee', "byte 1: expected a string as dictionary key, found 'i'"],
    ['d3:foo', 'byte 6: input ends where a value was expected'],
    ['i1ei2e', 'byte 3: 3 bytes after the end of the value'],
    ['x', "byte 0: expected a value (i, l, d or a digit), found 'x'"],
  ])('refuses %j: %s', (input, problem) => {
    expect(problemOf(input)).toBe(problem);
  });

  it('bounds how deep lists and dictionaries nest, without exhausting the stack', () => {
    const ok = `${'l'.repeat(MAX_DEPTH)}${'e'.repeat(MAX_DEPTH)}`;
    expect(() => decode(ok)).not.toThrow();
    const deep = 'l'.repeat(1_000_000);
    expect(problemOf(deep)).toBe(`byte ${MAX_DEPTH}: nested deeper than ${MAX_DEPTH} levels`);
  });

  it('keeps a __proto__ key as a key, not as a prototype', () => {
    const dict = decode('d9:__proto__d4:evili1eee') as Map<string, Bencoded>;
    expect(dict).toBeInstanceOf(Map);
    expect(dict.get('__proto__')).toBeInstanceOf(Map);
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });

  it('keeps binary keys byte for byte, and reads unsorted keys when asked to', () => {
    const key = new Uint8Array([0xff, 0x00, 0x80]);
    const encoded = encodeBencode(new Map([[ascii(key), 1]]));
    const dict = decodeBencode(encoded) as Map<string, Bencoded>;
    expect([...dict.keys()]).toEqual([ascii(key)]);
    expect(decode('d3:fooi1e3:bari2ee', false)).toBeInstanceOf(Map);
    expect(() => decode('d3:fooi1e3:fooi2ee', false)).toThrow('appears twice');
  });

  it('says where each value of the top-level dictionary lies', () => {
    const input = text('d8:announce3:url4:infod4:name1:xee');
    const { spans } = decodeWithSpans(input);
    const info = spans.get('info');
    expect(info).toBeDefined();
    expect(ascii(input.subarray(info?.start, info?.end))).toBe('d4:name1:xe');
  });
});

describe('bencode encoding', () => {
  it('writes dictionary keys in byte order, objects and maps alike, and leaves out undefined', () => {
    expect(ascii(encodeBencode({ b: 1, a: 'x', c: undefined }))).toBe('d1:a1:x1:bi1ee');
    const keys = new Map<string, number>([
      ['\xff', 1],
      ['\x7f', 2],
      ['\x00', 3],
    ]);
    expect([...encodeBencode(keys)]).toEqual([...text('d1:\x00i3e1:\x7fi2e1:'), 0xff, ...text('i1ee')]);
  });

  it('writes text as UTF-8 and refuses what bencode cannot hold', () => {
    expect([...encodeBencode('é')]).toEqual([...text('2:'), 0xc3, 0xa9]);
    expect(() => encodeBencode(1.5)).toThrow(RangeError);
    expect(() => encodeBencode({ 'é\u0100': 1 })).toThrow(RangeError);
  });

  it('round-trips any value, and re-encodes what it decoded to the same bytes', () => {
    const value: fc.Arbitrary<Bencoded> = fc.letrec<{ value: Bencoded }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.maxSafeInteger(),
        fc.uint8Array({ maxLength: 20 }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc
          .array(fc.tuple(fc.uint8Array({ maxLength: 6 }).map(ascii), tie('value')), { maxLength: 4 })
          .map((entries) => new Map(entries)),
      ),
    })).value;
    fc.assert(
      fc.property(value, (input) => {
        const bytes = encodeBencode(input);
        const decoded = decodeBencode(bytes);
        expect(normalize(decoded)).toEqual(normalize(input));
        expect(encodeBencode(decoded)).toEqual(bytes);
      }),
    );
  });

  it('never throws anything but a BencodeError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeBencode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(BencodeError);
        }
      }),
    );
  });
});

/** Maps with their keys in byte order and byte strings as arrays, for comparison. */
function normalize(value: Bencoded): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map)
    return [...value.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, normalize(v)]);
  return value;
}
