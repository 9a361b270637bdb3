import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeValue,
  parseArrivalRate,
  parseDuration,
  parseRate,
  parseSize,
} from '../../../src/bittorrent/scenario/units.ts';

describe('parseSize', () => {
  it.each([
    ['0 B', 0],
    ['700 B', 700],
    ['1 kB', 1000],
    ['1 KB', 1000],
    ['1 KiB', 1024],
    ['700 MB', 700_000_000],
    ['1 MiB', 1_048_576],
    ['1.5 GB', 1_500_000_000],
    ['2 GiB', 2 * 2 ** 30],
    ['3 TB', 3e12],
    ['1 TiB', 2 ** 40],
    ['256 KiB', 262_144],
    ['16KiB', 16_384],
    ['  16   KiB  ', 16_384],
    ['.5 KiB', 512],
    ['5. KB', 5000],
    ['1e3 B', 1000],
    ['2.5e-3 MB', 2500],
    ['+4 B', 4],
    ['42', 42],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('multiplies decimals exactly, so 1.1 KB is 1100 bytes rather than 1100.0000000000002', () => {
    expect(parseSize('1.1 KB')).toBe(1100);
    expect(parseSize('0.7 GB')).toBe(700_000_000);
  });

  it('takes a bare number as bytes', () => {
    expect(parseSize(0)).toBe(0);
    expect(parseSize(65_536)).toBe(65_536);
  });

  it.each([
    ['fast', 'expected a size like "700 MB", got "fast"'],
    [
      '700 Mb',
      'expected a size like "700 MB", got "700 Mb" (units: B, kB, KB, KiB, MB, MiB, GB, GiB, TB, TiB)',
    ],
    [
      '700 mb',
      'expected a size like "700 MB", got "700 mb" (units: B, kB, KB, KiB, MB, MiB, GB, GiB, TB, TiB)',
    ],
    ['-5 MB', 'must not be negative, got "-5 MB"'],
    [-5, 'must not be negative, got -5'],
    [1.5, '1.5 is not a whole number of bytes'],
    ['1.3 KiB', '"1.3 KiB" is 1331.2 bytes, not a whole number'],
    ['1e400 MB', '"1e400 MB" is too large'],
    ['1e16 B', '"1e16 B" is too large for a size'],
    [Number.POSITIVE_INFINITY, 'Infinity is too large'],
    [Number.NaN, 'expected a size like "700 MB", got NaN'],
    [true, 'expected a size like "700 MB", got true'],
    [null, 'expected a size like "700 MB", got nothing'],
    [[1], 'expected a size like "700 MB", got a list'],
    [{ mb: 1 }, 'expected a size like "700 MB", got a mapping'],
    ['MB', 'expected a size like "700 MB", got "MB"'],
    [
      '1,000 MB',
      'expected a size like "700 MB", got "1,000 MB" (units: B, kB, KB, KiB, MB, MiB, GB, GiB, TB, TiB)',
    ],
  ])('rejects %j: %s', (value, problem) => {
    expect(parseSize(value)).toBe(problem);
  });
});

describe('parseRate', () => {
  it.each([
    ['800 bit/s', 100],
    ['1 bit/s', 0.125],
    ['500 kbit/s', 62_500],
    ['1 Mbit/s', 125_000],
    ['1 Gbit/s', 125_000_000],
    ['8 bps', 1],
    ['8 kbps', 1000],
    ['10 Mbps', 1_250_000],
    ['2 Gbps', 250_000_000],
    ['100 B/s', 100],
    ['1 kB/s', 1000],
    ['1 KB/s', 1000],
    ['100 KiB/s', 102_400],
    ['2 MB/s', 2_000_000],
    ['1 MiB/s', 1_048_576],
    ['1 GB/s', 1e9],
    ['1 GiB/s', 2 ** 30],
    ['1.5 Mbit/s', 187_500],
    ['1 Mbit / s', 125_000],
    ['0 Mbit/s', 0],
    ['1000', 1000],
  ])('reads %j as %d bytes per second', (text, bps) => {
    expect(parseRate(text)).toBe(bps);
  });

  it('takes a bare number as bytes per second', () => {
    expect(parseRate(12.5)).toBe(12.5);
  });

  it('names the problem and the allowed units', () => {
    expect(parseRate('fast')).toBe('expected a rate like "1 Mbit/s", got "fast"');
    expect(parseRate('700 MB')).toBe(
      'expected a rate like "1 Mbit/s", got "700 MB" (units: bit/s, kbit/s, Mbit/s, Gbit/s, bps, kbps, ' +
        'Mbps, Gbps, B/s, kB/s, KB/s, KiB/s, MB/s, MiB/s, GB/s, GiB/s, TB/s, TiB/s)',
    );
    expect(parseRate('-1 Mbit/s')).toBe('must not be negative, got "-1 Mbit/s"');
    expect(parseRate(-0.5)).toBe('must not be negative, got -0.5');
    expect(parseRate(false)).toBe('expected a rate like "1 Mbit/s", got false');
  });

  it('is case-sensitive in the prefix, as units are written', () => {
    expect(parseRate('1 mbit/s')).toMatch(/^expected a rate/);
    expect(parseRate('1 MBPS')).toMatch(/^expected a rate/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['50 ms', 0.05],
    ['10 s', 10],
    ['5 min', 300],
    ['0.1 min', 6],
    ['2 h', 7200],
    ['1 d', 86_400],
    ['1.5h', 5400],
    ['0 s', 0],
    ['30', 30],
  ])('reads %j as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('takes a bare number as seconds', () => {
    expect(parseDuration(2.5)).toBe(2.5);
  });

  it('reads -0 as 0', () => {
    expect(Object.is(parseDuration(-0), 0)).toBe(true);
    expect(Object.is(parseDuration('-0 s'), 0)).toBe(true);
  });

  it.each([
    ['5 m', 'expected a duration like "10 s", got "5 m" (units: ms, s, min, h, d)'],
    ['soon', 'expected a duration like "10 s", got "soon"'],
    ['-1 s', 'must not be negative, got "-1 s"'],
    [-3, 'must not be negative, got -3'],
  ])('rejects %j: %s', (value, problem) => {
    expect(parseDuration(value)).toBe(problem);
  });
});

describe('parseArrivalRate', () => {
  it.each([
    ['0.5/s', 0.5],
    ['30/min', 0.5],
    ['30 / min', 0.5],
    ['7200/h', 2],
    ['86400/d', 1],
    ['1/ms', 1000],
    ['0/s', 0],
    ['3', 3],
  ])('reads %j as %d per second', (text, perS) => {
    expect(parseArrivalRate(text)).toBe(perS);
  });

  it('takes a bare number as per second', () => {
    expect(parseArrivalRate(0.25)).toBe(0.25);
  });

  it.each([
    ['30 per min', 'expected an arrival rate like "30/min", got "30 per min" (units: /ms, /s, /min, /h, /d)'],
    ['30/week', 'expected an arrival rate like "30/min", got "30/week" (units: /ms, /s, /min, /h, /d)'],
    ['often', 'expected an arrival rate like "30/min", got "often"'],
    ['-1/s', 'must not be negative, got "-1/s"'],
  ])('rejects %j: %s', (value, problem) => {
    expect(parseArrivalRate(value)).toBe(problem);
  });
});

describe('describeValue', () => {
  it('shows text quoted and shortened, numbers and booleans as written, structures by name', () => {
    expect(describeValue('fast')).toBe('"fast"');
    expect(describeValue('x'.repeat(50))).toBe(`"${'x'.repeat(40)}…"`);
    expect(describeValue(3.5)).toBe('3.5');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(null)).toBe('nothing');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue([])).toBe('a list');
    expect(describeValue({})).toBe('a mapping');
  });
});

describe('unit parsers, on any input', () => {
  const parsers = [parseSize, parseRate, parseDuration, parseArrivalRate];

  it('return a non-negative finite number or a problem, and never throw', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(...parsers), (value, parse) => {
        const parsed = parse(value);
        if (typeof parsed === 'number') expect(parsed >= 0 && Number.isFinite(parsed)).toBe(true);
        else expect(parsed.length).toBeGreaterThan(0);
      }),
    );
  });

  it('read "<n> <unit>" as n times the unit', () => {
    const units: [string, number][] = [
      ['B', 1],
      ['KB', 1000],
      ['KiB', 1024],
      ['MiB', 2 ** 20],
    ];
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.constantFrom(...units), (n, [unit, bytes]) => {
        expect(parseSize(`${n} ${unit}`)).toBe(n * bytes);
        expect(parseRate(`${n} ${unit}/s`)).toBe(n * bytes);
      }),
    );
  });
});
