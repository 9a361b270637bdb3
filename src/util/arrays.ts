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

// Spreading an array into a call (`push(...items)`, `Math.max(...items)`) passes every item on the
// stack, which overflows at about 125,000 items: these loop instead, for arrays of any length.

/** Appends `items` to `target`, in order. */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** The largest of `values`, or -Infinity when there are none (as Math.max()). */
export function maxOf(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max || Number.isNaN(value)) max = value;
  return max;
}

/** The smallest of `values`, or Infinity when there are none (as Math.min()). */
export function minOf(values: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min || Number.isNaN(value)) min = value;
  return min;
}
