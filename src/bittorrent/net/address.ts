// Peer addresses as the runtime names them: `host:port`, with an IPv6 host in brackets, so that an
// address is one string the core can keep in a set.

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `host:port` or `[v6]:port`; undefined if it is neither. */
export function parseAddress(text: string): HostPort | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}
