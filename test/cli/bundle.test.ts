// End to end: bin/swarmlab.js runs the bundle in dist/bundle (scripts/bundle.mjs), and the bundle keeps
// each command's action in a chunk of its own, loaded only when that command runs: a `get` process (a
// benchmark starts ten at once) loads a few files, not the simulator or the reports. The threads
// runtime's worker, found beside the code that starts it, must be there too.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, ROOT, removeTempDirs, SPAWN_TIMEOUT_MS } from './spawn.ts';

afterEach(removeTempDirs);

const RECORD_LOADS = join(ROOT, 'test/cli/record-loads.mjs');
/** The files `--version` loaded when the CLI was bundled: 14 (41 before, dist/ file by file). */
const MOST_FILES_FOR_VERSION = 20;

interface Run {
  readonly code: number;
  readonly stdout: string;
  /** The module files the process loaded, relative to the repository root. */
  readonly loaded: readonly string[];
}

/** Runs `node bin/swarmlab.js ...args`, recording every module file it loads. */
async function launch(args: readonly string[]): Promise<Run> {
  const loads = join(await makeTempDir('bundle'), 'loads.txt');
  const { code, stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', RECORD_LOADS, join(ROOT, 'bin/swarmlab.js'), ...args],
    { cwd: ROOT, env: { ...process.env, SWARMLAB_TEST_LOADS: loads }, timeout: SPAWN_TIMEOUT_MS },
  ).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: unknown; stdout?: string }) => ({
      code: typeof error.code === 'number' ? error.code : -1,
      stdout: error.stdout ?? '',
    }),
  );
  const urls = (await readFile(loads, 'utf8')).split('\n').filter((line) => line !== '');
  const loaded = urls
    .map((url) => relative(ROOT, fileURLToPath(url)))
    .filter((path) => !path.startsWith('test/'));
  return { code, stdout, loaded };
}

/** The actions loaded (esbuild names the chunk of a dynamic import after its file: get-action-HASH.js). */
const actions = (loaded: readonly string[]) =>
  loaded
    .filter((path) => /-action(-[A-Z0-9]+)?\.js$/.test(path))
    .map((path) => path.replace(/(-[A-Z0-9]+)?\.js$/, ''));

describe('the bundled CLI', () => {
  it('is what bin/swarmlab.js runs: --version loads the launcher and a few bundle files, no action', async () => {
    const run = await launch(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(run.loaded[0]).toBe('bin/swarmlab.js');
    // Nothing from dist/'s per-file output, the sources, or node_modules (commander is in the bundle).
    expect(run.loaded.slice(1).filter((path) => !path.startsWith('dist/bundle/'))).toEqual([]);
    expect(run.loaded).toContain('dist/bundle/bin.js');
    expect(actions(run.loaded)).toEqual([]);
    expect(run.loaded.length).toBeLessThanOrEqual(MOST_FILES_FOR_VERSION);
  });

  it('loads no action for a command’s --help', async () => {
    const run = await launch(['get', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: swarmlab get');
    expect(actions(run.loaded)).toEqual([]);
  });

  it('loads the action of the command that runs, and no other', async () => {
    const run = await launch(['get', 'no-such.torrent', '--out', await makeTempDir('bundle-out')]);
    expect(run.code).toBe(2);
    expect(actions(run.loaded)).toEqual(['dist/bundle/get-action']);
    expect(run.loaded.filter((path) => !path.startsWith('dist/bundle/'))).toEqual(['bin/swarmlab.js']);
  });

  it('starts the threads runtime’s workers from the bundle (its copy of the worker, beside the chunks)', async () => {
    const out = join(await makeTempDir('bundle-threads'), 'out');
    const run = await launch(['run', 'examples/basic', '--runtime', 'threads', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote 5 output files to ${out}`);
    expect(actions(run.loaded)).toEqual(['dist/bundle/run-action']);
  });
});
