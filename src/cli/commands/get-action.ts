// What `swarmlab get` does (declared with its flags in get.ts, which loads this file when it runs).
import { performance } from 'node:perf_hooks';
import type { Session } from '../../bittorrent/net/session.ts';
import { downloadProgressBar } from '../progress.ts';
import { interrupted } from '../signals.ts';
import type { GetFlags } from './get.ts';
import { openFromFlags, startPeer, writeLiveResults } from './net-command.ts';

/** A download stopped by Ctrl-C: what is on disk stays, and the same command resumes it. */
class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

export async function get(torrentPath: string, flags: GetFlags): Promise<void> {
  const startedMs = performance.now();
  const session = await openFromFlags(torrentPath, flags.out, 'download', flags);
  const outcome = await download(session, flags);
  const say = (line: string) => {
    if (!flags.quiet) process.stdout.write(`${line}\n`);
  };
  const { peer, store, metainfo } = session;
  const endedS = peer.now();
  if (outcome === 'done') say(doneLine(session, flags.out, performance.now() - startedMs));
  if (outcome === 'done' && flags.seedAfter) {
    say(`seeding ${metainfo.name} on ${flags.host}:${peer.port}; Ctrl-C to stop`);
    await interrupted();
  }
  await peer.stop();
  await store.close();
  await writeLiveResults(flags, torrentPath, session, {
    role: 'leecher',
    endedS: flags.seedAfter ? peer.now() : endedS,
    startedMs,
  });
  if (outcome !== 'done') {
    throw new Interrupted(
      `stopped with ${store.held.count} of ${metainfo.pieceCount} pieces in ${flags.out}; the same command resumes`,
    );
  }
}

/** Runs until every piece is on disk, or until interrupted. */
async function download(session: Session, flags: GetFlags): Promise<'done' | 'interrupted'> {
  const { peer, store, metainfo } = session;
  const bar = downloadProgressBar(metainfo.totalLength, !flags.quiet);
  let heldBytes = 0;
  store.held.forEach((index) => {
    heldBytes += metainfo.pieceSize(index);
  });
  let finish: (outcome: 'done') => void = () => {};
  let fail: (error: Error) => void = () => {};
  const completed = new Promise<'done'>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  await startPeer(session, flags, {
    pieceCompleted: (index) => {
      heldBytes += metainfo.pieceSize(index);
      bar.update(heldBytes, peer.core.linkCount);
    },
    completed: () => finish('done'),
    failed: fail,
  });
  if (store.complete) finish('done');
  bar.update(heldBytes, 0);
  try {
    return await Promise.race([completed, interrupted().then(() => 'interrupted' as const)]);
  } finally {
    bar.stop();
  }
}

function doneLine(session: Session, out: string, wallMs: number): string {
  const { peer, metainfo } = session;
  const stats = peer.stats;
  const got = peer.core.bytesReceived;
  const seconds = wallMs / 1000;
  const from = new Set(
    stats.connections.filter((c) => c.bytesDown > 0 || c.closedS === null).map((c) => c.address),
  ).size;
  const already = stats.piecesAtStart > 0 ? `; ${stats.piecesAtStart} pieces were already there` : '';
  return `got ${metainfo.name} (${mib(metainfo.totalLength)}) into ${out} in ${seconds.toFixed(2)} s: ${mib(got)} at ${(got / 2 ** 20 / seconds).toFixed(1)} MiB/s from ${from} peer${from === 1 ? '' : 's'}, ${stats.hashFailures} hash failure${stats.hashFailures === 1 ? '' : 's'}${already}`;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
