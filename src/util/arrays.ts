// Small helpers on arrays that more than one layer needs.

/** The same items in the same order. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

type TypedArray = Int32Array | Uint16Array | Uint8Array | Float64Array;

/** `next` (a larger array of the same kind), holding `old`'s items at their indices: to grow a table. */
export function grown<T extends TypedArray>(old: T, next: T): T {
  next.set(old as ArrayLike<number>);
  return next;
}
