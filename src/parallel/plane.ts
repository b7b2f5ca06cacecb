/**
 * The plane engine on every core: each thread makes the same top cut of the domain (the first
 * piecewise step's) and descends into the chunks of top pieces it claims as it reaches them (a
 * counter in shared memory: a thread slowed by start-up or by other programs takes fewer); the
 * shares are joined into the partition one engine makes alone, array for array, by the threads
 * themselves (parallel/plane-join.ts).
 */

import { parseNetwork } from "../io/network-json.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import { isPiecewise } from "../model/steps.ts";
import { growableFloat64, growableInt32, growableUint32 } from "../regions/buffers.ts";
import { Budget, type LimitOptions } from "../regions/limits.ts";
import { maxAbs } from "../regions/map-error.ts";
import { linearPieces, type PlanePartition } from "../regions/partition.ts";
import { type PlaneOutput, type PlaneShare, type PlaneShareResult, type PlaneSlice, planePartition, planePartitionShare } from "../regions/plane.ts";
import { linearPiecesKernel } from "../regions/plane-adjacency-kernel.ts";
import { type OwnPairs, ownPairs } from "../regions/plane-merge.ts";
import { compiledOfRef, type ModelRef, modelRef } from "./model-ref.ts";
import { moduleUrl } from "./module-url.ts";
import { adjacencyOf, joinLayout, type PlaceTask, placeShare, type ShareDone, sharedJoinedArrays, sharedLinePairs, shareJoinParts } from "./plane-join.ts";
import type { TaskPool } from "./pool.ts";
import { claimChunk, SharedBudget, type SharedControl, type SharedLimits, sharedControl, sharedLimits, sharedStop, watchControl } from "./shared-budget.ts";
import { buffersOf, movable, threadCpuSeconds } from "./worker.ts";

/** Options of planePartitionParallel. */
export interface ParallelPlaneOptions {
  /** Convex domain polygon in (u, v), counter-clockwise (default: the unit square). */
  domain?: Float64Array;
  /**
   * The calling thread computes a share too (one pool thread fewer for the same cores: it starts
   * at once, while the pool's threads start). It is busy until its share is done, so progress is
   * reported from its share's checks.
   */
  mainThread?: boolean;
  /** Shares per worker (default 1: each share repeats the top cut, so few shares cost least). */
  sharesPerWorker?: number;
  /** Top pieces per chunk; threads claim chunks as they reach them (default 0: automatic, see regions/plane.ts shareChunk). */
  chunk?: number;
  /** Called with each share's thread CPU seconds and the calling thread's (for benchmarks on a busy machine). */
  onStats?: (stats: PlaneStats) => void;
  /**
   * Limits of the whole count: `maxCells` for all shares together, `timeout` from the call, an
   * abort signal; the first limit hit stops every share and marks the partition stopped.
   * `onProgress` gets the cells of all shares about every `progressEvery` seconds.
   */
  limits?: Pick<LimitOptions, "maxCells" | "timeout" | "signal" | "onProgress" | "progressEvery">;
}

/** Where a parallel plane count spent its time (thread CPU seconds, wall seconds on the calling thread). */
export interface PlaneStats {
  /** Each share's CPU seconds: its cells, then its part of the join. */
  shareCpuSeconds: number[];
  placeCpuSeconds: number[];
  /** The calling thread's CPU seconds in the join (order, shared lines, linear pieces). */
  joinCpuSeconds: number;
  /** Wall seconds: until every share's cells were back, then the join. */
  sharesSeconds: number;
  joinSeconds: number;
}

/** The task of one share on a thread (see planeClaimTask). */
export interface PlaneClaimTask {
  model: ModelRef;
  slice: PlaneSlice;
  domain: Float64Array;
  chunk: number;
  control: SharedControl;
  limits: SharedLimits | null;
}

export interface PlaneShareTask {
  /**
   * The network as tessera JSON text: written and read without recursion, whereas the structured
   * clone that carries objects to a thread recurses, and overflows on networks thousands of
   * layers deep.
   */
  model: string;
  slice: PlaneSlice;
  domain: Float64Array;
  share: PlaneShare;
  limits?: Pick<LimitOptions, "maxCells" | "timeout">;
}

const self = moduleUrl("parallel/plane");

/** The partition of `planePartition(compiled, slice, options)`, computed on the pool's threads. */
export async function planePartitionParallel(pool: TaskPool, compiled: Compiled, slice: PlaneSlice, options: ParallelPlaneOptions = {}): Promise<PlanePartition> {
  const domain = options.domain ?? Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1);
  const parts = pool.size * (options.sharesPerWorker ?? 1);
  const limits = options.limits ?? {};
  const main = options.mainThread === true;
  if (parts + (main ? 1 : 0) === 1 || !compiled.steps.some(isPiecewise))
    return planePartition(compiled, slice, { domain, ...(options.limits ? { budget: new Budget(limits) } : {}) });
  const t0 = performance.now();
  const control = sharedControl();
  const shared = sharedLimits(limits);
  const stopWatch = watchControl(control, limits);
  let done: ClaimDone[];
  try {
    const task: PlaneClaimTask = { model: modelRef(compiled.network), slice, domain, chunk: options.chunk ?? 0, control, limits: shared };
    const running = Promise.all(Array.from({ length: parts }, () => pool.run<ClaimDone>(self, "planeClaimTask", task)));
    // The calling thread's share, while the pool's run (its progress reported by its budget).
    const own = main ? claimShare(compiled, task, limits) : null;
    try {
      done = await running;
    } catch (e) {
      if (own) releaseOutputs([own]);
      throw e;
    }
    if (own) done.unshift(own);
  } finally {
    stopWatch();
  }
  const t1 = performance.now();
  const cpu0 = threadCpuSeconds();
  // Shares that claimed nothing (they started after the others had taken every chunk) add nothing.
  const busy = done.filter((d) => d.share.topPieces.length > 0);
  const joined = busy.length === 0 ? done.slice(0, 1) : busy;
  const base = joined[0].share.baseLines;
  const words = compiled.layout.words;
  const mapSize = 3 * compiled.outputSize;
  const layout = joinLayout(joined);
  const out = sharedJoinedArrays(
    layout,
    words,
    mapSize,
    joined.reduce((n, d) => n + d.edges.line.length, 0),
  );
  out.lines.set(joined[0].share.partition.lines.subarray(0, 3 * base));
  let cpu1 = threadCpuSeconds();
  const placeTask = ({ share, own }: ShareDone, s: number): PlaceTask => ({ share, own, places: layout.places[s], out, words, mapSize, pairBase: out.pairBase });
  // The calling thread's share (the first, when it has one) stays here; the others go back to the pool.
  const here = main && joined[0] === done[0] ? 1 : 0;
  const placing = Promise.all(
    joined.slice(here).map((d, s) => {
      const moved = [...new Set([...buffersOf(d.share.partition), ...buffersOf(d.share), ...buffersOf(d.own)])].filter((b) => b instanceof ArrayBuffer);
      return pool.run<{ cpuSeconds: number }>(self, "planePlaceTask", placeTask(d, s + here), moved as ArrayBuffer[]);
    }),
  );
  const cpuHere = threadCpuSeconds();
  if (here === 1) placeShare(placeTask(joined[0], 0));
  const placedHere = here === 1 ? [threadCpuSeconds() - cpuHere] : [];
  // While the threads place their shares: the adjacency along the shared lines.
  const cpu2 = threadCpuSeconds();
  const adjacency = adjacencyOf(out, sharedLinePairs(joined, layout.joinedCell));
  cpu1 += threadCpuSeconds() - cpu2;
  let placed: { cpuSeconds: number }[];
  try {
    placed = await placing;
  } finally {
    // Every share's cells are in the joined arrays (or placing failed): their buffers are free.
    releaseOutputs(done);
  }
  const cpu3 = threadCpuSeconds();
  // In WebAssembly where available, as the one-thread engine does (the same pieces).
  const reach = maxAbs(domain);
  const linear = linearPiecesKernel(layout.cells, adjacency, out.outputMaps, mapSize, 3, reach) ?? linearPieces(layout.cells, adjacency, out.outputMaps, mapSize, 3, reach);
  cpu1 = threadCpuSeconds() - cpu3 + (cpu1 - cpu0);
  options.onStats?.({
    shareCpuSeconds: done.map((d) => d.cpuSeconds),
    placeCpuSeconds: [...placedHere, ...placed.map((p) => p.cpuSeconds)],
    joinCpuSeconds: cpu1,
    sharesSeconds: (t1 - t0) / 1000,
    joinSeconds: (performance.now() - t1) / 1000,
  });
  const stopped = sharedStop(control) ?? done.find((d) => d.share.partition.stopped !== undefined)?.share.partition.stopped;
  const partition: PlanePartition = {
    kind: "plane",
    origin: slice.origin,
    e1: slice.e1,
    e2: slice.e2,
    domain,
    cellCount: layout.cells,
    cellStart: out.cellStart,
    vertices: out.vertices,
    edgeLine: out.edgeLine,
    lines: out.lines,
    areas: out.areas,
    outputMaps: out.outputMaps,
    patterns: out.patterns,
    layout: compiled.layout,
    outputSize: compiled.outputSize,
    activationRegions: layout.cells,
    linearPieces: linear.count,
    pieceOf: linear.pieceOf,
    adjacency,
    // Each share repeats the top cut, so a tie there counts once per share: a flag, not a tally.
    // Every share made the top cut: its uncertain decisions once, then each share's own.
    uncertain: joined[0].share.baseUncertain + done.reduce((sum, d) => sum + (d.share.partition.uncertain ?? 0) - d.share.baseUncertain, 0),
  };
  return stopped === undefined ? partition : { ...partition, stopped };
}

/**
 * A thread's share buffers, kept between counts: a share's cells are copied into the joined
 * arrays, so its buffers are scratch, and writing memory written before costs no page faults
 * (a first write costs about 13 microseconds a page here, more than the writes: a half share of
 * 2-256x4-1 wrote 35-150 MB of fresh pages as its buffers grew). `lease` (shared memory) is 1
 * while a count holds them; the calling thread clears it once the shares are placed. A thread
 * whose buffers are still held (another count's join) takes new ones.
 */
interface KeptOutput {
  output: PlaneOutput;
  lease: Int32Array;
}
let kept: KeptOutput | null = null;
/** Buffers larger than this are not kept after the count (memory an idle pool would hold). */
const KEEP_BYTES = 512 * 2 ** 20;

function leaseOutput(): KeptOutput {
  if (kept !== null && Atomics.compareExchange(kept.lease, 0, 0, 1) === 0) {
    for (const g of Object.values(kept.output) as { length: number }[]) g.length = 0;
    return kept;
  }
  // On shared memory, so the shares' arrays reach the calling thread and come back for placing without moving away from this thread.
  const options = { shared: true, growth: 4 };
  const fresh: KeptOutput = {
    output: {
      cellStart: growableUint32(1024, options),
      vertices: growableFloat64(1024, options),
      edgeLine: growableInt32(1024, options),
      patterns: growableUint32(1024, options),
      outputMaps: growableFloat64(1024, options),
      areas: growableFloat64(1024, options),
    },
    lease: new Int32Array(new SharedArrayBuffer(4)),
  };
  fresh.lease[0] = 1;
  kept = fresh;
  return fresh;
}

/** Calling thread: the shares' buffers free for the threads' next counts. */
function releaseOutputs(done: readonly { lease: Int32Array }[]): void {
  for (const d of done) Atomics.store(d.lease, 0, 0);
}

/** One share, claiming its chunks (on a pool thread, or on the calling thread with its limits' progress). */
function claimShare(compiled: Compiled, task: PlaneClaimTask, progress?: Pick<LimitOptions, "onProgress" | "progressEvery" | "signal">): ClaimDone {
  const cpu0 = threadCpuSeconds();
  const { control } = task;
  const out = leaseOutput();
  let share: PlaneShareResult;
  try {
    share = planePartitionShare(
      compiled,
      task.slice,
      task.domain,
      { parts: 1, part: 0, chunk: task.chunk, claim: (c) => claimChunk(control, c), output: out.output },
      task.limits ? new SharedBudget(control, task.limits, progress) : null,
    );
  } catch (e) {
    Atomics.store(out.lease, 0, 0);
    throw e;
  }
  let bytes = 0;
  for (const g of Object.values(out.output) as { data: { byteLength: number } }[]) bytes += g.data.byteLength;
  if (bytes > KEEP_BYTES && kept === out) kept = null;
  return { share, ...shareJoinParts(share), cpuSeconds: threadCpuSeconds() - cpu0, lease: out.lease };
}

/** What a share's thread sends back: ShareDone, its CPU seconds and the lease of its buffers. */
type ClaimDone = ShareDone & { cpuSeconds: number; lease: Int32Array };

/** Worker side: one share, claiming its chunks; its arrays, own adjacency and shared-line edges moved back. */
export function planeClaimTask(task: PlaneClaimTask): ClaimDone {
  const r = claimShare(compiledOfRef(task.model), task);
  return movable(r, [...buffersOf(r.share.partition), ...buffersOf(r.share), ...buffersOf(r.own), ...buffersOf(r.edges)]);
}

/** Worker side: a share written into the joined arrays (shared memory). */
export function planePlaceTask(task: PlaceTask): { cpuSeconds: number } {
  const cpu0 = threadCpuSeconds();
  placeShare(task);
  return { cpuSeconds: threadCpuSeconds() - cpu0 };
}

/** Worker side: one share's cells, its arrays moved back without a copy. */
export function planeShareTask(task: PlaneShareTask): PlaneShareResult & { cpuSeconds: number; own: OwnPairs } {
  const cpu0 = threadCpuSeconds();
  const share = planePartitionShare(prepare(parseNetwork(task.model)), task.slice, task.domain, task.share, task.limits ? new Budget(task.limits) : null);
  const own = ownPairs(share);
  const r = { ...share, own, cpuSeconds: threadCpuSeconds() - cpu0 };
  return movable(r, [...buffersOf(r.partition), ...buffersOf(r), ...buffersOf(own)]);
}
