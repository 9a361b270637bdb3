// Quantities as people write them in scenario files ("700 MB", "10 Mbit/s", "5 min", "30/min"), converted
// to the units the simulator counts in: bytes, bytes per second, seconds and events per second.

/** A parser's answer: the value in base units, or a sentence saying what is wrong with the input. */
export type Parsed = number | string;

/**
 * A unit as an integer factor times a power of ten (over an optional divisor), so that "1.1 KB" is exactly
 * 1100 bytes rather than 1.1 * 1000 = 1100.0000000000002.
 */
interface Unit {
  readonly factor: number;
  readonly power: number;
  readonly divisor?: number;
}

const SIZE_UNITS: Readonly<Record<string, Unit>> = {
  B: { factor: 1, power: 0 },
  kB: { factor: 1, power: 3 },
  KB: { factor: 1, power: 3 },
  KiB: { factor: 2 ** 10, power: 0 },
  MB: { factor: 1, power: 6 },
  MiB: { factor: 2 ** 20, power: 0 },
  GB: { factor: 1, power: 9 },
  GiB: { factor: 2 ** 30, power: 0 },
  TB: { factor: 1, power: 12 },
  TiB: { factor: 2 ** 40, power: 0 },
};

// A bit is 125e-3 bytes; network rates use decimal prefixes for bits.
const BIT_RATE_UNITS: Readonly<Record<string, Unit>> = {
  'bit/s': { factor: 125, power: -3 },
  'kbit/s': { factor: 125, power: 0 },
  'Mbit/s': { factor: 125, power: 3 },
  'Gbit/s': { factor: 125, power: 6 },
  bps: { factor: 125, power: -3 },
  kbps: { factor: 125, power: 0 },
  Mbps: { factor: 125, power: 3 },
  Gbps: { factor: 125, power: 6 },
};

const RATE_UNITS: Readonly<Record<string, Unit>> = {
  ...BIT_RATE_UNITS,
  ...Object.fromEntries(Object.entries(SIZE_UNITS).map(([name, unit]) => [`${name}/s`, unit])),
};

const DURATION_UNITS: Readonly<Record<string, Unit>> = {
  ms: { factor: 1, power: -3 },
  s: { factor: 1, power: 0 },
  min: { factor: 60, power: 0 },
  h: { factor: 3600, power: 0 },
  d: { factor: 86_400, power: 0 },
};

const ARRIVAL_UNITS: Readonly<Record<string, Unit>> = Object.fromEntries(
  Object.entries(DURATION_UNITS).map(([name, unit]) => [
    `/${name}`,
    { factor: 1, power: -unit.power, divisor: unit.factor },
  ]),
);

/** The unit of a bare number: the base unit itself. */
const BASE: Unit = { factor: 1, power: 0 };

/** A decimal literal, optionally signed, then an optional unit; spaces between them are optional. */
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?\s*(.*)$/;

interface Kind {
  /** What the value is, with an example, as in `expected a size like "700 MB"`. */
  readonly expected: string;
  readonly units: Readonly<Record<string, Unit>>;
}

const SIZE: Kind = { expected: 'a size like "700 MB"', units: SIZE_UNITS };
const RATE: Kind = { expected: 'a rate like "1 Mbit/s"', units: RATE_UNITS };
const DURATION: Kind = { expected: 'a duration like "10 s"', units: DURATION_UNITS };
const ARRIVAL: Kind = { expected: 'an arrival rate like "30/min"', units: ARRIVAL_UNITS };

/** Bytes: a number of bytes, or text like "700 MB", "256 KiB" or "16KiB". Always a whole number of bytes. */
export function parseSize(value: unknown): Parsed {
  const bytes = parseQuantity(value, SIZE);
  if (typeof bytes === 'string') return bytes;
  if (!Number.isInteger(bytes)) {
    const what =
      typeof value === 'number' ? 'not a whole number of bytes' : `${bytes} bytes, not a whole number`;
    return `${describeValue(value)} is ${what}`;
  }
  if (!Number.isSafeInteger(bytes)) return `${describeValue(value)} is too large for a size`;
  return bytes;
}

/** Bytes per second: a number, or text like "1 Mbit/s", "10 Mbps", "2 MB/s" or "100 KiB/s". */
export function parseRate(value: unknown): Parsed {
  return parseQuantity(value, RATE);
}

/** Seconds: a number, or text like "50 ms", "10 s", "5 min", "2 h" or "1 d". */
export function parseDuration(value: unknown): Parsed {
  return parseQuantity(value, DURATION);
}

/** Events per second: a number, or text like "0.5/s", "30/min" or "100/h" (any duration unit after the slash). */
export function parseArrivalRate(value: unknown): Parsed {
  return parseQuantity(value, ARRIVAL);
}

/** A bare number is in base units; text is a decimal number, then a unit of `kind` unless it is in base units. */
function parseQuantity(value: unknown, kind: Kind): Parsed {
  if (typeof value === 'number') return checkNumber(value, value, kind.expected);
  const expected = `expected ${kind.expected}, got ${describeValue(value)}`;
  const match = typeof value === 'string' ? QUANTITY.exec(value.trim()) : null;
  if (match === null) return expected;
  const [, sign, digits, exponent, unitName] = match as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  if (sign === '-' && Number(digits) !== 0) return `must not be negative, got ${describeValue(value)}`;
  const unit = unitName === '' ? BASE : kind.units[unitName.replace(/\s*\/\s*/, '/')];
  if (unit === undefined) return `${expected} (units: ${Object.keys(kind.units).join(', ')})`;
  const result = scale(exponent === undefined ? digits : `${digits}e${exponent}`, unit);
  return checkNumber(result, value, kind.expected);
}

function checkNumber(value: number, shown: unknown, expected: string): Parsed {
  if (Number.isNaN(value)) return `expected ${expected}, got ${describeValue(shown)}`;
  if (value < 0) return `must not be negative, got ${describeValue(shown)}`;
  if (!Number.isFinite(value)) return `${describeValue(shown)} is too large`;
  // -0 would print as 0 everywhere but compare oddly in tests and in Object.is.
  return value === 0 ? 0 : value;
}

/**
 * `literal` (an unsigned decimal, maybe with an exponent) times `unit`, rounded once: the literal's digits
 * are an integer, so multiplying them by the unit's integer factor is exact while it stays a safe integer.
 */
function scale(literal: string, unit: Unit): number {
  const [mantissa = '', exponent = '0'] = literal.toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = Number(`${whole}${fraction}` || '0') * unit.factor;
  const scaled = Number.isSafeInteger(digits)
    ? Number(`${digits}e${Number(exponent) - fraction.length + unit.power}`)
    : Number(literal) * unit.factor * 10 ** unit.power;
  return scaled / (unit.divisor ?? 1);
}

/** A value as a message shows it: text in quotes (shortened), numbers as written, structures by name. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
