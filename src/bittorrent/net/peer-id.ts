// Our peer id: Azureus-style `-SL0001-` then 12 random printable characters (a fresh one per run), so that
// other clients can name us and two runs on one host are told apart.
import { randomBytes } from 'node:crypto';

const PREFIX = '-SL0001-';
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function makePeerId(): Uint8Array {
  const random = randomBytes(12);
  let id = PREFIX;
  for (const byte of random) id += ALPHABET[byte % ALPHABET.length];
  return new TextEncoder().encode(id);
}

/** A peer id as a label: its client prefix when it has one, else hex. */
export function peerIdLabel(id: Uint8Array): string {
  const text = new TextDecoder('latin1').decode(id.subarray(0, 8));
  return /^-[A-Za-z0-9]{2}[0-9A-Za-z.]{4}-$/.test(text) ? text : Buffer.from(id).toString('hex').slice(0, 16);
}
