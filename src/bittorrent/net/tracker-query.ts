// The query strings of tracker requests (BEP 3): binary values (info_hash, peer_id) travel
// percent-encoded byte by byte, so they are encoded and decoded here as bytes, never as UTF-8 text.

const UNRESERVED = /[A-Za-z0-9.\-_~]/;

/** Percent-encodes every byte but the unreserved characters of RFC 3986. */
export function percentEncode(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let text = '';
  for (const byte of data) {
    const char = String.fromCharCode(byte);
    text += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return text;
}

/** Each `name=value` of a query as bytes (a name may come more than once), or why it is malformed. */
export function parseQuery(query: string): Map<string, Uint8Array[]> | string {
  const fields = new Map<string, Uint8Array[]>();
  if (query === '') return fields;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = percentDecode(equals < 0 ? pair : pair.slice(0, equals));
    const value = percentDecode(equals < 0 ? '' : pair.slice(equals + 1));
    if (name === undefined || value === undefined)
      return `malformed percent-encoding in '${pair.slice(0, 40)}'`;
    const key = Buffer.from(name).toString('latin1');
    const values = fields.get(key);
    if (values === undefined) fields.set(key, [value]);
    else values.push(value);
  }
  return fields;
}

/** The bytes a percent-encoded string stands for, or undefined ('+' is itself: this is not a form). */
export function percentDecode(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(text.length);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else if (code > 0x7e || code < 0x21) return undefined;
    else bytes[length++] = code;
  }
  return bytes.subarray(0, length);
}
