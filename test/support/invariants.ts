// Invariants every classic run must satisfy, checked on the trace of delivered messages and the
// result. Deterministic simulation tests run these over many seeds and scenarios.
import { expect } from 'vitest';
import type { ClassicScenario } from '../../src/classic/input/scenario.ts';
import type { Rank } from '../../src/classic/protocol/messages.ts';
import type { Delivery, RunResult } from '../../src/classic/runtime/types.ts';

export function fileHashes(scenario: ClassicScenario): Map<string, readonly string[]> {
  const hashes = new Map<string, readonly string[]>();
  for (const client of scenario.clients) for (const file of client.owned) hashes.set(file.name, file.hashes);
  return hashes;
}

/** Every wanted file of every client is an output, equal to the file's hashes in order. */
export function checkOutputs(scenario: ClassicScenario, result: RunResult, label: string): void {
  const hashes = fileHashes(scenario);
  const expected = scenario.clients.flatMap((client) =>
    client.wanted.map((file) => ({ rank: client.rank, file, hashes: hashes.get(file) })),
  );
  const actual = result.outputs.map(({ rank, file, hashes }) => ({ rank, file, hashes }));
  expect(actual, label).toEqual(expected);
}

/** A plain check: `expect` per delivered message is too slow for traces of a million messages. */
function check(condition: boolean, message: string): void {
  if (!condition) expect.fail(message);
}

/** Checks the protocol's rules on the order in which messages were delivered. */
export function checkTrace(
  scenario: ClassicScenario,
  trace: readonly Delivery[],
  result: RunResult,
  label: string,
) {
  const owners = new Map<string, Set<Rank>>();
  const held = new Map<Rank, Set<string>>();
  const holds = (rank: Rank, file: string, index: number) =>
    owners.get(file)?.has(rank) === true || held.get(rank)?.has(`${file}#${index}`) === true;
  for (const client of scenario.clients) {
    for (const file of client.owned) {
      if (!owners.has(file.name)) owners.set(file.name, new Set());
      owners.get(file.name)?.add(client.rank);
    }
  }
  /** What the tracker was told: who may honestly be listed as a member of which swarm. */
  const announced = new Map<string, Set<Rank>>();
  const announce = (file: string, rank: Rank) => {
    if (!announced.has(file)) announced.set(file, new Set());
    announced.get(file)?.add(rank);
  };
  const lastSwarm = new Map<string, Set<Rank>>();
  /** Each client's request in flight, and whether its target held the segment when it arrived. */
  const pending = new Map<Rank, { file: string; index: number; to: Rank; held: boolean }>();
  const started = new Set<Rank>();
  for (const { from, to, msg, at } of trace) {
    check(at <= result.trackerStoppedAt, `${label}: a delivery after the tracker stopped`);
    switch (msg.kind) {
      case 'owned-files':
        check(started.size === 0, `${label}: a client reported its files after the start`);
        for (const file of msg.files) announce(file.name, from);
        break;
      case 'start':
        started.add(to);
        break;
      case 'update':
      case 'file-complete':
        announce(msg.file, from);
        break;
      case 'swarm': {
        const members = [...msg.seeds, ...msg.peers];
        for (const member of members) {
          check(
            announced.get(msg.file)?.has(member) === true,
            `${label}: ${member} listed in ${msg.file}'s swarm`,
          );
        }
        lastSwarm.set(`${to}:${msg.file}`, new Set(members));
        break;
      }
      case 'segment-request':
        check(from !== to, `${label}: client ${from} asked itself`);
        check(started.has(from), `${label}: ${from} asked for a segment before its start`);
        check(
          lastSwarm.get(`${from}:${msg.file}`)?.has(to) === true,
          `${label}: ${from} asked non-member ${to}`,
        );
        check(!pending.has(from), `${label}: ${from} had two requests in flight`);
        pending.set(from, { file: msg.file, index: msg.index, to, held: holds(to, msg.file, msg.index) });
        break;
      case 'segment-reply': {
        const request = pending.get(to);
        check(
          request?.file === msg.file && request.index === msg.index && request.to === from,
          `${label}: unexpected reply from ${from} to ${to}`,
        );
        pending.delete(to);
        check(
          msg.granted === request?.held,
          `${label}: ${from} answered wrongly for ${msg.file}#${msg.index}`,
        );
        if (msg.granted) {
          if (!held.has(to)) held.set(to, new Set());
          held.get(to)?.add(`${msg.file}#${msg.index}`);
        }
        break;
      }
      default:
        break;
    }
  }
  check(pending.size === 0, `${label}: requests left unanswered`);
  for (const finish of result.finishes) {
    check(finish.downloadDoneAt <= finish.uploadClosedAt, `${label}: client ${finish.rank} download`);
    check(
      finish.uploadClosedAt <= result.trackerStoppedAt,
      `${label}: the tracker stopped before ${finish.rank}`,
    );
  }
}

/** Counters agree with each other and with the scenario. */
export function checkStats(scenario: ClassicScenario, result: RunResult, label: string): void {
  const hashes = fileHashes(scenario);
  const total = (pick: (s: RunResult['clients'][number]) => number) =>
    result.clients.reduce((a, s) => a + pick(s), 0);
  expect(
    total((s) => s.downloaded),
    `${label}: downloaded vs served`,
  ).toBe(total((s) => s.served));
  expect(
    total((s) => s.refusalsReceived),
    `${label}: refusals`,
  ).toBe(total((s) => s.refused));
  for (const [i, client] of scenario.clients.entries()) {
    const owned = new Set(client.owned.map((file) => file.name));
    const needed = client.wanted
      .filter((file) => !owned.has(file))
      .reduce((a, f) => a + (hashes.get(f)?.length ?? 0), 0);
    const stats = result.clients[i];
    expect(stats?.downloaded, `${label}: client ${client.rank} downloaded`).toBe(needed);
    expect(stats?.filesCompleted, `${label}: client ${client.rank} files`).toBe(client.wanted.length);
    const fromSum = [...(stats?.downloadedFrom.values() ?? [])].reduce((a, b) => a + b, 0);
    expect(fromSum, `${label}: client ${client.rank} downloadedFrom`).toBe(needed);
  }
}
