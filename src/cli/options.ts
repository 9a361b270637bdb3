// Parsers for flag values, each rejecting bad values with a sentence a user can act on.
import { UsageError } from './errors.ts';

export function wholeNumber(flag: string, min = 0): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
      throw new UsageError(
        `${flag} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${value}'`,
      );
    }
    return Number(value);
  };
}

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
