// Asks an HTTP tracker (BEP 3) for peers: compact (BEP 23, and BEP 7's peers6) and dictionary answers,
// failure reasons, interval and min interval, with a time-out and a bound on the answer's size.
//
// Stable interface for the peer-wire runtime (branch net-peer): `announce`, `scrape`, `AnnounceParams`,
// `AnnounceResult`, `TrackerPeer`. Neither throws: every failure (the tracker's failure reason, a
// refused connection, a time-out, an answer that is not bencode) is a result with `ok: false`, which is
// what the core's `handleAnnounceFailure` wants.
import { request as httpRequest } from 'node:http';
import { type BencodeDict, type Bencoded, bytesAsKey, decodeBencode } from './bencode.ts';
import { percentEncode } from './tracker-query.ts';

export interface AnnounceParams {
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  /** The port this peer listens on. */
  readonly port: number;
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
  /** Absent for a regular (periodic) announce. */
  readonly event?: 'started' | 'completed' | 'stopped';
  readonly numwant?: number;
  /** Ask for the compact form (the default); trackers may answer in either form, and both are read. */
  readonly compact?: boolean;
  /**
   * The address to be given out for this peer, when it is not the one the request comes from
   * (`swarmlab tracker` takes it only from and for loopback addresses; other trackers may ignore it).
   */
  readonly ip?: string;
}

export interface TrackerPeer {
  /** An IPv4 or IPv6 address, or a host name (a dictionary answer may give one). */
  readonly host: string;
  readonly port: number;
  readonly peerId?: Uint8Array;
}

export type AnnounceResult =
  | {
      readonly ok: true;
      readonly intervalS: number;
      readonly minIntervalS?: number;
      readonly peers: readonly TrackerPeer[];
      /** Seeds and leechers, when the tracker says. */
      readonly complete?: number;
      readonly incomplete?: number;
      readonly warning?: string;
    }
  | { readonly ok: false; readonly reason: string };

export interface RequestOptions {
  /** The whole request, connection to last byte. */
  readonly timeoutMs?: number;
  /** An answer longer than this is a failure, not read on. */
  readonly maxResponseBytes?: number;
  /** The local address to connect from (a peer on 127.0.0.5 asks from 127.0.0.5). */
  readonly localAddress?: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

/** Announces to the tracker at `url` (http or https). */
export async function announce(
  url: string,
  params: AnnounceParams,
  options: RequestOptions = {},
): Promise<AnnounceResult> {
  const query = [
    `info_hash=${percentEncode(params.infoHash)}`,
    `peer_id=${percentEncode(params.peerId)}`,
    `port=${params.port}`,
    `uploaded=${params.uploaded}`,
    `downloaded=${params.downloaded}`,
    `left=${params.left}`,
    `compact=${params.compact === false ? 0 : 1}`,
    ...(params.event === undefined ? [] : [`event=${params.event}`]),
    ...(params.numwant === undefined ? [] : [`numwant=${params.numwant}`]),
    ...(params.ip === undefined ? [] : [`ip=${percentEncode(params.ip)}`]),
  ].join('&');
  const answer = await get(url, query, options);
  if (!answer.ok) return answer;
  return readAnnounce(answer.value);
}

export type ScrapeResult =
  | {
      readonly ok: true;
      /** By info-hash (as `bytesAsKey` spells it): seeds, completed downloads, leechers. */
      readonly files: ReadonlyMap<string, { complete: number; downloaded: number; incomplete: number }>;
    }
  | { readonly ok: false; readonly reason: string };

/** Scrapes (BEP 48) the tracker whose announce URL is `announceUrl`, for the given info-hashes. */
export async function scrape(
  announceUrl: string,
  infoHashes: readonly Uint8Array[],
  options: RequestOptions = {},
): Promise<ScrapeResult> {
  const url = scrapeUrl(announceUrl);
  if (url === undefined) return { ok: false, reason: `${announceUrl} has no scrape URL (BEP 48)` };
  const query = infoHashes.map((hash) => `info_hash=${percentEncode(hash)}`).join('&');
  const answer = await get(url, query, options);
  if (!answer.ok) return answer;
  const files = answer.value.get('files');
  if (!(files instanceof Map)) return { ok: false, reason: "the scrape answer has no 'files' dictionary" };
  const counts = new Map<string, { complete: number; downloaded: number; incomplete: number }>();
  for (const [key, value] of files) {
    if (!(value instanceof Map)) return { ok: false, reason: 'a scrape entry is not a dictionary' };
    counts.set(key, {
      complete: count(value.get('complete')),
      downloaded: count(value.get('downloaded')),
      incomplete: count(value.get('incomplete')),
    });
  }
  return { ok: true, files: counts };
}

/** BEP 48: the announce URL with the `announce` that starts its last path component made `scrape`. */
export function scrapeUrl(announceUrl: string): string | undefined {
  const match = /^([^?#]*\/)announce([^/?#]*)((?:[?#].*)?)$/.exec(announceUrl);
  return match === null ? undefined : `${match[1]}scrape${match[2]}${match[3]}`;
}

function withQuery(url: string, query: string): string {
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

function count(value: Bencoded | undefined): number {
  return typeof value === 'number' && value >= 0 ? value : 0;
}

function readAnnounce(answer: BencodeDict): AnnounceResult {
  const failure = answer.get('failure reason');
  if (failure !== undefined) return { ok: false, reason: `the tracker says: ${text(failure)}` };
  const interval = answer.get('interval');
  if (typeof interval !== 'number' || interval < 0)
    return { ok: false, reason: "the answer has no 'interval'" };
  const peers: TrackerPeer[] = [];
  const listed = answer.get('peers');
  if (listed instanceof Uint8Array) {
    const compact = compactPeers(listed, 4);
    if (compact === undefined) return { ok: false, reason: 'compact peers are not a multiple of 6 bytes' };
    peers.push(...compact);
  } else if (Array.isArray(listed)) {
    for (const entry of listed) {
      const peer = dictionaryPeer(entry);
      if (peer !== undefined) peers.push(peer);
    }
  } else if (listed !== undefined) return { ok: false, reason: "'peers' is neither a string nor a list" };
  const listed6 = answer.get('peers6');
  if (listed6 instanceof Uint8Array) peers.push(...(compactPeers(listed6, 16) ?? []));
  const minInterval = answer.get('min interval');
  const complete = answer.get('complete');
  const incomplete = answer.get('incomplete');
  const warning = answer.get('warning message');
  return {
    ok: true,
    intervalS: interval,
    peers,
    ...(typeof minInterval === 'number' && minInterval >= 0 ? { minIntervalS: minInterval } : {}),
    ...(typeof complete === 'number' && complete >= 0 ? { complete } : {}),
    ...(typeof incomplete === 'number' && incomplete >= 0 ? { incomplete } : {}),
    ...(warning instanceof Uint8Array ? { warning: text(warning) } : {}),
  };
}

/** BEP 23 (4-byte addresses) or BEP 7 (16-byte ones), each followed by a 2-byte port. */
function compactPeers(bytes: Uint8Array, addressBytes: 4 | 16): TrackerPeer[] | undefined {
  const stride = addressBytes + 2;
  if (bytes.length % stride !== 0) return undefined;
  const peers: TrackerPeer[] = [];
  for (let at = 0; at < bytes.length; at += stride) {
    const port = ((bytes[at + addressBytes] as number) << 8) | (bytes[at + addressBytes + 1] as number);
    if (port === 0) continue;
    peers.push({ host: addressText(bytes.subarray(at, at + addressBytes)), port });
  }
  return peers;
}

function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return groups.join(':');
}

function dictionaryPeer(entry: Bencoded): TrackerPeer | undefined {
  if (!(entry instanceof Map)) return undefined;
  const ip = entry.get('ip');
  const port = entry.get('port');
  if (!(ip instanceof Uint8Array) || typeof port !== 'number' || port < 1 || port > 65_535) return undefined;
  const host = text(ip);
  if (!/^[0-9A-Za-z.:-]{1,253}$/.test(host)) return undefined;
  const peerId = entry.get('peer id');
  return { host, port, ...(peerId instanceof Uint8Array && peerId.length === 20 ? { peerId } : {}) };
}

function text(value: Bencoded): string {
  return value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value);
}

type Answer =
  | { readonly ok: true; readonly value: BencodeDict }
  | { readonly ok: false; readonly reason: string };

/** GETs `base` with `query` and decodes its bencoded dictionary, within the time and size bounds. */
function get(base: string, query: string, options: RequestOptions): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    return Promise.resolve({ ok: false, reason: `'${base}' is not a URL` });
  }
  const url = withQuery(base, query);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return Promise.resolve({
      ok: false,
      reason: `${parsed.protocol} trackers are not supported (http and https are)`,
    });
  return requester(parsed.protocol).then((request) => send(request, url, options, timeoutMs, maxBytes));
}

/** node:https (and TLS with it) is loaded only for an https tracker: it costs every process start. */
function requester(protocol: string): Promise<typeof httpRequest> {
  if (protocol !== 'https:') return Promise.resolve(httpRequest);
  return import('node:https').then((https) => https.request);
}

function send(
  request: typeof httpRequest,
  url: string,
  options: RequestOptions,
  timeoutMs: number,
  maxBytes: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(answer);
    };
    // A connection per request (announces are minutes apart): trackers such as opentracker close it
    // after the answer, and a kept-alive socket reused after that fails as 'socket hang up'.
    const head = {
      method: 'GET',
      agent: false,
      headers: { 'accept-encoding': 'identity', connection: 'close' },
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    };
    const req = request(url, head, (response) => {
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > maxBytes) finish({ ok: false, reason: `the answer is longer than ${maxBytes} bytes` });
        else chunks.push(chunk);
      });
      response.on('end', () => finish(decodeAnswer(Buffer.concat(chunks), response.statusCode ?? 0)));
      response.on('error', (error) => finish({ ok: false, reason: error.message }));
    });
    const timer = setTimeout(
      () => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    req.on('error', (error) => finish({ ok: false, reason: error.message }));
    req.end();
  });
}

function decodeAnswer(body: Uint8Array, status: number): Answer {
  let value: Bencoded;
  try {
    value = decodeBencode(body, { sortedKeys: false });
  } catch (error) {
    const why =
      status === 200 ? `the answer is not bencode (${(error as Error).message})` : `HTTP status ${status}`;
    return { ok: false, reason: why };
  }
  if (!(value instanceof Map)) return { ok: false, reason: 'the answer is not a bencoded dictionary' };
  return { ok: true, value };
}

/** An info-hash as the keys of a scrape result spell it. */
export const infoHashKey = bytesAsKey;
