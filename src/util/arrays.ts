// Small helpers on arrays that more than one layer needs.

/** The same items in the same order. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

type TypedArray = Int32Array | Uint16Array | Uint8Array | Float64Array;

/** An array of the same kind and twice the length, holding `old`'s items at their indices. */
export function doubled<T extends TypedArray>(old: T): T {
  const next = new (old.constructor as new (length: number) => T)(old.length * 2);
  next.set(old as ArrayLike<number>);
  return next;
}
