// Helpers for the CLI end-to-end tests: run the CLI (in this process through main(), or as a child process
// where the test is about processes), make temp folders, and read classic scenarios with a small parser of
// our own (so the tests do not trust the code under test).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli } from './in-process.ts';

/** The repository root: the CLI is started from here so that `--import tsx` resolves. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLE = join(ROOT, 'examples', 'basic');

/** Every spawn is killed after this long, so that a hang fails the test instead of stalling it. */
export const SPAWN_TIMEOUT_MS = 60_000;

export interface CliResult {
  /** The exit code, or null when the process was killed by a signal (for example on the timeout). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `swarmlab ...args` and resolves with its exit code and captured output: in this process through
 * main() (from the repository root, the tests' working folder), as a child process through tsx with
 * `child`, or through bin/swarmlab.js on the build, as `npx swarmlab` does, with `launcher`. A child costs
 * about a second of Node start and compiling; take one only when the test needs a process of its own
 * (the launcher, signals, a command that starts children of itself such as sweep's runs).
 */
export async function swarmlab(
  args: readonly string[],
  options: { child?: boolean; launcher?: boolean } = {},
): Promise<CliResult> {
  if (options.child || options.launcher) return spawnCli(args, options.launcher === true);
  if (process.cwd() !== resolve(ROOT))
    throw new Error(`in-process CLI tests run from ${ROOT}, not ${process.cwd()}`);
  const { code, stdout, stderr } = await runCli(args);
  return { code, signal: null, stdout, stderr };
}

function spawnCli(args: readonly string[], launcher: boolean): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.CLICOLOR_FORCE;
  return new Promise((resolve, reject) => {
    const entry = launcher
      ? [join(ROOT, 'bin/swarmlab.js')]
      : ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts')];
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SPAWN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A fresh folder under the system temp folder; remove it with `removeTempDirs`. */
const tempDirs: string[] = [];
export async function makeTempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `swarmlab-cli-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  const dirs = tempDirs.splice(0);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** The sorted names in `dir`, or null when it does not exist. */
export async function listDir(dir: string): Promise<string[] | null> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Every file in `dir` with its content, for before/after comparisons. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const name of (await listDir(dir)) ?? []) snapshot[name] = await readFile(join(dir, name), 'utf8');
  return snapshot;
}

export interface ParsedClient {
  readonly rank: number;
  readonly owned: ReadonlyMap<string, readonly string[]>;
  readonly wanted: readonly string[];
}

/** Parses the text of an in<R>.txt: owned count, then `name count` and hashes per file, wanted count, names. */
export function parseInFile(rank: number, text: string): ParsedClient {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  let at = 0;
  const next = (): string => {
    const line = lines[at++];
    if (line === undefined) throw new Error(`in${rank}.txt ends early`);
    return line;
  };
  const owned = new Map<string, readonly string[]>();
  const ownedCount = Number(next());
  for (let i = 0; i < ownedCount; i++) {
    const [name, count] = next().split(/\s+/);
    if (name === undefined || count === undefined) throw new Error(`in${rank}.txt: bad file header`);
    owned.set(
      name,
      Array.from({ length: Number(count) }, () => next()),
    );
  }
  const wantedCount = Number(next());
  const wanted = Array.from({ length: wantedCount }, () => next());
  if (at !== lines.length) throw new Error(`in${rank}.txt: unexpected trailing lines`);
  return { rank, owned, wanted };
}

/** Reads in1.txt .. inN.txt of `dir`, in rank order. */
export async function readScenarioDir(dir: string): Promise<ParsedClient[]> {
  const ranks = ((await listDir(dir)) ?? [])
    .map((name) => /^in(\d+)\.txt$/.exec(name)?.[1])
    .filter((rank): rank is string => rank !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return Promise.all(
    ranks.map(async (rank) => parseInFile(rank, await readFile(join(dir, `in${rank}.txt`), 'utf8'))),
  );
}

/** The hashes of every file, from whichever client owns it. */
export function fileHashes(clients: readonly ParsedClient[]): Map<string, readonly string[]> {
  const hashes = new Map<string, readonly string[]>();
  for (const client of clients) for (const [name, list] of client.owned) hashes.set(name, list);
  return hashes;
}

/** The output files a run must write, by name, with their exact content. */
export function expectedOutputs(clients: readonly ParsedClient[]): Map<string, string> {
  const hashes = fileHashes(clients);
  const outputs = new Map<string, string>();
  for (const client of clients) {
    for (const file of client.wanted) {
      const list = client.owned.get(file) ?? hashes.get(file);
      if (list === undefined) throw new Error(`no client owns ${file}`);
      outputs.set(`client${client.rank}_${file}`, `${list.join('\n')}\n`);
    }
  }
  return outputs;
}

/** Segments that must cross the network: every wanted file a client does not already own. */
export function segmentsNeeded(clients: readonly ParsedClient[]): number {
  const hashes = fileHashes(clients);
  let total = 0;
  for (const client of clients) {
    for (const file of client.wanted) if (!client.owned.has(file)) total += hashes.get(file)?.length ?? 0;
  }
  return total;
}

export interface SummaryTable {
  readonly header: readonly string[];
  /** Row label (`client 1`, ..., `total`) to its numbers: downloaded, served, refused, files. */
  readonly rows: ReadonlyMap<string, readonly number[]>;
}

/** Reads the per-client table at the top of `run`'s stdout. */
export function parseSummaryTable(stdout: string): SummaryTable {
  const lines = stdout.split('\n');
  const headerAt = lines.findIndex((line) => /^rank\s/.test(line));
  if (headerAt < 0) throw new Error(`no summary table in:\n${stdout}`);
  const header = (lines[headerAt] as string).trim().split(/\s+/);
  const rows = new Map<string, number[]>();
  for (const line of lines.slice(headerAt + 2)) {
    const match = /^(client \d+|total)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (match === null) break;
    rows.set(match[1] as string, match.slice(2).map(Number));
  }
  return { header, rows };
}

/** A stack frame line, which the CLI must never print. */
export const STACK_FRAME = /\n\s+at /;

/** Fails with the child's output when it did not exit with `code`, so a failure says why. */
export function expectExit(result: CliResult, code: number): void {
  expect(
    { code: result.code, signal: result.signal },
    `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
  ).toEqual({ code, signal: null });
}
