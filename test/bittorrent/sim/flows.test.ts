// The flow-level bandwidth model (FlowNetwork) against hand-computed examples, and against a reference
// simulation that recomputes every transfer's max-min fair rate from scratch at every change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowNetwork } from '../../../src/bittorrent/sim/flows.ts';
import { maxMinReference } from '../support/max-min-reference.ts';

/** A download capacity that never binds. */
const UNBOUNDED = 1e12;

type Call = [uploader: number, version: number, endS: number];

/** A FlowNetwork whose listener records every reschedule call, for examples that drive it by hand. */
function recorded(uploadBps: number[], downloadBps: number[]): { net: FlowNetwork; calls: Call[] } {
  const calls: Call[] = [];
  const net = new FlowNetwork(Float64Array.from(uploadBps), Float64Array.from(downloadBps), {
    reschedule: (uploader, version, endS) => {
      calls.push([uploader, version, endS]);
    },
  });
  return { net, calls };
}

interface Pending {
  atS: number;
  uploader: number;
  version: number;
  seq: number;
}

/** A tiny event loop around a FlowNetwork: a pending event per reschedule call, the earliest first. */
class Loop {
  nowS = 0;
  readonly net: FlowNetwork;
  private readonly pending: Pending[] = [];
  private seq = 0;

  constructor(uploadBps: number[], downloadBps: number[]) {
    this.net = new FlowNetwork(Float64Array.from(uploadBps), Float64Array.from(downloadBps), {
      reschedule: (uploader, version, atS) => {
        // An end predicted in the past would be processed out of order.
        if (!(atS >= this.nowS)) throw new Error(`end of ${uploader} scheduled at ${atS}, now ${this.nowS}`);
        this.pending.push({ atS, uploader, version, seq: this.seq++ });
      },
    });
  }

  /**
   * Pops events due at or before `untilS`, advancing the clock, until one names a transfer that ends
   * (returned, for the caller to `end`); -1 when none is due by then.
   */
  nextEnd(untilS: number): number {
    while (this.pending.length > 0) {
      let best = 0;
      for (let i = 1; i < this.pending.length; i++) {
        const a = this.pending[i] as Pending;
        const b = this.pending[best] as Pending;
        if (a.atS < b.atS || (a.atS === b.atS && a.seq < b.seq)) best = i;
      }
      const event = this.pending[best] as Pending;
      if (event.atS > untilS) return -1;
      this.pending.splice(best, 1);
      this.nowS = event.atS;
      const flow = this.net.due(event.uploader, event.version);
      if (flow >= 0) return flow;
    }
    return -1;
  }

  /** Ends every transfer due by `untilS`; returns [flow, endS] in the order they ended. */
  runUntil(untilS = Number.POSITIVE_INFINITY): Array<[flow: number, endS: number]> {
    const ended: Array<[number, number]> = [];
    for (let i = 0; i < 100_000; i++) {
      const flow = this.nextEnd(untilS);
      if (flow < 0) return ended;
      this.net.end(flow, this.nowS);
      ended.push([flow, this.nowS]);
    }
    throw new Error('event loop did not settle');
  }
}

describe('FlowNetwork by hand', () => {
  it('ends a lone 1000 B transfer on a 1000 B/s uplink at t=1', () => {
    const { net, calls } = recorded([1000, 0], [UNBOUNDED, UNBOUNDED]);
    expect(net.totalRate).toBe(0);
    const flow = net.start(0, 1, 7, 1000, 0);
    expect(calls).toEqual([[0, 1, 1]]);
    expect(net.active).toBe(1);
    expect(net.totalRate).toBe(1000);
    expect([net.uploader(flow), net.downloader(flow), net.pieceOf(flow)]).toEqual([0, 1, 7]);
    expect(net.due(0, 1)).toBe(flow);
    net.end(flow, 1);
    expect(calls).toHaveLength(1);
    expect(net.active).toBe(0);
    expect(net.totalRate).toBe(0);
  });

  it('splits an uplink between two transfers started together: both end at t=2, the tie rescheduled', () => {
    const { net, calls } = recorded([1000, 0, 0], [UNBOUNDED, UNBOUNDED, UNBOUNDED]);
    const a = net.start(0, 1, 0, 1000, 0);
    const b = net.start(0, 2, 1, 1000, 0);
    expect(calls).toEqual([
      [0, 1, 1],
      [0, 2, 2],
    ]);
    expect(net.totalRate).toBe(1000);
    expect(net.due(0, 1)).toBe(-1);
    const first = net.due(0, 2);
    expect([a, b]).toContain(first);
    net.end(first, 2);
    // The other transfer ends at the same instant: the spent schedule must be made again.
    expect(calls[2]).toEqual([0, 3, 2]);
    expect(net.totalRate).toBe(1000);
    const second = net.due(0, 3);
    expect(second).toBe(first === a ? b : a);
    net.end(second, 2);
    expect(calls).toHaveLength(3);
    expect(net.active).toBe(0);
    expect(net.totalRate).toBe(0);
  });

  it('re-times a running transfer when a second one joins its uplink', () => {
    // 0..0.5 s: a alone at 1000 B/s (500 B left); then 500 B/s each: a ends at 1.5 with b at 500 B
    // left, which then runs alone at 1000 B/s and ends at 2.
    const { net, calls } = recorded([1000, 0, 0], [UNBOUNDED, UNBOUNDED, UNBOUNDED]);
    const a = net.start(0, 1, 0, 1000, 0);
    const b = net.start(0, 2, 1, 1000, 0.5);
    expect(calls).toEqual([
      [0, 1, 1],
      [0, 2, 1.5],
    ]);
    expect(net.due(0, 1)).toBe(-1);
    expect(net.due(0, 2)).toBe(a);
    net.end(a, 1.5);
    expect(calls[2]).toEqual([0, 3, 2]);
    expect(net.due(0, 3)).toBe(b);
    net.end(b, 2);
    expect(net.active).toBe(0);
  });

  it('caps a transfer at its downloader and lends the share it cannot use to the others', () => {
    // Uplink 1000 B/s; peer 1 downloads at 300 B/s. Both at once: 0->1 at 300, 0->2 at the other 700
    // (max-min fair). 0->2 ends at 10/7; 0->1 keeps 300 B/s throughout and ends at 10/3.
    const { net, calls } = recorded([1000, 0, 0], [UNBOUNDED, 300, UNBOUNDED]);
    const slow = net.start(0, 1, 0, 1000, 0);
    expect(calls).toEqual([[0, 1, 1000 / 300]]);
    expect(net.totalRate).toBe(300);
    const fast = net.start(0, 2, 1, 1000, 0);
    expect(calls[1]).toEqual([0, 2, 1000 / 700]);
    expect(net.totalRate).toBe(1000);
    expect(net.due(0, 2)).toBe(fast);
    net.end(fast, 1000 / 700);
    // The slow transfer's rate did not change, but the spent schedule must be made again.
    expect(calls).toHaveLength(3);
    const [uploader, version, endS] = calls[2] as Call;
    expect([uploader, version]).toEqual([0, 3]);
    expect(endS).toBeCloseTo(10 / 3, 12);
    expect(net.totalRate).toBe(300);
    expect(net.due(0, 3)).toBe(slow);
    net.end(slow, endS);
    expect(net.totalRate).toBe(0);
  });

  it("re-times another uploader's transfer that shares the downloader", () => {
    // Peer 2 downloads at 1000 B/s from 0 (from t=0) and 1 (from t=0.5), 1000 B each: a has 500 B left
    // at 0.5, then both run at 500 B/s; a ends at 1.5, b (500 B left) alone at 1000 B/s ends at 2.
    const { net, calls } = recorded([1000, 1000, 0], [0, 0, 1000]);
    const a = net.start(0, 2, 0, 1000, 0);
    const b = net.start(1, 2, 1, 1000, 0.5);
    // b's uploader is scheduled first, then the uploader of the transfer it slowed down.
    expect(calls).toEqual([
      [0, 1, 1],
      [1, 1, 2.5],
      [0, 2, 1.5],
    ]);
    expect(net.totalRate).toBe(1000);
    expect(net.due(0, 1)).toBe(-1);
    expect(net.due(0, 2)).toBe(a);
    net.end(a, 1.5);
    expect(calls[3]).toEqual([1, 2, 2]);
    expect(net.due(1, 1)).toBe(-1);
    expect(net.due(1, 2)).toBe(b);
    net.end(b, 2);
    expect(calls).toHaveLength(4);
    expect(net.totalRate).toBe(0);
  });

  it('speeds up the others when a transfer is cut, and supersedes the old schedule', () => {
    const { net, calls } = recorded([1000, 0, 0], [UNBOUNDED, UNBOUNDED, UNBOUNDED]);
    const a = net.start(0, 1, 0, 1000, 0);
    const b = net.start(0, 2, 1, 1000, 0);
    net.end(a, 1);
    // b moved 500 B by t=1, then runs alone at 1000 B/s.
    expect(calls[2]).toEqual([0, 3, 1.5]);
    expect(net.active).toBe(1);
    expect(net.totalRate).toBe(1000);
    expect(net.due(0, 2)).toBe(-1);
    expect(net.due(0, 3)).toBe(b);
  });

  it('ends an empty transfer at once', () => {
    const { net, calls } = recorded([1000, 0], [UNBOUNDED, UNBOUNDED]);
    const flow = net.start(0, 1, 0, 0, 4);
    expect(calls).toEqual([[0, 1, 4]]);
    expect(net.due(0, 1)).toBe(flow);
  });

  it('finds transfers by their ends, and reuses the ids of ended ones', () => {
    const { net } = recorded([1000, 1000, 1000], [1000, 1000, 1000]);
    const f01 = net.start(0, 1, 0, 1000, 0);
    const f02 = net.start(0, 2, 1, 1000, 0);
    const f21 = net.start(2, 1, 2, 1000, 0);
    expect(new Set([f01, f02, f21]).size).toBe(3);
    expect(net.active).toBe(3);
    expect(net.between(0, 1)).toBe(f01);
    expect(net.between(0, 2)).toBe(f02);
    expect(net.between(2, 1)).toBe(f21);
    expect(net.between(1, 0)).toBe(-1);
    expect(net.between(1, 2)).toBe(-1);
    expect(net.flowsOf(0).sort()).toEqual([f01, f02].sort());
    expect(net.flowsOf(1).sort()).toEqual([f01, f21].sort());
    expect(net.flowsOf(2).sort()).toEqual([f02, f21].sort());
    net.end(f01, 0.25);
    expect(net.active).toBe(2);
    expect(net.between(0, 1)).toBe(-1);
    expect(net.flowsOf(0)).toEqual([f02]);
    expect(net.flowsOf(1)).toEqual([f21]);
    const again = net.start(1, 0, 3, 1000, 0.25);
    expect(again).toBe(f01);
    expect([net.uploader(again), net.downloader(again), net.pieceOf(again)]).toEqual([1, 0, 3]);
    expect(net.between(1, 0)).toBe(again);
    expect(net.flowsOf(0).sort()).toEqual([f02, again].sort());
  });

  it('keeps the total rate equal to the sum of the rates, and exactly 0 once nothing is under way', () => {
    const { net } = recorded([1000, 700, 0, 0, 0], [UNBOUNDED, UNBOUNDED, 300, UNBOUNDED, 900]);
    const flows = [
      // 2's download (300) fills first: 0->2 and 1->2 at 150. 0's upload then gives its other two
      // 425 each; 4's download leaves 1->4 the other 475 of its 900.
      net.start(0, 2, 0, 1000, 0),
      net.start(0, 3, 1, 1000, 0),
      net.start(0, 4, 2, 1000, 0),
      net.start(1, 2, 3, 1000, 0),
      net.start(1, 4, 4, 1000, 0),
    ];
    expect(net.totalRate).toBeCloseTo(150 + 425 + 425 + 150 + 475, 9);
    net.end(flows[1] as number, 0.1); // 0->2 150; 4's download splits 450 and 450
    expect(net.totalRate).toBeCloseTo(150 + 450 + 150 + 450, 9);
    net.end(flows[3] as number, 0.2); // 0->2 alone at 2's download: 300; 0->4 and 1->4 450 each
    expect(net.totalRate).toBeCloseTo(300 + 450 + 450, 9);
    for (const flow of [flows[0], flows[2], flows[4]]) net.end(flow as number, 0.3);
    expect(net.active).toBe(0);
    expect(net.totalRate).toBe(0);
  });

  it('ends 300 transfers tied at the same instant, one after another, past the initial capacity', () => {
    const peers = 301;
    const loop = new Loop(
      Array.from({ length: peers }, (_, i) => (i === 0 ? 1000 : 0)),
      Array.from({ length: peers }, () => UNBOUNDED),
    );
    for (let to = 1; to < peers; to++) loop.net.start(0, to, to, 1000, 0);
    expect(loop.net.active).toBe(300);
    const ended = loop.runUntil();
    expect(ended).toHaveLength(300);
    expect(new Set(ended.map(([flow]) => flow)).size).toBe(300);
    for (const [, endS] of ended) expect(Math.abs(endS - 300)).toBeLessThan(1e-9);
    expect(loop.net.active).toBe(0);
    expect(loop.net.totalRate).toBe(0);
  });

  it('keeps the state of transfers under way when it grows past its initial capacity', () => {
    // 300 fillers on pairs of their own (1000 B at 100 B/s): 254 from t=0 (end at 10), then 46 from
    // t=0.5 (end at 10.5). Between them, at t=0.5, uploader 0 (1000 B/s) starts a (2000 B) and b (500 B),
    // the last transfers before the growth, at 500 B/s each: b ends at 1.5, then a (1500 B left) alone
    // at 1000 B/s ends at 3. Only growth-surviving state can give those figures.
    const fillers = 300;
    const peers = 3 + 2 * fillers;
    const loop = new Loop(
      Array.from({ length: peers }, (_, i) => (i === 0 ? 1000 : 100)),
      Array.from({ length: peers }, () => UNBOUNDED),
    );
    const starts: Array<[flow: number, from: number, to: number, piece: number]> = [];
    const filler = (i: number, nowS: number): void => {
      const [from, to, piece] = [3 + i, 3 + fillers + i, 10 + i];
      starts.push([loop.net.start(from, to, piece, 1000, nowS), from, to, piece]);
    };
    for (let i = 0; i < 254; i++) filler(i, 0);
    loop.nowS = 0.5;
    const a = loop.net.start(0, 1, 0, 2000, 0.5);
    const b = loop.net.start(0, 2, 1, 500, 0.5);
    starts.push([a, 0, 1, 0], [b, 0, 2, 1]);
    for (let i = 254; i < fillers; i++) filler(i, 0.5);
    expect(loop.net.active).toBe(302);
    for (const [flow, from, to, piece] of starts) {
      expect([loop.net.uploader(flow), loop.net.downloader(flow), loop.net.pieceOf(flow)]).toEqual([
        from,
        to,
        piece,
      ]);
    }
    const ended = loop.runUntil();
    expect(ended.slice(0, 2)).toEqual([
      [b, 1.5],
      [a, 3],
    ]);
    const endOf = new Map(ended);
    for (const [flow, , , piece] of starts.slice(0, 254)) expect(endOf.get(flow), `filler ${piece}`).toBe(10);
    for (const [flow, , , piece] of starts.slice(256)) expect(endOf.get(flow), `filler ${piece}`).toBe(10.5);
    expect(ended).toHaveLength(302);
    for (let peer = 0; peer < peers; peer++) expect(loop.net.flowsOf(peer)).toEqual([]);
    expect(loop.net.totalRate).toBe(0);
  });

  it('refuses capacities given for different sets of peers', () => {
    const listener = { reschedule: () => {} };
    expect(() => new FlowNetwork(Float64Array.of(1000), Float64Array.of(1000, 1000), listener)).toThrow(
      RangeError,
    );
  });

  it('runs a small mixed scenario to the hand-computed ends', () => {
    // Uplinks: 0 at 1200 B/s, 1 at 600 B/s. Downlink of 3: 600 B/s.
    // t=0: a 0->2 (1200 B), b 0->3 (1200 B): 600 B/s each.
    // t=1: c 1->3 (600 B): b and c share 3's 600 B/s: 300 each; a gets the rest of 0's uplink, 900.
    //      a has 600 B left, ends at 5/3. b and c have 600 B left each.
    // t=5/3: a ends; b still 300 (3's downlink); b and c have 400 B left each: both end at 3.
    const loop = new Loop([1200, 600, 0, 0], [UNBOUNDED, UNBOUNDED, UNBOUNDED, 600]);
    const a = loop.net.start(0, 2, 0, 1200, 0);
    const b = loop.net.start(0, 3, 1, 1200, 0);
    expect(loop.runUntil(1)).toEqual([]);
    loop.nowS = 1;
    const c = loop.net.start(1, 3, 2, 600, 1);
    expect(loop.net.totalRate).toBe(1500);
    const ended = new Map(loop.runUntil());
    expect([...ended.keys()].sort()).toEqual([a, b, c].sort());
    expect(ended.get(a)).toBeCloseTo(5 / 3, 12);
    expect(ended.get(b)).toBeCloseTo(3, 12);
    expect(ended.get(c)).toBeCloseTo(3, 12);
  });
});

// --- The property: FlowNetwork against a reference simulation -------------------------------------

interface Start {
  kind: 'start';
  atS: number;
  id: number;
  from: number;
  to: number;
  bytes: number;
}

interface Abort {
  kind: 'abort';
  atS: number;
  target: number;
}

type Op = Start | Abort;

interface Case {
  uploadBps: number[];
  downloadBps: number[];
  starts: Start[];
  /** Starts and aborts by time; at equal times, in the order generated. */
  ops: Op[];
}

interface Outcome {
  kind: 'finished' | 'aborted';
  atS: number;
}

interface Link {
  from: number;
  to: number;
}

/** Every transfer's rate under the model (max-min fair), recomputed from scratch. */
function modelRates(c: Case, transfers: Link[]): number[] {
  return maxMinReference(c.uploadBps, c.downloadBps, transfers);
}

/**
 * The model simulated plainly: between changes every rate is constant, so advance to the earlier of
 * the next operation and the first end, and recompute every rate after each change. Ends at an instant
 * come before operations at that instant.
 */
function runReference(c: Case): Outcome[] {
  const outcomes: Outcome[] = [];
  const left = c.starts.map((start) => start.bytes);
  let live: Start[] = [];
  let nowS = 0;
  let next = 0;
  for (let step = 0; step < 10_000; step++) {
    const rates = modelRates(c, live);
    const ends = live.map((start, i) => nowS + (left[start.id] as number) / (rates[i] as number));
    const endS = Math.min(...ends);
    const op = c.ops[next];
    if (op === undefined && live.length === 0) return outcomes;
    const opS = op === undefined ? Number.POSITIVE_INFINITY : op.atS;
    const toS = Math.min(endS, opS);
    for (const [i, start] of live.entries()) {
      left[start.id] = (left[start.id] as number) - (rates[i] as number) * (toS - nowS);
    }
    nowS = toS;
    if (endS <= opS) {
      // Every transfer ending at this instant, ties included, finishes.
      const ending = live.filter((_, i) => (ends[i] as number) - endS <= 1e-12 * Math.max(1, endS));
      for (const start of ending) outcomes[start.id] = { kind: 'finished', atS: nowS };
      live = live.filter((start) => !ending.includes(start));
    } else if (op !== undefined) {
      next++;
      if (op.kind === 'start') {
        live.push(op);
      } else {
        const target = live.find((start) => start.id === op.target);
        if (target !== undefined) {
          outcomes[target.id] = { kind: 'aborted', atS: nowS };
          live = live.filter((start) => start !== target);
        }
      }
    }
  }
  throw new Error('reference simulation did not finish');
}

function ensure(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/**
 * Drives a FlowNetwork through the case with the tiny event loop, checking after every change its
 * view of the transfers under way (active, totalRate, between, flowsOf) and, from a shadow that
 * integrates the model's rates, that no transfer moves more than its size and each that ends moved it all.
 */
function runNetwork(c: Case): Outcome[] {
  const peers = c.uploadBps.length;
  const loop = new Loop(c.uploadBps, c.downloadBps);
  const net = loop.net;
  const outcomes: Outcome[] = [];
  const flowOf = new Map<number, number>();
  let live: Start[] = [];
  const moved = new Float64Array(c.starts.length);
  let shadowS = 0;

  const advanceShadow = (toS: number): void => {
    const rates = modelRates(c, live);
    for (const [i, start] of live.entries()) {
      moved[start.id] = (moved[start.id] as number) + (rates[i] as number) * (toS - shadowS);
    }
    shadowS = toS;
  };

  // Plain checks rather than expect(): this runs after every change of every case.
  const check = (): void => {
    ensure(net.active === live.length, `active ${net.active}, expected ${live.length}`);
    const sum = modelRates(c, live).reduce((a, b) => a + b, 0);
    if (live.length === 0) ensure(net.totalRate === 0, `totalRate ${net.totalRate} with nothing active`);
    else ensure(Math.abs(net.totalRate - sum) <= 1e-9 * sum, `totalRate ${net.totalRate}, expected ${sum}`);
    for (const start of live) {
      const flow = flowOf.get(start.id) as number;
      const seen = [net.uploader(flow), net.downloader(flow), net.pieceOf(flow)].join();
      ensure(seen === [start.from, start.to, start.id].join(), `transfer ${start.id} reads as ${seen}`);
      ensure(
        (moved[start.id] as number) <= start.bytes * (1 + 1e-9),
        `transfer ${start.id} overran its size`,
      );
    }
    for (let peer = 0; peer < peers; peer++) {
      for (let to = 0; to < peers; to++) {
        const candidates = live.filter((s) => s.from === peer && s.to === to).map((s) => flowOf.get(s.id));
        const found = net.between(peer, to);
        const ok = candidates.length === 0 ? found === -1 : candidates.includes(found);
        ensure(ok, `between(${peer}, ${to}) is ${found}, expected one of [${candidates}]`);
      }
      const touching = live.filter((s) => s.from === peer || s.to === peer).map((s) => flowOf.get(s.id));
      const got = net.flowsOf(peer).sort((a, b) => a - b);
      const want = (touching as number[]).sort((a, b) => a - b);
      ensure(got.join() === want.join(), `flowsOf(${peer}) is [${got}], expected [${want}]`);
    }
  };

  const finish = (start: Start, kind: Outcome['kind']): void => {
    advanceShadow(loop.nowS);
    net.end(flowOf.get(start.id) as number, loop.nowS);
    flowOf.delete(start.id);
    live = live.filter((s) => s !== start);
    outcomes[start.id] = { kind, atS: loop.nowS };
    if (kind === 'finished') {
      expect(
        Math.abs((moved[start.id] as number) - start.bytes),
        `bytes moved by ${start.id}`,
      ).toBeLessThanOrEqual(1e-6 * start.bytes);
    }
    check();
  };

  const drainUntil = (untilS: number): void => {
    for (let i = 0; i < 10_000; i++) {
      const flow = loop.nextEnd(untilS);
      if (flow < 0) return;
      const start = live.find((s) => flowOf.get(s.id) === flow);
      expect(start, `due returned ${flow}, not under way`).toBeDefined();
      finish(start as Start, 'finished');
    }
    throw new Error('event loop did not settle');
  };

  for (const op of c.ops) {
    drainUntil(op.atS);
    loop.nowS = op.atS;
    if (op.kind === 'start') {
      advanceShadow(op.atS);
      flowOf.set(op.id, net.start(op.from, op.to, op.id, op.bytes, op.atS));
      live.push(op);
      check();
    } else {
      const target = live.find((s) => s.id === op.target);
      if (target !== undefined) finish(target, 'aborted');
    }
  }
  drainUntil(Number.POSITIVE_INFINITY);
  expect(net.active).toBe(0);
  expect(net.totalRate).toBe(0);
  return outcomes;
}

const bpsArb = fc.constantFrom(250, 500, 1000, 2000, 3000);

/** Times on a quarter-second grid, so that starts, cuts and ends often coincide. */
const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 5 }).chain((peers) =>
  fc
    .record({
      uploadBps: fc.array(bpsArb, { minLength: peers, maxLength: peers }),
      downloadBps: fc.array(bpsArb, { minLength: peers, maxLength: peers }),
      starts: fc.array(
        fc.record({
          quarterS: fc.integer({ min: 0, max: 40 }),
          from: fc.integer({ min: 0, max: peers - 1 }),
          hop: fc.integer({ min: 1, max: peers - 1 }),
          bytes: fc.constantFrom(250, 500, 777, 1000, 1500),
        }),
        { minLength: 1, maxLength: 20 },
      ),
      aborts: fc.array(
        fc.record({ quarterS: fc.integer({ min: 0, max: 40 }), target: fc.integer({ min: 0, max: 19 }) }),
        { maxLength: 6 },
      ),
    })
    .map(({ uploadBps, downloadBps, starts, aborts }) => {
      const startOps: Start[] = starts.map((s, id) => ({
        kind: 'start',
        atS: s.quarterS / 4,
        id,
        from: s.from,
        to: (s.from + s.hop) % peers,
        bytes: s.bytes,
      }));
      const abortOps: Abort[] = aborts.map((a) => ({ kind: 'abort', atS: a.quarterS / 4, target: a.target }));
      const ops: Op[] = [...startOps, ...abortOps].sort((a, b) => a.atS - b.atS);
      return { uploadBps, downloadBps, starts: startOps, ops };
    }),
);

describe('FlowNetwork against a reference simulation', () => {
  it('ends every transfer when the reference does, having moved exactly its size', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const got = runNetwork(c);
        const want = runReference(c);
        for (const start of c.starts) {
          const g = got[start.id];
          const w = want[start.id];
          expect(g, `transfer ${start.id}`).toBeDefined();
          expect(w, `transfer ${start.id}`).toBeDefined();
          const gotS = (g as Outcome).atS;
          const wantS = (w as Outcome).atS;
          expect(Math.abs(gotS - wantS), `transfer ${start.id}: ${gotS} vs ${wantS}`).toBeLessThanOrEqual(
            1e-6 * Math.max(1, wantS),
          );
          // A cut at the very instant a transfer ends may land on either side of the end in floating
          // point; only then may the two disagree on whether it finished or was cut.
          if ((g as Outcome).kind !== (w as Outcome).kind) {
            expect(Math.abs(gotS - wantS), `transfer ${start.id} finished or cut`).toBeLessThanOrEqual(
              1e-9 * Math.max(1, wantS),
            );
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
