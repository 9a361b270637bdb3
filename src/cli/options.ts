// Parsers for flag values, each rejecting bad values with a sentence a user can act on.
import { stat } from 'node:fs/promises';
import { UsageError } from './errors.ts';

export function wholeNumber(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new UsageError(`${flag} takes a whole number${range(min, max)}, got '${value}'`);
    }
    return number;
  };
}

function range(min: number, max: number): string {
  if (max < Number.MAX_SAFE_INTEGER) return ` from ${min} to ${max}`;
  return min > 0 ? ` of at least ${min}` : '';
}

/** Seeds are 32 bits wide: a larger one would replay the run of the seed 2^32 below it. */
export const MAX_SEED = 2 ** 32 - 1;

/** The --seed flag of every command. */
export const seedNumber = wholeNumber('--seed', 0, MAX_SEED);

/** Node's timers hold at most 2^31 - 1 ms; a longer one fires at once (TimeoutOverflowWarning). */
export const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

export function probability(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
      throw new UsageError(`${flag} takes a number from 0 to 1, got '${value}'`);
    }
    return number;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new UsageError(`${flag} takes one of ${allowed.join(', ')}; got '${value}'`);
    }
    return value as T;
  };
}

/** `path` is a folder, or nothing yet (it will be made). */
export async function expectFolderOrNothing(path: string, flag: string): Promise<void> {
  const kind = await kindOf(path);
  if (kind === 'file') throw new UsageError(`${flag} ${path}: a file is there, not a folder`);
}

/** `path` is a file (to be replaced), or nothing yet. */
export async function expectFileOrNothing(path: string, flag: string): Promise<void> {
  const kind = await kindOf(path);
  if (kind === 'folder') throw new UsageError(`${flag} ${path}: a folder is there, not a file`);
}

async function kindOf(path: string): Promise<'file' | 'folder' | 'nothing'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'nothing';
  }
}

/** Collects every use of a repeatable flag (such as --set) in order. */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}
