// gen never mixes two scenarios in one folder, nor overwrites one without --force; it refuses what it
// cannot write with exit 2 and the reason (issue 11, items 8 and 12, and the Low gen items).
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './in-process.ts';
import { EXAMPLE, listDir, makeTempDir, removeTempDirs, STACK_FRAME, snapshotDir } from './spawn.ts';

afterEach(removeTempDirs);

const inFiles = (n: number) => Array.from({ length: n }, (_, i) => `in${i + 1}.txt`).sort();

describe('gen into a folder that is not empty', () => {
  it('refuses the bundled example (a copy of it) without --force, and leaves it alone', async () => {
    const dir = join(await makeTempDir('gen-example'), 'basic');
    await cp(EXAMPLE, dir, { recursive: true });
    const before = await snapshotDir(dir);
    const result = await runCli(['gen', dir, '--clients', '2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`swarmlab: ${dir} is not empty (4 entries)`);
    expect(result.stderr).toContain('--force');
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('with --force, removes the in-files of an earlier, larger scenario, so run reads only the new one', async () => {
    const dir = await makeTempDir('gen-force');
    expect((await runCli(['gen', dir, '--clients', '12'])).code).toBe(0);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const result = await runCli(['gen', dir, '--clients', '3', '--force']);
    expect(result.code, result.stderr).toBe(0);
    expect(await listDir(dir)).toEqual([...inFiles(3), 'notes.txt'].sort());
    const run = await runCli(['run', dir, '-q', '--out', join(dir, 'out')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^rank[^\n]*\n-+[^\n]*\nclient 1 .*\nclient 2 .*\nclient 3 .*\ntotal /);
  });

  it('writes into an empty folder that exists', async () => {
    const dir = await makeTempDir('gen-empty');
    expect((await runCli(['gen', dir, '--clients', '2'])).code).toBe(0);
    expect(await listDir(dir)).toEqual(inFiles(2));
  });
});

describe('gen refuses, with exit 2 and the reason, what it cannot write', () => {
  it.each([
    [['--min-segments', '50', '--max-segments', '10'], '--min-segments 50 is more than --max-segments 10'],
    [['--max-segments', '1000000000000'], 'of memory to write, more than the'],
    [['--files', '100000', '--max-segments', '100000000'], 'use fewer files, segments or clients'],
  ])('%j', async (flags, problem) => {
    const dir = join(await makeTempDir('gen-bad'), 'scenario');
    const result = await runCli(['gen', dir, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await listDir(dir)).toBeNull();
  });

  it('refuses a path that is a file, or lies under one', async () => {
    const parent = await makeTempDir('gen-file');
    const file = join(parent, 'a-file');
    await writeFile(file, 'x');
    const onFile = await runCli(['gen', file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toBe(`swarmlab: ${file}: a file is there, not a folder\n`);
    const underFile = await runCli(['gen', join(file, 'sub')]);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toContain('is a file, not a folder');
    await mkdir(join(parent, 'empty'));
    expect(await listDir(parent)).toEqual(['a-file', 'empty']);
  });
});
