/**
 * A whole-domain count split into jobs by a sign prefix (docs/scale.md, "Splitting a count"):
 * no region crosses a hyperplane of the first piecewise layer, so fixing the side of k of them
 * splits the regions into 2^k disjoint sets by pattern. Job j is the traversal of the domain
 * restricted to the patterns of prefix j (regions/whole/engine.ts `prefix`): it starts inside the
 * prefix's cell (one LP; an empty cell has no regions) and lists the facets it finds toward
 * other prefixes apart instead of crossing them. The join numbers the regions job after job
 * (each job's in its traversal order), keeps each job's facets, adds the facets across the cut
 * whose neighbour pattern is a region of another job, and takes the linear pieces over all of
 * them, as one engine does: the same regions, facets, adjacency (as pairs of patterns) and
 * linear pieces as `wholePartition`, numbered otherwise.
 */
import { parseNetwork } from "../io/network-json.ts";
import { type Compiled, prepare, pushAffine } from "../model/forward.ts";
import { applyStack, isPiecewise } from "../model/steps.ts";
import { SharedBudget, type SharedControl, type SharedLimits, sharedControl } from "../parallel/shared-budget.ts";
import { buffersOf, movable, threadCpuSeconds } from "../parallel/worker.ts";
import { type Budget, LimitReached, type StopReason } from "../regions/limits.ts";
import type { WholePartition } from "../regions/partition.ts";
import { type CutListings, type TraverseResult, type TraverseStats, traverse } from "../regions/whole/engine.ts";
import { PatternTable } from "../regions/whole/pattern-table.ts";
import { type InputPolytope, reduce } from "../regions/whole/reduce.ts";
import { KNOWN, STAT_NAMES } from "../regions/whole/round-output.ts";
import type { SignPrefix } from "../regions/whole/sign-prefix.ts";
import type { AffineSlice } from "../regions/whole/slice.ts";
import { assembleWhole, traverseOptions, type WholeOptions, wholeBox, wholeNetwork } from "../regions/whole.ts";

/** The domain of a split whole-domain count (regions/whole-domain.ts `wholeArguments`), and whether points are kept. */
export interface WholeSplitDomain {
  box: [number, number];
  polytope?: InputPolytope;
  slice?: AffineSlice;
  points: boolean;
}

/**
 * The k hyperplanes of a split: units of the first piecewise step (elementwise) and a breakpoint
 * each, with z_h(x) - t_h = rows[h] . x + offsets[h] over the network's inputs (after a slice's
 * folding: its coordinates).
 */
export interface SplitHyperplanes {
  step: number;
  units: Int32Array;
  breakpoints: Int32Array;
  rows: Float64Array;
  offsets: Float64Array;
}

/**
 * Up to k hyperplanes of the first piecewise step that cut the box nearest its centre: each
 * unit's breakpoint at a relative position p = (z(mid) - t) / (half-width * |a|_1) of the box's
 * range of z (0: through the centre, +-1: at the box's corner), smallest |p| first, ties by
 * unit; hyperplanes that miss the box's interior (|p| >= 1) or repeat a chosen one (same unit
 * normal and offset, up to sign) are left out. Fewer than k when fewer remain. Refused (thrown)
 * when the first piecewise step is not elementwise or follows a branch.
 */
export function splitHyperplanes(net: Compiled, lo: number, hi: number, k: number): SplitHyperplanes {
  const n0 = net.inputSize;
  const steps = net.steps;
  const first = steps.findIndex(isPiecewise);
  if (first < 0) return { step: -1, units: new Int32Array(0), breakpoints: new Int32Array(0), rows: new Float64Array(0), offsets: new Float64Array(0) };
  const step = steps[first];
  if (step.kind !== "elementwise")
    throw new Error("a split count needs an elementwise first piecewise layer (relu, leaky relu, abs, hard tanh); max groups first: count on one machine");
  // The affine map x -> z before the first piecewise step (n0 + 1 channels), as reduce.ts makes it.
  const C = n0 + 1;
  let map: Float64Array = new Float64Array(C * n0);
  for (let d = 0; d < n0; d++) map[(d + 1) * n0 + d] = 1;
  const stack: Float64Array[] = [];
  for (let s = 0; s < first; s++) {
    const st = steps[s];
    if (st.kind === "affine") {
      const out = new Float64Array(C * st.outSize);
      pushAffine(st, map, out, C);
      map = out;
    } else if (st.kind !== "elementwise" && st.kind !== "max") map = applyStack(st, map, stack, C);
  }
  if (stack.length > 0) throw new Error("a split count needs the first piecewise layer outside a branch: count on one machine");
  const m = map.length / C;
  const mid = 0.5 * (lo + hi);
  const half = 0.5 * (hi - lo);
  const found: { unit: number; b: number; p: number; norm: number }[] = [];
  for (let j = 0; j < m; j++) {
    let l1 = 0;
    let l2 = 0;
    let atMid = map[j];
    for (let d = 0; d < n0; d++) {
      const a = map[(d + 1) * m + j];
      l1 += Math.abs(a);
      l2 += a * a;
      atMid += a * mid;
    }
    if (l1 === 0) continue;
    step.breakpoints.forEach((t, b) => {
      const p = (atMid - t) / (half * l1);
      if (Math.abs(p) < 1) found.push({ unit: j, b, p, norm: Math.sqrt(l2) });
    });
  }
  found.sort((x, y) => Math.abs(x.p) - Math.abs(y.p) || x.unit - y.unit || x.b - y.b);
  const chosen: typeof found = [];
  const sameHyperplane = (x: (typeof found)[number], y: (typeof found)[number]): boolean => {
    for (const sign of [1, -1]) {
      let same = Math.abs((map[x.unit] - step.breakpoints[x.b]) / x.norm - (sign * (map[y.unit] - step.breakpoints[y.b])) / y.norm) <= 1e-12;
      for (let d = 0; d < n0 && same; d++) same = Math.abs(map[(d + 1) * m + x.unit] / x.norm - (sign * map[(d + 1) * m + y.unit]) / y.norm) <= 1e-12;
      if (same) return true;
    }
    return false;
  };
  for (const c of found) {
    if (chosen.length === k) break;
    if (!chosen.some((x) => sameHyperplane(x, c))) chosen.push(c);
  }
  const rows = new Float64Array(chosen.length * n0);
  const offsets = new Float64Array(chosen.length);
  chosen.forEach((c, h) => {
    for (let d = 0; d < n0; d++) rows[h * n0 + d] = map[(d + 1) * m + c.unit];
    offsets[h] = map[c.unit] - step.breakpoints[c.b];
  });
  return { step: first, units: Int32Array.from(chosen, (c) => c.unit), breakpoints: Int32Array.from(chosen, (c) => c.b), rows, offsets };
}

/**
 * Job `job` of 0..2^k - 1: hyperplane h on its upper side (z >= t, the unit's state above the
 * breakpoint) when bit h of `job` is 1. Its cell's rows: -(a . x) <= c - t above, a . x <= t - c below.
 */
export function signPrefix(h: SplitHyperplanes, job: number): SignPrefix {
  const k = h.units.length;
  const n0 = k > 0 ? h.rows.length / k : 0;
  const above = new Uint8Array(k);
  const A = new Float64Array(k * n0);
  const b = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    above[i] = (job >>> i) & 1;
    const sign = above[i] ? -1 : 1;
    for (let d = 0; d < n0; d++) A[i * n0 + d] = sign * h.rows[i * n0 + d];
    b[i] = sign === -1 ? h.offsets[i] : -h.offsets[i];
  }
  return { step: h.step, units: h.units, breakpoints: h.breakpoints, above, cell: { A, b } };
}

/**
 * What a job sends back: its traversal's arrays (the engine's result without the pattern table,
 * whose patterns travel end to end) and its facets out of the prefix.
 */
export interface WholeShare
  extends Pick<TraverseResult, "r" | "centres" | "inputPoints" | "margins" | "outputs" | "facetStart" | "facetHyperplane" | "facetNeighbour" | "facetSame" | "stats"> {
  job: number;
  count: number;
  patterns: Uint32Array;
  cut: CutListings;
  /** Set when a limit stopped the job (its budget, or the coordinator's cancellation): `count` regions found so far. */
  stopped?: StopReason;
  /** CPU seconds of the job's thread, when measured (the worker side). */
  cpuSeconds?: number;
}

/** The options of a job's traversal (the whole-domain engine's, points only when asked). */
function shareOptions(domain: WholeSplitDomain): WholeOptions {
  return { box: domain.box, points: domain.points, ...(domain.polytope ? { polytope: domain.polytope } : {}), ...(domain.slice ? { slice: domain.slice } : {}) };
}

/**
 * Job `job` of a split count, on this thread; with a budget, a job a limit stops returns the
 * regions it found so far, marked `stopped` (the coordinator's result is then partial anyway).
 */
export function wholeShare(compiled: Compiled, domain: WholeSplitDomain, hyperplanes: SplitHyperplanes, job: number, budget?: Budget): WholeShare {
  const options = shareOptions(domain);
  const net = wholeNetwork(compiled, options);
  const [lo, hi] = wholeBox(options);
  const red = reduce(net, lo, hi, options.polytope);
  const result = traverse(net, red, { ...traverseOptions(budget ? { ...options, budget } : options), prefix: signPrefix(hyperplanes, job) });
  const words = net.layout.words;
  const count = result.table.count;
  return {
    job,
    count,
    r: result.r,
    patterns: result.table.patterns.slice(0, count * words),
    centres: result.centres.slice(),
    inputPoints: result.inputPoints,
    margins: result.margins,
    outputs: result.outputs,
    facetStart: result.facetStart,
    facetHyperplane: result.facetHyperplane,
    facetNeighbour: result.facetNeighbour,
    facetSame: result.facetSame,
    cut: result.cut as CutListings,
    stats: result.stats,
    ...(result.stopped ? { stopped: result.stopped.reason } : {}),
  };
}

/**
 * A job as it travels: the network as tessera JSON, the domain, the hyperplanes and the job's
 * number; the count's limits (each job stops at the cell limit or the count's deadline), and on
 * the worker the job's stop switch (the worker stops the job when the coordinator cancels it).
 */
export interface WholeShareTask {
  model: string;
  domain: WholeSplitDomain;
  hyperplanes: SplitHyperplanes;
  job: number;
  limits?: SharedLimits;
  control?: SharedControl;
}

/** Worker side (a pool thread of `tessera worker`): one job, its arrays moved back, with its thread's CPU seconds. */
export function wholeShareTask(task: WholeShareTask): WholeShare {
  const cpu0 = threadCpuSeconds();
  const budget = new SharedBudget(task.control ?? sharedControl(), task.limits ?? {});
  const share = wholeShare(prepare(parseNetwork(task.model)), task.domain, task.hyperplanes, task.job, budget);
  share.cpuSeconds = threadCpuSeconds() - cpu0;
  return movable(share, [...buffersOf(share), ...buffersOf(share.cut)]);
}

/**
 * The partition one engine makes, from every job's share (any order): regions numbered job
 * after job, in each job's traversal order; the facets of each job and, across the cut, those
 * whose neighbour pattern is a region of another job (a certified one whose neighbour no job
 * found is counted as uncertain: it cannot happen when both jobs decide exactly); the adjacency
 * pairs and linear pieces from all of them, as wholePartition assembles them.
 *
 * A count a limit stopped (`stopped`) joins the shares that came back, whole or stopped: its
 * regions are those they found (at the cell limit the first `maxCells` of them, as one engine
 * keeps), a lower bound marked stopped; a cut facet toward a region no share found is then left
 * out, not counted as uncertain (its neighbour's job did not finish).
 */
export function joinWholeShares(compiled: Compiled, domain: WholeSplitDomain, shares: WholeShare[], stopped?: { reason: StopReason; maxCells?: number }): WholePartition {
  const options = shareOptions(domain);
  const net = wholeNetwork(compiled, options);
  const [lo, hi] = wholeBox(options);
  const red = reduce(net, lo, hi, options.polytope);
  const words = net.layout.words;
  const sorted = [...shares].sort((a, b) => a.job - b.job);
  const table = new PatternTable(words);
  const offset = new Int32Array(sorted.length);
  sorted.forEach((s, j) => {
    offset[j] = table.count;
    for (let i = 0; i < s.count; i++) table.add(s.patterns, i * words);
  });
  const cells = table.count;
  // The cut facets whose neighbour is a region (from, to, hyperplane, maps equal), each listed
  // by the lower-numbered job only: listed here from both sides, as one engine lists a facet
  // (the second listing KNOWN, which the adjacency pairs skip: adjacency.ts).
  const cutFrom: number[] = [];
  const cutTo: number[] = [];
  const cutHp: number[] = [];
  const cutSame: number[] = [];
  let unresolved = 0;
  sorted.forEach((s, j) => {
    const cut = s.cut;
    for (let c = 0; c < cut.region.length; c++) {
      if (c > 0 && cut.region[c] < cut.region[c - 1]) throw new Error(`internal: job ${s.job}'s cut facets are not in region order`);
      const nb = table.find(cut.patterns, c * words);
      if (nb < 0) {
        if (cut.conditional[c] === 0 && !stopped) unresolved++;
        continue;
      }
      const from = offset[j] + cut.region[c];
      cutFrom.push(from);
      cutTo.push(nb);
      cutHp.push(cut.hp[c]);
      cutSame.push(cut.same[c]);
    }
  });
  // The reverse listings grouped by region (a counting sort).
  const reverseStart = new Uint32Array(cells + 1);
  for (const to of cutTo) reverseStart[to + 1]++;
  for (let i = 0; i < cells; i++) reverseStart[i + 1] += reverseStart[i];
  const reverse = new Int32Array(cutTo.length);
  const fill = reverseStart.slice(0, cells);
  cutTo.forEach((to, e) => {
    reverse[fill[to]++] = e;
  });
  let listings = 2 * cutTo.length;
  for (const s of sorted) listings += s.facetHyperplane.length;
  const facetStart = new Uint32Array(cells + 1);
  const facetHyperplane = new Int32Array(listings);
  const facetNeighbour = new Int32Array(listings);
  const facetSame = new Uint8Array(listings);
  let at = 0;
  let e = 0;
  sorted.forEach((s, j) => {
    for (let i = 0; i < s.count; i++) {
      const id = offset[j] + i;
      facetStart[id] = at;
      for (let f = s.facetStart[i]; f < s.facetStart[i + 1]; f++) {
        facetHyperplane[at] = s.facetHyperplane[f];
        facetNeighbour[at] = s.facetNeighbour[f] + offset[j];
        facetSame[at++] = s.facetSame[f];
      }
      for (; e < cutFrom.length && cutFrom[e] === id; e++) {
        facetHyperplane[at] = cutHp[e];
        facetNeighbour[at] = cutTo[e];
        facetSame[at++] = cutSame[e];
      }
      for (let q = reverseStart[id]; q < reverseStart[id + 1]; q++) {
        facetHyperplane[at] = cutHp[reverse[q]];
        facetNeighbour[at] = cutFrom[reverse[q]];
        facetSame[at++] = KNOWN;
      }
    }
  });
  facetStart[cells] = at;
  // No share back (a limit hit before the first job finished): every statistic 0.
  const stats = { ...(sorted[0]?.stats ?? (Object.fromEntries([...STAT_NAMES, "rounds", "sharedRounds"].map((n) => [n, 0])) as TraverseStats)) };
  for (const key of Object.keys(stats) as (keyof TraverseStats)[]) stats[key] = sorted.reduce((sum, s) => sum + s.stats[key], 0);
  stats.uncertain += unresolved;
  const result: TraverseResult = {
    stopped: stopped ? new LimitReached(stopped.reason, `stopped (${stopped.reason})`) : null,
    table,
    r: red.r,
    centres: concat(sorted.map((s) => s.centres)),
    inputPoints: concat(sorted.map((s) => s.inputPoints)),
    margins: concat(sorted.map((s) => s.margins)),
    outputs: concat(sorted.map((s) => s.outputs)),
    facetStart,
    facetHyperplane: facetHyperplane.subarray(0, at),
    facetNeighbour: facetNeighbour.subarray(0, at),
    facetSame: facetSame.subarray(0, at),
    stats,
  };
  // At the cell limit, the first maxCells regions (assembleWhole keeps those the budget counted).
  const counted = stopped?.reason === "max-cells" && stopped.maxCells !== undefined ? Math.min(cells, stopped.maxCells) : cells;
  return assembleWhole(net, red, result, options, counted);
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The count on this thread, job after job (for tests and small counts: the same as the queue's), with each job's regions and hyperplanes. */
export function wholeSplitLocally(compiled: Compiled, domain: WholeSplitDomain, k: number): { partition: WholePartition; perJob: number[]; hyperplanes: SplitHyperplanes } {
  const options = shareOptions(domain);
  const [lo, hi] = wholeBox(options);
  const hyperplanes = splitHyperplanes(wholeNetwork(compiled, options), lo, hi, k);
  const jobs = 2 ** hyperplanes.units.length;
  const shares = Array.from({ length: jobs }, (_, job) => wholeShare(compiled, domain, hyperplanes, job));
  return { partition: joinWholeShares(compiled, domain, shares), perJob: shares.map((s) => s.count), hyperplanes };
}
