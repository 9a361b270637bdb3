// A classic scenario on disk: a folder of in1.txt .. inN.txt, and the client<R>_<file> outputs of a run.
import { constants } from 'node:buffer';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../util/input-error.ts';
import { type OutputSet, writeAll } from '../../util/output-set.ts';
import {
  formatClientFile,
  formatOutputFile,
  outputFileName,
  parseClientFile,
  toClientInputs,
} from './in-file.ts';
import type { ClassicScenario } from './scenario.ts';

export interface LoadedScenario {
  readonly scenario: ClassicScenario;
  readonly warnings: readonly string[];
}

export async function readClassicScenario(dir: string): Promise<LoadedScenario> {
  const { ranks, ignored } = await listClientRanks(dir);
  // Read side by side, but a bad input is reported by rank, the lowest first: the first to fail would
  // depend on which read ended first, and the same folder must always give the same message.
  const settled = await Promise.allSettled(
    ranks.map(async (rank) => {
      const path = join(dir, `in${rank}.txt`);
      return parseClientFile(path, rank, await readText(path));
    }),
  );
  const files = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
  const { clients, warnings } = toClientInputs(files);
  const notRead = ignored.map(
    (name) => `${join(dir, name)}: not read: in-files are named in1.txt, in2.txt, ... without leading zeros`,
  );
  return { scenario: { clients }, warnings: [...notRead, ...warnings] };
}

/** Node reads a file as one string of at most this many characters (about 512 MiB). */
const MAX_TEXT_BYTES = constants.MAX_STRING_LENGTH;

async function readText(path: string): Promise<string> {
  try {
    // A FIFO would block the read for ever, and /dev/zero never end: only regular files are read.
    const stats = await stat(path);
    if (stats.isDirectory()) throw new InputError(path, undefined, 'is a folder, not a file');
    if (!stats.isFile())
      throw new InputError(path, undefined, 'is not a regular file (a FIFO, device or socket)');
    if (stats.size > MAX_TEXT_BYTES) {
      throw new InputError(
        path,
        undefined,
        `is ${mib(stats.size)}, more than the ${mib(MAX_TEXT_BYTES)} an in-file may have (Node's longest string)`,
      );
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    throw new InputError(path, undefined, `cannot be read (${code ?? message})`);
  }
}

function mib(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)} MiB`;
}

/**
 * The ranks 1..N of the in<R>.txt files in `dir` (a gap in the numbering is an error), and the names
 * that look like in-files but are not read (in02.txt).
 */
async function listClientRanks(dir: string): Promise<{ ranks: number[]; ignored: string[] }> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(dir, undefined, 'not a folder');
    entries = await readdir(dir);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(dir, undefined, code === 'ENOENT' ? 'no such folder' : `cannot be read (${code})`);
  }
  const ignored = entries.filter((name) => /^in0\d*\.txt$/.test(name)).sort();
  const ranks = entries
    .map((name) => /^in([1-9]\d*)\.txt$/.exec(name)?.[1])
    .filter((rank): rank is string => rank !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (ranks.length === 0)
    throw new InputError(dir, undefined, 'no in<R>.txt files (in1.txt, in2.txt, ...) here');
  ranks.forEach((rank, i) => {
    if (rank !== i + 1) {
      throw new InputError(dir, undefined, `in${i + 1}.txt is missing: client ranks run 1..N without gaps`);
    }
  });
  return { ranks, ignored };
}

export interface OutputFile {
  readonly rank: number;
  readonly file: string;
  readonly hashes: readonly string[];
}

/** Stages every output into `dir` in `set`; the caller commits them with its other files, or none. */
export async function stageOutputs(
  set: OutputSet,
  dir: string,
  outputs: readonly OutputFile[],
): Promise<void> {
  set.makeFolder(dir);
  for (const output of outputs) {
    await set.write(join(dir, outputFileName(output.rank, output.file)), formatOutputFile(output.hashes));
  }
}

/** Writes every output into `dir`, all or none, and returns their paths. */
export async function writeOutputs(dir: string, outputs: readonly OutputFile[]): Promise<string[]> {
  return writeAll((set) => stageOutputs(set, dir, outputs));
}

/**
 * Writes in1.txt .. inN.txt into `dir`, all or none, then removes any other in-file there (an earlier,
 * larger scenario's in<N+1>.txt ...), which run would otherwise read as clients of this one.
 */
export async function writeClassicScenario(dir: string, scenario: ClassicScenario): Promise<void> {
  const names = new Set(scenario.clients.map((client) => `in${client.rank}.txt`));
  await writeAll(async (set) => {
    for (const client of scenario.clients) {
      await set.write(join(dir, `in${client.rank}.txt`), formatClientFile(client));
    }
  });
  for (const name of await readdir(dir)) {
    if (IN_FILE.test(name) && !names.has(name)) await rm(join(dir, name), { force: true });
  }
}

/** Any name run reads as a client's in-file, or warns about (in02.txt). */
const IN_FILE = /^in\d+\.txt$/;
