// Who takes part in a simulated run, drawn once from the scenario and the seed: each peer's group,
// capacities, arrival time and whether it rides free. Initial seeds come first (ids 0..S-1).

import { appendAll } from '../../util/arrays.ts';
import { Rng } from '../../util/rng.ts';
import { type Choker, leastLoadedChoker, randomChoker, shuffle, titForTat } from '../core/choker.ts';
import {
  type PiecePicker,
  randomPicker,
  rarestFirstAfterRandom,
  sequentialPicker,
} from '../core/piece-picker.ts';
import { sample } from '../scenario/distributions.ts';
import type { AfterDone, PeerGroup, SwarmScenario } from '../scenario/scenario.ts';
import type { PeerRecord } from './run-types.ts';

/** What is known of a peer before the run: the fixed part of its record, and what it does when done. */
export interface PeerPlan
  extends Pick<PeerRecord, 'id' | 'group' | 'role' | 'freeRider' | 'uploadBps' | 'downloadBps' | 'arrivalS'> {
  readonly afterDone: AfterDone;
}

/** The stream of a run's seed its peers are drawn from (the simulator draws them first, from this). */
export const PLAN_STREAM = 0x5157;

/** The peers a run with `seed` draws, without running it (for bounds printed before a run). */
export function drawPeers(scenario: SwarmScenario, seed: number): PeerPlan[] {
  return planPeers(scenario, new Rng(seed, PLAN_STREAM));
}

export function planPeers(scenario: SwarmScenario, rng: Rng): PeerPlan[] {
  const plans: PeerPlan[] = [];
  for (let i = 0; i < scenario.seeds.count; i++) {
    plans.push({
      id: plans.length,
      group: 'seeds',
      role: 'seed',
      freeRider: false,
      uploadBps: sample(scenario.seeds.uploadBps, rng),
      // A seed never downloads; any positive capacity will do.
      downloadBps: 1,
      arrivalS: 0,
      afterDone: { kind: 'forever' },
    });
  }
  for (const group of scenario.peers) appendAll(plans, planGroup(group, plans.length, rng));
  return plans;
}

function planGroup(group: PeerGroup, firstId: number, rng: Rng): PeerPlan[] {
  const arrivals = arrivalTimes(group, rng);
  const riders = Math.round(group.count * group.freeRiders);
  const order = shuffle(
    Array.from({ length: group.count }, (_, i) => i),
    rng,
  );
  const isRider = new Uint8Array(group.count);
  for (let k = 0; k < riders; k++) isRider[order[k] as number] = 1;
  return arrivals.map((arrivalS, i) => ({
    id: firstId + i,
    group: group.name,
    role: 'leecher',
    freeRider: isRider[i] === 1,
    uploadBps: sample(group.uploadBps, rng),
    downloadBps: sample(group.downloadBps, rng),
    arrivalS,
    afterDone: group.afterDone,
  }));
}

function arrivalTimes(group: PeerGroup, rng: Rng): number[] {
  const arrival = group.arrival;
  switch (arrival.kind) {
    case 'flash':
      return new Array(group.count).fill(0);
    case 'times':
      return [...arrival.atS];
    case 'poisson': {
      const times: number[] = [];
      let t = 0;
      for (let i = 0; i < group.count; i++) {
        t += -Math.log(1 - rng.next()) / arrival.ratePerS;
        times.push(t);
      }
      return times;
    }
  }
}

export function strategiesFor(scenario: SwarmScenario): { picker: PiecePicker; choker: Choker } {
  const { pieces, peers, randomFirstPieces } = scenario.strategy;
  const picker =
    pieces === 'sequential'
      ? sequentialPicker
      : pieces === 'random'
        ? randomPicker
        : rarestFirstAfterRandom(randomFirstPieces);
  const choker = peers === 'tit-for-tat' ? titForTat : peers === 'random' ? randomChoker : leastLoadedChoker;
  return { picker, choker };
}
