// An HTTP tracker (BEP 3) on node:http: /announce with started, completed and stopped, compact (BEP 23,
// with BEP 7's peers6) and dictionary peer lists, interval and min interval; /scrape (BEP 48). Every
// malformed request is answered with a bencoded failure reason; nothing a client sends can crash it or
// make it hold more than the limits (request size, connections, peers; see TrackerLimits).
import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rng } from '../../util/rng.ts';
import { type Bencodable, encodeBencode } from './bencode.ts';
import { parseQuery } from './tracker-query.ts';
import {
  type Announce,
  DEFAULT_LIMITS,
  type TrackedPeer,
  type TrackerLimits,
  TrackerSwarms,
} from './tracker-swarms.ts';

export interface TrackerOptions {
  /** Address to listen on (a host name or address; 0.0.0.0 for every IPv4 address). */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly limits?: Partial<TrackerLimits>;
  /** Seconds on a monotonic clock; tests pass their own to make time pass. */
  readonly clockS?: () => number;
  /** Seeds the choice of peers in answers (random when absent). */
  readonly seed?: number;
}

export interface RunningTracker {
  readonly host: string;
  readonly port: number;
  /** What a .torrent's `announce` should be, for a client that reaches the tracker at `host`. */
  readonly announceUrl: string;
  readonly swarms: TrackerSwarms;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** The longest request head (line and headers) read; a scrape of maxScrapeHashes fits in it. */
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_CONNECTIONS = 1024;

export async function startTracker(options: TrackerOptions): Promise<RunningTracker> {
  const limits: TrackerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const swarms = new TrackerSwarms(limits, new Rng(options.seed ?? randomInt(2 ** 32)));
  const clockS = options.clockS ?? (() => performance.now() / 1000);
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout: 10_000,
      headersTimeout: 5_000,
      keepAliveTimeout: 5_000,
    },
    (request, response) => answer(request, response, swarms, clockS),
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.maxRequestsPerSocket = 100;
  // A request that is not HTTP, or whose head is too long, is answered with a failure reason and the
  // connection closed; it never reaches the tracker.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const reason = error.code === 'HPE_HEADER_OVERFLOW' ? 'the request is too long' : 'not an HTTP request';
    const body = encodeBencode(failure(reason));
    const head = `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head), body]));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const sweep = setInterval(() => swarms.forget(clockS()), Math.min(60, limits.peerTimeoutS / 2) * 1000);
  sweep.unref();
  const { port, address } = server.address() as AddressInfo;
  const shownHost = address.includes(':') ? `[${address}]` : address;
  return {
    host: address,
    port,
    announceUrl: `http://${shownHost}:${port}/announce`,
    swarms,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  swarms: TrackerSwarms,
  clockS: () => number,
): void {
  // The body of a GET is never read: it is dropped as it comes, so it costs no memory.
  request.resume();
  const url = request.url ?? '';
  const question = url.indexOf('?');
  const path = question < 0 ? url : url.slice(0, question);
  const query = question < 0 ? '' : url.slice(question + 1);
  let body: Bencodable;
  if (request.method !== 'GET') body = failure('only GET requests are answered');
  else if (path === '/announce') body = announceAnswer(query, peerAddress(request), swarms, clockS());
  else if (path === '/scrape') body = scrapeAnswer(query, swarms);
  else body = failure(`no such path; ask /announce or /scrape`);
  const bytes = encodeBencode(body);
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': bytes.length });
  response.end(bytes);
}

function failure(reason: string): Bencodable {
  return { 'failure reason': reason };
}

/** Where the request came from, IPv4-mapped addresses as plain IPv4. */
function peerAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

type Fields = Map<string, Uint8Array[]>;

function announceAnswer(query: string, from: string, swarms: TrackerSwarms, nowS: number): Bencodable {
  const fields = parseQuery(query);
  if (typeof fields === 'string') return failure(fields);
  const read = readAnnounce(fields, from);
  if (typeof read === 'string') return failure(read);
  const { announce, compact, noPeerId } = read;
  const answer = swarms.announce(announce, nowS);
  const limits = swarms.limits;
  const counts = { complete: answer.complete, incomplete: answer.incomplete, downloaded: answer.downloaded };
  const timing = { interval: limits.intervalS, 'min interval': limits.minIntervalS };
  if (!compact)
    return {
      ...timing,
      ...counts,
      peers: answer.peers.map((peer) => ({
        ip: peer.ip,
        port: peer.port,
        ...(noPeerId ? {} : { 'peer id': peer.peerId }),
      })),
    };
  return {
    ...timing,
    ...counts,
    peers: compactPeers(answer.peers, 4),
    peers6: compactPeers(answer.peers, 16),
  };
}

interface ReadAnnounce {
  readonly announce: Announce;
  readonly compact: boolean;
  readonly noPeerId: boolean;
}

/** The announce a query asks for, or why it is malformed. */
function readAnnounce(fields: Fields, from: string): ReadAnnounce | string {
  const infoHash = exactlyOne(fields, 'info_hash');
  if (typeof infoHash === 'string') return infoHash;
  if (infoHash.length !== 20) return `info_hash is ${infoHash.length} bytes, not 20`;
  const peerId = exactlyOne(fields, 'peer_id');
  if (typeof peerId === 'string') return peerId;
  if (peerId.length !== 20) return `peer_id is ${peerId.length} bytes, not 20`;
  const port = whole(fields, 'port', true);
  if (typeof port === 'string') return port;
  if (port === undefined || port < 1 || port > 65_535) return 'port is not from 1 to 65535';
  const left = whole(fields, 'left', true);
  if (typeof left === 'string') return left;
  for (const name of ['uploaded', 'downloaded']) {
    const value = whole(fields, name, false);
    if (typeof value === 'string') return value;
  }
  const numwant = whole(fields, 'numwant', false);
  if (typeof numwant === 'string') return numwant;
  const event = textOf(fields, 'event') ?? '';
  if (!['', 'started', 'completed', 'stopped', 'empty'].includes(event))
    return `event '${event.slice(0, 20)}' is none of started, completed, stopped`;
  const ip = claimedIp(fields, from);
  if (ip === undefined) return 'ip may only name a loopback address, from a loopback address';
  return {
    announce: {
      infoHash: Buffer.from(infoHash).toString('latin1'),
      peer: { ip, port, peerId },
      left: left as number,
      event: event === 'started' || event === 'completed' || event === 'stopped' ? event : undefined,
      numwant,
    },
    compact: textOf(fields, 'compact') !== '0',
    noPeerId: textOf(fields, 'no_peer_id') === '1',
  };
}

/**
 * The address to give out for the peer: where the request came from. A peer may name another (`ip=`)
 * only when both are loopback addresses, so that peers on 127.0.0.x can meet in tests while nobody can
 * point a swarm at a third party's machine.
 */
function claimedIp(fields: Fields, from: string): string | undefined {
  const claimed = textOf(fields, 'ip');
  if (claimed === undefined || claimed === from) return from;
  return isLoopback(from) && isLoopback(claimed) ? claimed : undefined;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function isLoopback(address: string): boolean {
  return (
    address === '::1' || (LOOPBACK_V4.test(address) && address.split('.').every((n) => Number(n) <= 255))
  );
}

function scrapeAnswer(query: string, swarms: TrackerSwarms): Bencodable {
  const fields = parseQuery(query);
  if (typeof fields === 'string') return failure(fields);
  const hashes = fields.get('info_hash') ?? [];
  if (hashes.length === 0)
    return failure('a scrape names at least one info_hash (a full scrape is not offered)');
  if (hashes.length > swarms.limits.maxScrapeHashes)
    return failure(`a scrape names at most ${swarms.limits.maxScrapeHashes} info_hash`);
  const files = new Map<string, Bencodable>();
  for (const hash of hashes) {
    if (hash.length !== 20) return failure(`info_hash is ${hash.length} bytes, not 20`);
    const key = Buffer.from(hash).toString('latin1');
    const counts = swarms.scrape(key);
    files.set(key, {
      complete: counts.complete,
      downloaded: counts.downloaded,
      incomplete: counts.incomplete,
    });
  }
  return { files };
}

function exactlyOne(fields: Fields, name: string): Uint8Array | string {
  const values = fields.get(name);
  if (values === undefined) return `${name} is missing`;
  if (values.length > 1) return `${name} is given ${values.length} times`;
  return values[0] as Uint8Array;
}

function textOf(fields: Fields, name: string): string | undefined {
  const value = fields.get(name)?.[0];
  return value === undefined ? undefined : Buffer.from(value).toString('latin1');
}

/** A whole number field: undefined when absent and optional; a sentence when wrong. */
function whole(fields: Fields, name: string, required: boolean): number | undefined | string {
  const text = textOf(fields, name);
  if (text === undefined) return required ? `${name} is missing` : undefined;
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text)))
    return `${name} is not a whole number: '${text.slice(0, 20)}'`;
  return Number(text);
}

/** BEP 23's compact list (4-byte IPv4 addresses) or BEP 7's (16-byte IPv6 ones), each with its port. */
function compactPeers(peers: readonly TrackedPeer[], addressBytes: 4 | 16): Uint8Array {
  const chosen = peers.filter((peer) => peer.ip.includes(':') === (addressBytes === 16));
  const out = new Uint8Array(chosen.length * (addressBytes + 2));
  chosen.forEach((peer, i) => {
    const at = i * (addressBytes + 2);
    out.set(addressBytes === 4 ? ipv4Bytes(peer.ip) : ipv6Bytes(peer.ip), at);
    out[at + addressBytes] = peer.port >> 8;
    out[at + addressBytes + 1] = peer.port & 0xff;
  });
  return out;
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function ipv6Bytes(ip: string): number[] {
  const [head = '', tail] = ip.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const middle = Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}
