// Results files read back for reports are checked field by field (issue 11, item 13).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/in-process.ts';
import { listDir, makeTempDir, removeTempDirs } from '../cli/spawn.ts';

let classic: Record<string, unknown>;
let swarm: Record<string, unknown>;

beforeAll(async () => {
  const dir = await makeTempDir('results');
  const classicPath = join(dir, 'classic.json');
  const swarmPath = join(dir, 'swarm.json');
  const ran = await runCli(['run', 'examples/basic', '-q', '--out', join(dir, 'out'), '--json', classicPath]);
  expect(ran.code, ran.stderr).toBe(0);
  const simulated = await runCli(['simulate', 'scenarios/classic.yaml', '-q', '--json', swarmPath]);
  expect(simulated.code, simulated.stderr).toBe(0);
  classic = JSON.parse(await readFile(classicPath, 'utf8'));
  swarm = JSON.parse(await readFile(swarmPath, 'utf8'));
});

afterEach(removeTempDirs);

type Key = string | number;

/** Sets the field at `path` of a parsed JSON value to `to`, or deletes it when `to` is undefined. */
function edit(value: unknown, path: readonly Key[], to: unknown): void {
  const parent = path.slice(0, -1).reduce((at, key) => (at as Record<Key, unknown>)[key], value);
  const last = path.at(-1) as Key;
  if (to === undefined) delete (parent as Record<Key, unknown>)[last];
  else (parent as Record<Key, unknown>)[last] = to;
}

/** `report` on one results file made from a good one with one field changed: its exit code and stderr. */
async function reportOn(good: () => Record<string, unknown>, field: readonly Key[], to: unknown) {
  const dir = await makeTempDir('report');
  const value = structuredClone(good());
  edit(value, field, to);
  const path = join(dir, 'bad.json');
  await writeFile(path, JSON.stringify(value));
  const result = await runCli(['report', path, '-o', join(dir, 'report.html')]);
  expect(await listDir(dir)).toEqual(['bad.json']);
  return { ...result, path };
}

describe('report refuses a results file with the right format but wrong content', () => {
  it('accepts the files run and simulate write', async () => {
    const dir = await makeTempDir('report');
    for (const [name, value] of [
      ['c.json', classic],
      ['s.json', swarm],
    ] as const) {
      await writeFile(join(dir, name), JSON.stringify(value));
      const result = await runCli(['report', join(dir, name), '-o', join(dir, `${name}.html`)]);
      expect(result.code, result.stderr).toBe(0);
    }
  });

  it.each([
    ['a client count that is text', () => classic, ['clients', 2, 'served'], 'many', 'clients[2].served: '],
    ['no summary', () => classic, ['summary'], undefined, 'summary: '],
    ['a transfer from nobody', () => classic, ['transfers', 0, 'from'], -1, 'transfers[0].from: '],
    ['a peer whose bytes are text', () => swarm, ['peers', 1, 'bytesUp'], '1 MB', 'peers[1].bytesUp: '],
    ['no series', () => swarm, ['series'], undefined, 'series: '],
    ['a role that is not one', () => swarm, ['peers', 0, 'role'], 'boss', 'peers[0].role: '],
  ] as const)('%s', async (_what, good, path, to, where) => {
    const result = await reportOn(good, path, to);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`swarmlab: ${result.path}: ${where}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a version it does not read, saying a newer swarmlab wrote it', async () => {
    const result = await reportOn(() => swarm, ['version'], 2);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${result.path}: has "version": 2; this swarmlab reads version 1 (written by a newer swarmlab)`,
    );
  });
});
