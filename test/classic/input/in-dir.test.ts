import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readClassicScenario,
  writeClassicScenario,
  writeOutputs,
} from '../../../src/classic/input/in-dir.ts';
import type { ClassicScenario } from '../../../src/classic/input/scenario.ts';
import { InputError } from '../../../src/util/input-error.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swarmlab-classic-dir-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

const IN1 = lines('2', 'file1 2', 'h11', 'h12', 'file2 1', 'h21', '1', 'file3');
const IN2 = lines('1', 'file3 3', 'h31', 'h32', 'h33', '1', 'file1');
const IN3 = lines('0', '2', 'file2', 'file3');

async function writeInputs(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}

/** Awaits `promise`, which must reject with an InputError; returns it. */
async function inputErrorOf(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('readClassicScenario', () => {
  it('reads in1..in3 into clients in rank order, with no warnings', async () => {
    await writeInputs({ 'in3.txt': IN3, 'in1.txt': IN1, 'in2.txt': IN2 });
    expect(await readClassicScenario(dir)).toEqual({
      scenario: {
        clients: [
          {
            rank: 1,
            owned: [
              { name: 'file1', hashes: ['h11', 'h12'] },
              { name: 'file2', hashes: ['h21'] },
            ],
            wanted: ['file3'],
          },
          { rank: 2, owned: [{ name: 'file3', hashes: ['h31', 'h32', 'h33'] }], wanted: ['file1'] },
          { rank: 3, owned: [], wanted: ['file2', 'file3'] },
        ],
      },
      warnings: [],
    });
  });

  it('orders ranks numerically, so in10.txt comes after in9.txt', async () => {
    const files: Record<string, string> = { 'in1.txt': lines('1', 'f 1', 'h', '0') };
    for (let rank = 2; rank <= 10; rank++) files[`in${rank}.txt`] = lines('0', '1', 'f');
    await writeInputs(files);
    const { scenario } = await readClassicScenario(dir);
    expect(scenario.clients.map((client) => client.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('ignores files that are not in<R>.txt', async () => {
    await writeInputs({
      'in1.txt': IN1,
      'in2.txt': IN2,
      'in3.txt': IN3,
      'notes.txt': 'x',
      client1_file3: 'h',
    });
    const { scenario } = await readClassicScenario(dir);
    expect(scenario.clients).toHaveLength(3);
  });

  it('passes on the warning for a client that wants a file it owns', async () => {
    await writeInputs({ 'in1.txt': lines('1', 'f 1', 'h', '1', 'f') });
    const { warnings } = await readClassicScenario(dir);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${join(dir, 'in1.txt')}:5: client 1 wants f, which it owns`);
  });

  it('reports a missing in2.txt when in3.txt exists, naming in2.txt', async () => {
    await writeInputs({ 'in1.txt': IN1, 'in3.txt': IN3 });
    const error = await inputErrorOf(readClassicScenario(dir));
    expect(error.path).toBe(dir);
    expect(error.line).toBeUndefined();
    expect(error.problem).toContain('in2.txt is missing');
    expect(error.message).toBe(`${dir}: ${error.problem}`);
  });

  it('reports a missing in1.txt when the ranks start at 2', async () => {
    await writeInputs({ 'in2.txt': IN2, 'in3.txt': IN3 });
    const error = await inputErrorOf(readClassicScenario(dir));
    expect(error.problem).toContain('in1.txt is missing');
  });

  it('reports a folder with no in<R>.txt files', async () => {
    await writeInputs({ 'readme.txt': 'nothing here' });
    const error = await inputErrorOf(readClassicScenario(dir));
    expect(error.path).toBe(dir);
    expect(error.problem).toContain('no in<R>.txt files');
  });

  it('reports a folder that does not exist as an InputError', async () => {
    const missing = join(dir, 'does-not-exist');
    const error = await inputErrorOf(readClassicScenario(missing));
    expect(error.path).toBe(missing);
    expect(error.line).toBeUndefined();
    expect(error.message).toBe(`${missing}: no such folder`);
  });

  it('reports a path that is a file, not a folder', async () => {
    await writeInputs({ 'in1.txt': IN1 });
    const file = join(dir, 'in1.txt');
    const error = await inputErrorOf(readClassicScenario(file));
    expect(error.message).toBe(`${file}: not a folder`);
  });

  it('reports a parse error with the in file path and line', async () => {
    await writeInputs({ 'in1.txt': IN1, 'in2.txt': lines('1', 'file3 two', 'h', '0') });
    const error = await inputErrorOf(readClassicScenario(dir));
    expect(error.path).toBe(join(dir, 'in2.txt'));
    expect(error.line).toBe(2);
    expect(error.problem).toContain("found 'two'");
  });

  it('reports a wanted file that no client owns, across files', async () => {
    await writeInputs({ 'in1.txt': IN1, 'in2.txt': lines('0', '1', 'ghost') });
    const error = await inputErrorOf(readClassicScenario(dir));
    expect(error.message).toBe(`${join(dir, 'in1.txt')}:8: file3 is wanted, but no client owns it`);
  });

  // Source bug: a folder named in<R>.txt passes the name filter, and readFile then rejects with a
  // raw Node error (EISDIR) rather than an InputError, so the CLI cannot report it as bad input.
  it('reports an in<R>.txt that is a folder as an InputError', async () => {
    await writeInputs({ 'in1.txt': IN1 });
    await mkdir(join(dir, 'in2.txt'));
    const error = await inputErrorOf(readClassicScenario(dir));
    expect(error.path).toBe(join(dir, 'in2.txt'));
  });
});

describe('writeClassicScenario', () => {
  it('writes in<R>.txt files that read back as the same scenario, with no .partial files', async () => {
    const scenario: ClassicScenario = {
      clients: [
        { rank: 1, owned: [{ name: 'a', hashes: ['x1', 'x2'] }], wanted: ['b'] },
        { rank: 2, owned: [{ name: 'b', hashes: ['y1'] }], wanted: ['a'] },
      ],
    };
    const target = join(dir, 'scenario');
    await writeClassicScenario(target, scenario);
    expect((await readdir(target)).sort()).toEqual(['in1.txt', 'in2.txt']);
    expect(await readFile(join(target, 'in1.txt'), 'utf8')).toBe(lines('1', 'a 2', 'x1', 'x2', '1', 'b'));
    expect(await readClassicScenario(target)).toEqual({ scenario, warnings: [] });
  });
});

describe('writeOutputs', () => {
  it('writes client<R>_<file> files, hashes one per line with a trailing newline, no .partial files', async () => {
    const out = join(dir, 'out', 'nested');
    const written = await writeOutputs(out, [
      { rank: 1, file: 'file3', hashes: ['h31', 'h32', 'h33'] },
      { rank: 3, file: 'file2', hashes: ['h21'] },
    ]);
    expect(written).toEqual([join(out, 'client1_file3'), join(out, 'client3_file2')]);
    expect((await readdir(out)).sort()).toEqual(['client1_file3', 'client3_file2']);
    expect(await readFile(join(out, 'client1_file3'), 'utf8')).toBe('h31\nh32\nh33\n');
    expect(await readFile(join(out, 'client3_file2'), 'utf8')).toBe('h21\n');
  });

  it('replaces an output that is already there', async () => {
    await writeFile(join(dir, 'client2_f'), 'old\ncontent\nthat is longer\n');
    await writeOutputs(dir, [{ rank: 2, file: 'f', hashes: ['new'] }]);
    expect(await readFile(join(dir, 'client2_f'), 'utf8')).toBe('new\n');
    expect((await readdir(dir)).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('writes nothing but creates the folder when there are no outputs', async () => {
    const out = join(dir, 'empty');
    expect(await writeOutputs(out, [])).toEqual([]);
    expect(await readdir(out)).toEqual([]);
  });
});
