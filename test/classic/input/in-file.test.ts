import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientFile,
  formatClientFile,
  formatOutputFile,
  outputFileName,
  parseClientFile,
  toClientInputs,
} from '../../../src/classic/input/in-file.ts';
import type { ClientInput } from '../../../src/classic/protocol/client.ts';
import { InputError } from '../../../src/util/input-error.ts';

const PATH = 'seed/in1.txt';

const H = {
  a1: '0123456789abcdef0123456789abcdef',
  a2: 'fedcba9876543210fedcba9876543210',
  a3: '00112233445566778899aabbccddeeff',
  b1: 'ffeeddccbbaa99887766554433221100',
  b2: 'deadbeefdeadbeefdeadbeefdeadbeef',
};

const SEED = ['2', `file1 3`, H.a1, H.a2, H.a3, 'file2 2', H.b1, H.b2, '1', 'file3', ''].join('\n');

const SEED_PARSED: ClientFile = {
  path: PATH,
  rank: 1,
  owned: [
    { name: 'file1', hashes: [H.a1, H.a2, H.a3], line: 2 },
    { name: 'file2', hashes: [H.b1, H.b2], line: 6 },
  ],
  wanted: [{ name: 'file3', line: 10 }],
};

function parse(text: string, rank = 1): ClientFile {
  return parseClientFile(PATH, rank, text);
}

/** Runs `fn`, which must throw an InputError; checks its line, a part of its problem, and its message. */
function expectInputError(
  fn: () => unknown,
  line: number,
  fragment: string | RegExp,
  path = PATH,
): InputError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InputError);
  const error = thrown as InputError;
  expect(error.path).toBe(path);
  expect(error.line).toBe(line);
  if (typeof fragment === 'string') expect(error.problem).toContain(fragment);
  else expect(error.problem).toMatch(fragment);
  expect(error.message).toBe(`${path}:${line}: ${error.problem}`);
  return error;
}

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

describe('parseClientFile: good forms', () => {
  it('parses the seed typical file: two owned files with 32-hex hashes and one wanted file', () => {
    expect(parse(SEED)).toEqual(SEED_PARSED);
  });

  it('keeps the path and rank it is given', () => {
    const parsed = parseClientFile('other/in7.txt', 7, SEED);
    expect(parsed.path).toBe('other/in7.txt');
    expect(parsed.rank).toBe(7);
  });

  it('accepts a client that owns no files', () => {
    expect(parse(lines('0', '2', 'x', 'y'))).toEqual({
      path: PATH,
      rank: 1,
      owned: [],
      wanted: [
        { name: 'x', line: 3 },
        { name: 'y', line: 4 },
      ],
    });
  });

  it('accepts a client that wants no files', () => {
    expect(parse(lines('1', 'a 1', 'h', '0'))).toEqual({
      path: PATH,
      rank: 1,
      owned: [{ name: 'a', hashes: ['h'], line: 2 }],
      wanted: [],
    });
  });

  it('accepts a client that owns nothing and wants nothing', () => {
    expect(parse(lines('0', '0'))).toEqual({ path: PATH, rank: 1, owned: [], wanted: [] });
  });

  it('reads CRLF line endings like LF ones, with no stray carriage returns in names or hashes', () => {
    expect(parse(SEED.replace(/\n/g, '\r\n'))).toEqual(SEED_PARSED);
  });

  it('accepts a mix of CRLF and LF line endings', () => {
    const mixed = SEED.split('\n')
      .map((row, i) => (i % 2 === 0 ? `${row}\r\n` : `${row}\n`))
      .join('');
    expect(parse(mixed)).toEqual(SEED_PARSED);
  });

  it('ignores trailing blank and whitespace-only lines', () => {
    expect(parse(`${SEED}\n\n   \n\t\n\r\n`)).toEqual(SEED_PARSED);
  });

  it('accepts a file with no trailing newline', () => {
    expect(parse(SEED.trimEnd())).toEqual(SEED_PARSED);
  });

  it('accepts extra spaces and tabs around and between tokens', () => {
    const text = [
      '  2\t',
      '\tfile1   \t 3  ',
      `   ${H.a1}`,
      `${H.a2}\t\t`,
      ` \t${H.a3} `,
      'file2\t2',
      H.b1,
      H.b2,
      ' 1 ',
      '\t file3 \t',
    ].join('\n');
    expect(parse(text)).toEqual(SEED_PARSED);
  });

  it('skips blank lines between entries and counts them in line numbers', () => {
    const text = lines('', '1', '', 'a 2', 'h1', '', 'h2', '', '1', '', 'b');
    expect(parse(text)).toEqual({
      path: PATH,
      rank: 1,
      owned: [{ name: 'a', hashes: ['h1', 'h2'], line: 4 }],
      wanted: [{ name: 'b', line: 11 }],
    });
  });

  it('accepts counts with leading zeros', () => {
    expect(parse(lines('01', 'a 002', 'h1', 'h2', '00'))).toEqual({
      path: PATH,
      rank: 1,
      owned: [{ name: 'a', hashes: ['h1', 'h2'], line: 2 }],
      wanted: [],
    });
  });

  it('has no limit of its own on the number of segments (5000)', () => {
    const hashes = Array.from({ length: 5000 }, (_, i) => `h${i.toString(16).padStart(32, '0')}`);
    const parsed = parse(lines('1', `big 5000`, ...hashes, '0'));
    expect(parsed.owned).toHaveLength(1);
    expect(parsed.owned[0]).toEqual({ name: 'big', hashes, line: 2 });
  });

  it('has no limit of its own on the number of owned or wanted files (300 each)', () => {
    const owned = Array.from({ length: 300 }, (_, i) => ({ name: `f${i}`, hashes: [`x${i}`, `y${i}`] }));
    const wanted = Array.from({ length: 300 }, (_, i) => `w${i}`);
    const rows = ['300'];
    for (const file of owned) rows.push(`${file.name} 2`, ...file.hashes);
    rows.push('300', ...wanted);
    const parsed = parse(lines(...rows));
    expect(parsed.owned).toEqual(owned.map((file, i) => ({ ...file, line: 2 + 3 * i })));
    expect(parsed.wanted).toEqual(wanted.map((name, i) => ({ name, line: 2 + 3 * 300 + 1 + i })));
  });

  it('accepts file names longer than 15 characters', () => {
    const long = 'a-really-long-file-name.with.dots_and_underscores-0123456789';
    const longer = 'x'.repeat(500);
    expect(parse(lines('1', `${long} 1`, 'h', '1', longer))).toEqual({
      path: PATH,
      rank: 1,
      owned: [{ name: long, hashes: ['h'], line: 2 }],
      wanted: [{ name: longer, line: 5 }],
    });
  });

  it('takes any non-space token as a hash, not only hex', () => {
    const odd = ['Z', 'not-hex!', '0', 'a/b\\c', 'ünïcödé'];
    expect(parse(lines('1', 'a 5', ...odd, '0')).owned[0]?.hashes).toEqual(odd);
  });

  it('lets the same hash appear more than once in a file', () => {
    expect(parse(lines('1', 'a 3', 'h', 'h', 'h', '0')).owned[0]?.hashes).toEqual(['h', 'h', 'h']);
  });
});

describe('parseClientFile: bad forms', () => {
  it('reports an empty file', () => {
    expectInputError(() => parse(''), 1, /^empty file: expected the number of owned files$/);
  });

  it('reports a file of only blank lines as empty', () => {
    expectInputError(() => parse('\n  \n\t\r\n\n'), 1, 'empty file');
  });

  it('reports a file that ends before the wanted count, on its last line', () => {
    expectInputError(
      () => parse(lines('1', 'a 1', 'h')),
      3,
      'expected the number of wanted files, found the end of the file',
    );
  });

  it('reports a file that ends before the wanted count, ignoring trailing blank lines', () => {
    expectInputError(() => parse('0\n\n\n'), 1, 'expected the number of wanted files, found the end');
  });

  it('reports a file that ends before all wanted files are listed', () => {
    expectInputError(() => parse(lines('0', '3', 'x', 'y')), 4, 'expected wanted file 3 of 3');
  });

  it('reports a file that ends before all owned files are listed', () => {
    expectInputError(() => parse(lines('2', 'a 1', 'h')), 3, 'expected owned file 2 of 2');
  });

  it('reports an owned count that is not a number', () => {
    expectInputError(
      () => parse(lines('two', 'a 1', 'h', '0')),
      1,
      "expected the number of owned files (a whole number), found 'two'",
    );
  });

  it('reports a segment count that is not a number', () => {
    expectInputError(
      () => parse(lines('1', 'a three', 'h', '0')),
      2,
      "expected the number of segments of a (a whole number), found 'three'",
    );
  });

  it('reports a missing segment count after an owned file name', () => {
    expectInputError(() => parse(lines('1', 'a', 'h', '0')), 2, 'expected the number of segments after a');
  });

  it('reports a wanted count that is not a number', () => {
    expectInputError(
      () => parse(lines('1', 'a 1', 'h', 'one', 'b')),
      4,
      "expected the number of wanted files (a whole number), found 'one'",
    );
  });

  it('reports a fractional count as not a whole number', () => {
    expectInputError(() => parse(lines('1.5', '0')), 1, "found '1.5'");
  });

  it('reports a negative owned count', () => {
    expectInputError(
      () => parse(lines('-1', '0')),
      1,
      "expected the number of owned files (a whole number), found '-1'",
    );
  });

  it('reports a negative segment count', () => {
    expectInputError(
      () => parse(lines('1', 'a -2', 'h', '0')),
      2,
      "the number of segments of a (a whole number), found '-2'",
    );
  });

  it('reports a negative wanted count', () => {
    expectInputError(
      () => parse(lines('0', '-1')),
      2,
      "expected the number of wanted files (a whole number), found '-1'",
    );
  });

  it('reports a count too large to be a safe integer', () => {
    expectInputError(
      () => parse(lines('99999999999999999999', '0')),
      1,
      'the number of owned files is too large: 99999999999999999999',
    );
  });

  it('reports fewer hashes than declared when the next file header comes early', () => {
    expectInputError(
      () => parse(lines('2', 'a 3', 'h1', 'h2', 'b 1', 'h3', '0')),
      5,
      "expected 3 hashes for a, found 2 before the next file's header",
    );
  });

  it('reports fewer hashes than declared when the file ends, on the last line', () => {
    expectInputError(() => parse(lines('1', 'a 3', 'h1', 'h2')), 4, 'expected 3 hashes for a, found 2');
  });

  it('reports fewer hashes than declared when the file ends right after the header', () => {
    expectInputError(() => parse('1\na 2'), 2, /^expected 2 hashes for a, found 0$/);
  });

  it('reports fewer hashes than declared when the wanted count was taken as the last hash', () => {
    expectInputError(
      () => parse(lines('1', 'a 2', 'h1', '1', 'b')),
      4,
      "expected 2 hashes for a, found 1: '1' here looks like the number of wanted files",
    );
  });

  it('reports fewer hashes than declared when the wanted count was taken as the last hash and the file ends', () => {
    expectInputError(
      () => parse(lines('1', 'a 2', 'h1', '0')),
      4,
      "expected 2 hashes for a, found 1: '0' here looks like the number of wanted files",
    );
  });

  // Source bug: when an owned file's last hash is all digits, any error reading the wanted count is
  // re-reported as "the wanted count was taken as a hash", on the hash's line, even when the file gave
  // exactly the declared number of hashes and the wanted count line is present but has an extra token.
  it('reports an extra token after the wanted count on its own line even when the last hash is all digits', () => {
    expectInputError(
      () => parse(lines('1', 'a 1', '42', '1 x', 'b')),
      4,
      "unexpected 'x' after the number of wanted files",
    );
  });

  it('reports content after the wanted list, on the line where it starts', () => {
    expectInputError(
      () => parse(lines('0', '1', 'x', '', 'extra stuff', '')),
      5,
      /^unexpected content after the 1 wanted file$/,
    );
  });

  it('reports content after an empty wanted list, with a plural noun', () => {
    expectInputError(() => parse(lines('0', '0', 'x')), 3, /^unexpected content after the 0 wanted files$/);
  });

  it('reports an extra token after the owned count', () => {
    expectInputError(
      () => parse(lines('1 2', 'a 1', 'h', '0')),
      1,
      "unexpected '2' after the number of owned files",
    );
  });

  it('reports an extra token after a segment count', () => {
    expectInputError(
      () => parse(lines('1', 'a 1 x', 'h', '0')),
      2,
      "unexpected 'x' after the number of segments of a",
    );
  });

  it('reports an extra token after the wanted count', () => {
    expectInputError(
      () => parse(lines('0', '1 x', 'y')),
      2,
      "unexpected 'x' after the number of wanted files",
    );
  });

  it('reports an extra token on a hash line', () => {
    expectInputError(
      () => parse(lines('1', 'a 2', 'h1', 'h2 oops', '0')),
      4,
      'expected one hash per line for a, found 2 tokens',
    );
  });

  it('reports an extra token after a wanted file name', () => {
    expectInputError(() => parse(lines('0', '1', 'x y')), 3, "unexpected 'y' after the wanted file name x");
  });

  it('reports a file listed twice as owned, on the second listing, naming the first', () => {
    expectInputError(
      () => parse(lines('2', 'a 1', 'h', 'a 1', 'h', '0')),
      4,
      'a is listed twice as owned (first on line 2)',
    );
  });

  it('reports a file wanted twice, on the second listing, naming the first', () => {
    expectInputError(() => parse(lines('0', '3', 'x', 'y', 'x')), 5, 'x is wanted twice (first on line 3)');
  });

  it('reports an owned file with 0 segments', () => {
    expectInputError(() => parse(lines('1', 'a 0', '0')), 2, 'a has 0 segments');
  });

  it("reports an owned file name containing '/'", () => {
    expectInputError(() => parse(lines('1', 'dir/a 1', 'h', '0')), 2, "'dir/a' cannot be a file name");
  });

  it("reports a wanted file name containing '/'", () => {
    expectInputError(
      () => parse(lines('0', '1', '../etc/passwd')),
      3,
      "'../etc/passwd' cannot be a file name",
    );
  });

  it("reports a file name containing '\\'", () => {
    expectInputError(() => parse(lines('1', 'a\\b 1', 'h', '0')), 2, "'a\\b' cannot be a file name");
  });

  it("reports '.' and '..' as file names", () => {
    expectInputError(() => parse(lines('1', '. 1', 'h', '0')), 2, "'.' cannot be a file name");
    expectInputError(() => parse(lines('0', '1', '..')), 3, "'..' cannot be a file name");
  });

  it('names the right line in a CRLF file', () => {
    expectInputError(() => parse('1\r\na 2\r\nh1\r\nb 1\r\n'), 4, 'found 1 before the next');
  });
});

describe('toClientInputs', () => {
  const in1 = () => parseClientFile('d/in1.txt', 1, lines('1', 'a 2', 'h1', 'h2', '1', 'b'));
  const in2 = () => parseClientFile('d/in2.txt', 2, lines('1', 'b 1', 'g1', '1', 'a'));

  it('turns parsed files into client inputs without line numbers, and no warnings', () => {
    expect(toClientInputs([in1(), in2()])).toEqual({
      clients: [
        { rank: 1, owned: [{ name: 'a', hashes: ['h1', 'h2'] }], wanted: ['b'] },
        { rank: 2, owned: [{ name: 'b', hashes: ['g1'] }], wanted: ['a'] },
      ],
      warnings: [],
    });
  });

  it('accepts two owners that agree on a file', () => {
    const in3 = parseClientFile('d/in3.txt', 3, lines('1', 'a 2', 'h1', 'h2', '0'));
    expect(toClientInputs([in1(), in2(), in3]).clients[2]).toEqual({
      rank: 3,
      owned: [{ name: 'a', hashes: ['h1', 'h2'] }],
      wanted: [],
    });
  });

  it('reports a wanted file that no client owns, naming the wanting file and line', () => {
    const in3 = parseClientFile('d/in3.txt', 3, lines('0', '2', 'a', 'ghost'));
    expectInputError(
      () => toClientInputs([in1(), in2(), in3]),
      4,
      'ghost is wanted, but no client owns it',
      'd/in3.txt',
    );
  });

  it('reports two owners that disagree on hashes, naming both places', () => {
    const in3 = parseClientFile('d/in3.txt', 3, lines('', '', '1', '', 'a 2', 'h1', 'DIFFERENT', '0'));
    const error = expectInputError(
      () => toClientInputs([in1(), in2(), in3]),
      5,
      'a has other hashes than at d/in1.txt:2',
      'd/in3.txt',
    );
    expect(error.message).toBe('d/in3.txt:5: a has other hashes than at d/in1.txt:2');
  });

  it('reports two owners that disagree on the number of segments', () => {
    const in3 = parseClientFile('d/in3.txt', 3, lines('1', 'a 1', 'h1', '0'));
    expectInputError(
      () => toClientInputs([in1(), in3]),
      2,
      'a has other hashes than at d/in1.txt:2',
      'd/in3.txt',
    );
  });

  it('warns, without failing, when a client wants a file it already owns', () => {
    const in3 = parseClientFile('d/in3.txt', 3, lines('1', 'b 1', 'g1', '1', 'b'));
    const { clients, warnings } = toClientInputs([in1(), in2(), in3]);
    expect(clients[2]).toEqual({ rank: 3, owned: [{ name: 'b', hashes: ['g1'] }], wanted: ['b'] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^d\/in3\.txt:5: client 3 wants b, which it owns/);
  });
});

describe('formatClientFile and the output format', () => {
  it('writes the seed typical file as it is', () => {
    const client: ClientInput = {
      rank: 1,
      owned: SEED_PARSED.owned.map(({ name, hashes }) => ({ name, hashes })),
      wanted: ['file3'],
    };
    expect(formatClientFile(client)).toBe(SEED);
  });

  it('names outputs client<R>_<file> and writes hashes one per line with a trailing newline', () => {
    expect(outputFileName(3, 'file1')).toBe('client3_file1');
    expect(formatOutputFile(['h1', 'h2'])).toBe('h1\nh2\n');
  });
});

// ---------------------------------------------------------------- property tests

const nameArb = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/).filter((name) => name !== '.' && name !== '..');
const hashArb = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 40 })
  .map((text) => text.replace(/\s/g, ''))
  .filter((text) => text.length > 0);

const clientArb: fc.Arbitrary<ClientInput> = fc.record({
  rank: fc.integer({ min: 1, max: 1000 }),
  owned: fc
    .uniqueArray(nameArb, { maxLength: 6 })
    .chain((names) =>
      fc.tuple(
        ...names.map((name) =>
          fc.array(hashArb, { minLength: 1, maxLength: 8 }).map((hashes) => ({ name, hashes })),
        ),
      ),
    ),
  wanted: fc.uniqueArray(nameArb, { maxLength: 6 }),
});

describe('formatClientFile then parseClientFile', () => {
  it('round-trips any client, with line numbers where the text puts them', () => {
    fc.assert(
      fc.property(clientArb, (client) => {
        const parsed = parseClientFile(PATH, client.rank, formatClientFile(client));
        let line = 2;
        const owned = client.owned.map((file) => {
          const entry = { name: file.name, hashes: [...file.hashes], line };
          line += 1 + file.hashes.length;
          return entry;
        });
        line++;
        const wanted = client.wanted.map((name) => ({ name, line: line++ }));
        expect(parsed).toEqual({ path: PATH, rank: client.rank, owned, wanted });
      }),
      { numRuns: 300 },
    );
  });
});

/** Parses `text`; it must return a ClientFile or throw a well-formed InputError naming a line of the text. */
function parsesOrReportsInputError(text: string): void {
  let result: ClientFile;
  try {
    result = parseClientFile(PATH, 1, text);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const match = /^seed\/in1\.txt:([1-9]\d*): /.exec(error.message);
    expect(match, error.message).not.toBeNull();
    expect(error.path).toBe(PATH);
    expect(error.line).toBe(Number(match?.[1]));
    expect(error.message).toBe(`${PATH}:${error.line}: ${error.problem}`);
    expect(error.problem.length).toBeGreaterThan(0);
    expect(error.line).toBeLessThanOrEqual(text.split(/\r?\n/).length);
    return;
  }
  expect(Array.isArray(result.owned)).toBe(true);
  expect(Array.isArray(result.wanted)).toBe(true);
  for (const file of result.owned) expect(file.hashes.length).toBeGreaterThan(0);
}

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), token: fc.nat(), text: fc.string() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary' }) }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutation: Mutation): string {
  const rows = text.split('\n');
  const at = mutation.at % rows.length;
  switch (mutation.kind) {
    case 'delete':
      rows.splice(at, 1);
      break;
    case 'duplicate':
      rows.splice(at, 0, rows[at] as string);
      break;
    case 'replace': {
      const tokens = (rows[at] as string).split(' ');
      tokens[mutation.token % tokens.length] = mutation.text;
      rows[at] = tokens.join(' ');
      break;
    }
    case 'insert':
      rows.splice(at, 0, mutation.text);
      break;
  }
  return rows.join('\n');
}

const tokenSoupArb = fc
  .array(
    fc.constantFrom(
      '0',
      '1',
      '2',
      '3',
      '-1',
      '00',
      '1e3',
      'a',
      'b',
      'a/b',
      '..',
      'h1',
      ' ',
      '\t',
      '\n',
      '\r\n',
      '\r',
      'x 1',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('parseClientFile fuzzing', () => {
  it('returns or throws an InputError naming a line, for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), parsesOrReportsInputError), {
      numRuns: 1000,
    });
  });

  it('returns or throws an InputError naming a line, for soups of counts, names and line breaks', () => {
    fc.assert(fc.property(tokenSoupArb, parsesOrReportsInputError), { numRuns: 1000 });
  });

  it('returns or throws an InputError naming a line, for mutated valid files', () => {
    fc.assert(
      fc.property(clientArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (client, mutations) => {
        parsesOrReportsInputError(mutations.reduce(mutate, formatClientFile(client)));
      }),
      { numRuns: 1500 },
    );
  });
});
