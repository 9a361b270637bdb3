// Every file one command writes, written together or not at all. Each file is first written into a
// staging folder that mkdtemp makes fresh beside its destination (so a temporary name can never be a
// real file's, and keeps the file's own name, so it is no longer than the final one), and moved into
// place by rename once every file was written; if anything fails, every staged file is removed.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Starts the name of a staging folder; such folders last only while a command writes its outputs. */
export const STAGING_PREFIX = '.swarmlab-staging-';

/** A write that failed: it names the file, and why in words, not only an errno code. */
export class WriteError extends Error {
  override readonly name = 'WriteError';
}

interface StagedFile {
  readonly path: string;
  readonly temporary: string;
}

/** How a staged file is written; tests pass one that fails like a full disk. */
export type WriteFile = (path: string, content: string | Uint8Array) => Promise<void>;

export class OutputSet {
  constructor(private readonly writeStaged: WriteFile = writeFile) {}

  private readonly staged: StagedFile[] = [];
  private readonly finals = new Set<string>();
  private readonly folders: string[] = [];
  /** Destination folder (resolved) to its staging folder. */
  private readonly staging = new Map<string, string>();
  /** Folders this set made that did not exist before, removed again if the set is discarded. */
  private readonly madeFolders: string[] = [];

  /** Stages `content` to become `path`; nothing is visible at `path` until commit. */
  async write(path: string, content: string | Uint8Array): Promise<void> {
    const final = resolve(path);
    if (this.finals.has(final)) throw new WriteError(`${path} would be written twice by one command`);
    this.finals.add(final);
    const temporary = join(await this.stagingFor(path), basename(final));
    try {
      await this.writeStaged(temporary, content);
    } catch (error) {
      throw writeError(path, error);
    }
    this.staged.push({ path, temporary });
  }

  /** Makes `path` a folder at commit, even if no file is written into it. */
  makeFolder(path: string): void {
    this.folders.push(path);
  }

  /** Moves every staged file into place and returns their paths, in the order they were written. */
  async commit(): Promise<string[]> {
    for (const folder of this.folders) {
      try {
        await mkdir(folder, { recursive: true });
      } catch (error) {
        throw writeError(folder, error);
      }
    }
    for (const file of this.staged) {
      try {
        await rename(file.temporary, file.path);
      } catch (error) {
        throw writeError(file.path, error);
      }
    }
    await this.removeStaging();
    return this.staged.map((file) => file.path);
  }

  /** Removes every staged file and every folder this set made. */
  async discard(): Promise<void> {
    await this.removeStaging();
    for (const folder of this.madeFolders.reverse()) await rm(folder, { recursive: true, force: true });
  }

  private async stagingFor(path: string): Promise<string> {
    const folder = resolve(dirname(path));
    const known = this.staging.get(folder);
    if (known !== undefined) return known;
    try {
      const made = await mkdir(folder, { recursive: true });
      if (made !== undefined) this.madeFolders.push(made);
      const staging = await mkdtemp(join(folder, STAGING_PREFIX));
      this.staging.set(folder, staging);
      return staging;
    } catch (error) {
      throw writeError(path, error);
    }
  }

  private async removeStaging(): Promise<void> {
    for (const staging of this.staging.values()) await rm(staging, { recursive: true, force: true });
    this.staging.clear();
  }
}

/**
 * Runs `stage`, which writes into a fresh set, then moves every file into place: all of them if
 * `stage` and every write succeeded, none otherwise. Returns the paths written.
 */
export async function writeAll(
  stage: (outputs: OutputSet) => Promise<void>,
  outputs: OutputSet = new OutputSet(),
): Promise<string[]> {
  try {
    await stage(outputs);
    return await outputs.commit();
  } catch (error) {
    await outputs.discard();
    throw error;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  EISDIR: 'a folder is there',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'something else is already there',
  EIO: 'an input/output error',
};

function writeError(path: string, error: unknown): WriteError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === undefined ? String(error) : `${REASONS[code] ?? 'failed'} (${code})`;
  return new WriteError(`cannot write ${path}: ${reason}; nothing was written`);
}
