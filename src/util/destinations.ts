// Where a command will write, checked before it runs, so that a long run is never lost to a typo, a
// full path, or an output that would overwrite one of its own inputs.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from './input-error.ts';

/** A file the command creates or replaces, or a folder it writes files into; `flag` names it to the user. */
export interface Destination {
  readonly kind: 'file' | 'folder';
  readonly path: string;
  readonly flag: string;
}

type Found = { readonly kind: 'file' | 'folder' | 'other' } | { readonly kind: 'nothing' };

/**
 * Refuses (InputError, exit 2) a destination that cannot be written: a folder where a file goes or the
 * reverse, a device or FIFO, a path under a file, a folder that cannot be written, a file that is one of
 * `inputs`, or one file named by two flags.
 */
export async function checkDestinations(
  destinations: readonly Destination[],
  inputs: readonly string[] = [],
): Promise<void> {
  const inputPaths = new Set(inputs.map((input) => resolve(input)));
  const files = new Map<string, string>();
  for (const destination of destinations) {
    const where = `${destination.flag} ${destination.path}`;
    const fail = (problem: string) => new InputError(where, undefined, problem);
    const path = resolve(destination.path);
    if (destination.kind === 'file') {
      if (inputPaths.has(path)) throw fail('is one of the inputs: choose another name');
      const other = files.get(path);
      if (other !== undefined) throw fail(`is also the destination of ${other}`);
      files.set(path, destination.flag);
    }
    await checkOne(destination, path, fail);
  }
  await checkSameFiles([...files.keys()], inputs, (path) => {
    const flag = files.get(path) as string;
    return new InputError(`${flag} ${path}`, undefined, 'is one of the inputs: choose another name');
  });
}

async function checkOne(
  destination: Destination,
  path: string,
  fail: (problem: string) => InputError,
): Promise<void> {
  const found = await find(path, fail);
  if (destination.kind === 'file') {
    if (found.kind === 'folder') throw fail('a folder is there, not a file');
    if (found.kind === 'other') throw fail('is not a regular file (a device, FIFO or socket)');
    if (found.kind === 'file') return expectWritableFolder(dirname(path), fail);
  } else {
    if (found.kind === 'file' || found.kind === 'other') throw fail('a file is there, not a folder');
    if (found.kind === 'folder') return expectWritableFolder(path, fail);
  }
  await expectWritableFolder(await nearestExisting(dirname(path), fail), fail);
}

async function find(path: string, fail: (problem: string) => InputError): Promise<Found> {
  try {
    const stats = await stat(path);
    return { kind: stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : 'other' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'nothing' };
    if (code === 'ENAMETOOLONG') throw fail('the name is too long for the file system');
    throw fail(`cannot be reached (${code})`);
  }
}

/** The closest folder above `path` that exists; a file on the way is an error. */
async function nearestExisting(path: string, fail: (problem: string) => InputError): Promise<string> {
  let at = path;
  for (;;) {
    const found = await find(at, fail);
    if (found.kind === 'folder') return at;
    if (found.kind !== 'nothing') throw fail(`${at} is a file, not a folder`);
    const up = dirname(at);
    if (up === at) return at;
    at = up;
  }
}

async function expectWritableFolder(folder: string, fail: (problem: string) => InputError): Promise<void> {
  try {
    await access(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw fail(`cannot write in ${folder} (${(error as NodeJS.ErrnoException).code})`);
  }
}

/** Catches an input reached under another name (a link, `..`): same device, same inode. */
async function checkSameFiles(
  outputs: readonly string[],
  inputs: readonly string[],
  fail: (path: string) => InputError,
): Promise<void> {
  const identities = new Set<string>();
  for (const input of inputs) {
    const id = await identity(input);
    if (id !== undefined) identities.add(id);
  }
  for (const output of outputs) {
    const id = await identity(output);
    if (id !== undefined && identities.has(id)) throw fail(output);
  }
}

async function identity(path: string): Promise<string | undefined> {
  try {
    const stats = await stat(path);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}
