import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuery, percentDecode, percentEncode } from '../../../src/bittorrent/net/tracker-query.ts';

describe('tracker query strings', () => {
  it('round-trips any bytes through percent-encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const encoded = percentEncode(bytes);
        expect(encoded).toMatch(/^[A-Za-z0-9.\-_~%]*$/);
        expect(percentDecode(encoded)).toEqual(bytes);
      }),
    );
  });

  it('reads binary values byte by byte, names more than once, and + as itself', () => {
    const fields = parseQuery('info_hash=%FF%00a&info_hash=b&flag&x=1+2');
    expect(fields).toBeInstanceOf(Map);
    if (typeof fields === 'string') return;
    expect(fields.get('info_hash')).toEqual([new Uint8Array([0xff, 0, 0x61]), new Uint8Array([0x62])]);
    expect(fields.get('flag')).toEqual([new Uint8Array(0)]);
    expect(Buffer.from(fields.get('x')?.[0] ?? []).toString()).toBe('1+2');
  });

  it.each(['a=%G0', 'a=%4', 'a=b c', 'a=\u00e9'])('refuses %j', (query) => {
    expect(typeof parseQuery(query)).toBe('string');
  });
});
