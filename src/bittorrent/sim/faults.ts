// Faults a simulation test injects into a run, to see that the swarm survives them: peers that vanish
// without a word, a tracker that stops answering, latency spikes, and peers whose data fails the hash
// check. None of them is part of a scenario file: they are the tests' (and `npm run vopr`'s).

export interface Faults {
  /** Peers that vanish at a time (a crash, a pulled cable): no goodbye, no stopped announce. */
  readonly vanish?: readonly { readonly peer: number; readonly atS: number }[];
  /** Windows in which the tracker answers nothing: announces fail after `announceTimeoutS`. */
  readonly trackerOutages?: readonly { readonly fromS: number; readonly toS: number }[];
  /** Windows in which every message sent takes `extraS` longer to arrive. */
  readonly latencySpikes?: readonly {
    readonly fromS: number;
    readonly toS: number;
    readonly extraS: number;
  }[];
  /** Peers whose uploads fail the receiver's hash check. */
  readonly corrupt?: readonly number[];
}

/** How long an announce to a silent tracker takes to fail (an HTTP client's time-out). */
export const ANNOUNCE_TIMEOUT_S = 15;
/** How long dialling a vanished peer takes to fail (a TCP connect time-out). */
export const CONNECT_TIMEOUT_S = 20;

export function inWindow(
  windows: readonly { readonly fromS: number; readonly toS: number }[] | undefined,
  t: number,
): boolean {
  return windows?.some((w) => t >= w.fromS && t < w.toS) ?? false;
}

export function extraLatency(faults: Faults | undefined, t: number): number {
  let extra = 0;
  for (const spike of faults?.latencySpikes ?? [])
    if (t >= spike.fromS && t < spike.toS) extra += spike.extraS;
  return extra;
}

/** When every fault is over: after this a swarm must recover. */
export function faultsEndAt(faults: Faults | undefined): number {
  let end = 0;
  for (const v of faults?.vanish ?? []) end = Math.max(end, v.atS);
  for (const w of faults?.trackerOutages ?? []) end = Math.max(end, w.toS);
  for (const w of faults?.latencySpikes ?? []) end = Math.max(end, w.toS);
  return end;
}
