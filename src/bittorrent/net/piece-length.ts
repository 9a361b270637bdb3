// The piece lengths swarmlab reads and writes. Apart from metainfo.ts and make-torrent.ts (which load
// node:crypto), so that the CLI can check `--piece-length` as it parses its flags without loading them.

export const MIN_PIECE_LENGTH = 16 * 1024;
/** Larger pieces than this are refused: every piece is held whole in memory while it is checked. */
export const MAX_PIECE_LENGTH = 64 * 2 ** 20;

/** Pieces of 256 KiB, doubled until there are at most 2,048 of them (at most 16 MiB). */
export function defaultPieceLength(totalBytes: number): number {
  let length = 256 * 1024;
  while (length < 16 * 2 ** 20 && totalBytes / length > 2048) length *= 2;
  return length;
}

/** Why a piece length is not one swarmlab writes, or undefined: a power of two from 16 KiB to 64 MiB. */
export function pieceLengthProblem(length: number): string | undefined {
  const powerOfTwo = Number.isInteger(length) && length > 0 && (length & (length - 1)) === 0;
  if (!powerOfTwo || length < MIN_PIECE_LENGTH || length > MAX_PIECE_LENGTH)
    return `a piece length is a power of two from ${MIN_PIECE_LENGTH} (16 KiB) to ${MAX_PIECE_LENGTH} (64 MiB) bytes, got ${length}`;
  return undefined;
}
