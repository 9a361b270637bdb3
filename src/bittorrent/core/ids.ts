// Branded ids: a number that names one kind of thing cannot be passed where another kind is expected.

declare const brand: unique symbol;
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };

/** One connection of a peer, as that peer numbers them (its own ids, reused once a link has closed). */
export type LinkId = Brand<number, 'LinkId'>;
