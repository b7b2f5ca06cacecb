/**
 * The whole-domain engine on every core: each round of the traversal (regions/whole/engine.ts)
 * is split into contiguous ranges of regions (several per thread), processed on the pool's
 * threads against the regions found before the round (read from SharedArrayBuffers, never
 * copied), and merged in region order on this thread as they come back, while the threads work
 * on the next ranges, so the partition is the one `wholePartition` makes on one thread, array
 * for array, whatever the number of threads. Small rounds (the first few) run here.
 *
 * The merge adds the round's new regions to the table the threads read: a thread's view keeps
 * the count at the round's start and skips later entries (pattern-table.ts), so what a range
 * sees does not depend on how far the merge has got.
 */
import { threadId } from "node:worker_threads";
import type { Compiled } from "../model/forward.ts";
import { caughtLimit, LimitReached } from "../regions/limits.ts";
import type { WholePartition } from "../regions/partition.ts";
import { type FacetPairs, listingCounts, pairsOfRegions } from "../regions/whole/adjacency.ts";
import {
  type BufferCopy,
  copyInto,
  localRound,
  processorOptions,
  RANGE_MIN,
  type RangeDestination,
  type RangePlan,
  Traversal,
  type TraverseResult,
  writeRange,
} from "../regions/whole/engine.ts";
import { PatternTable } from "../regions/whole/pattern-table.ts";
import { type ProcessorOptions, RegionProcessor } from "../regions/whole/processor.ts";
import { type InputPolytope, reduce } from "../regions/whole/reduce.ts";
import { type RoundBuffers, type RoundMessage, RoundOutput } from "../regions/whole/round-output.ts";
import type { AffineSlice } from "../regions/whole/slice.ts";
import { assembleWhole, traverseOptions, type WholeOptions, wholeBox, wholeNetwork } from "../regions/whole.ts";
import { compiledOfRef, type ModelRef, modelRef } from "./model-ref.ts";
import { moduleUrl } from "./module-url.ts";
import type { TaskPool } from "./pool.ts";
import { threadCpuSeconds } from "./worker.ts";

export interface WholeRoundTask {
  /** Which traversal (a thread keeps the processor of the last one it served). */
  job: string;
  /** The network, compiled once per thread (model-ref.ts). */
  model: ModelRef;
  box: [number, number];
  /** The domain's polytope and slice, if any (regions/whole-domain.ts). */
  polytope?: InputPolytope;
  slice?: AffineSlice;
  processor: ProcessorOptions;
  /** The regions found before the round: the table's arrays and the centres, shared. */
  words: number;
  patterns: Uint32Array;
  slots: Int32Array;
  count: number;
  centres: Float64Array;
  /** The round's first region, and the range's. */
  roundFirst: number;
  first: number;
  last: number;
  knownStart: Uint32Array;
  knownHp: Int32Array;
  knownFrom: Int32Array;
  /** The buffers the range writes its output into (shared, the range's slot: see below); none at first. */
  buffers: RoundBuffers | null;
  /** Date.now() after which the range stops (the count's --timeout; Infinity: none). */
  deadline: number;
}

/**
 * A range's result: its message (views of the shared buffers), the buffers (for the slot: they
 * may have grown), and the CPU seconds of the thread that processed it.
 */
interface WholeRoundResult {
  message: RoundMessage;
  buffers: RoundBuffers;
  cpu: number;
  /** The thread (worker_threads' threadId), for the CPU per thread. */
  thread: number;
}

/** Ranges per thread in a shared round: the merge of one overlaps the processing of the next. */
const RANGES_PER_THREAD = 8;

/** What a range that passed its deadline throws (an error's class does not cross threads). */
const TIMEOUT = "tessera: whole-domain range past its deadline";

const self = moduleUrl("parallel/whole");
let jobs = 0;

/** `wholePartition(compiled, options)` with each round's regions processed on the pool's threads. */
export async function wholePartitionParallel(pool: TaskPool, compiled: Compiled, options: WholeOptions & { rangeMin?: number; pairsMin?: number } = {}): Promise<WholePartition> {
  const cpuHere = threadCpuSeconds();
  const rangeMin = options.rangeMin ?? RANGE_MIN;
  const box = wholeBox(options);
  const net = wholeNetwork(compiled, options);
  const red = reduce(net, box[0], box[1], options.polytope);
  const topts = traverseOptions(options);
  const traversal = new Traversal(net, red, topts, true);
  const shared = processorOptions(topts);
  const processor = new RegionProcessor(net, red, shared);
  traversal.start(processor);
  const budget = topts.budget;
  const before = budget.cells;
  // The threads stop at the deadline themselves (the budget is checked between rounds only).
  const deadline = options.timeout !== undefined ? Date.now() + 1000 * options.timeout : Number.POSITIVE_INFINITY;
  const model = modelRef(compiled.network);
  const job = `${Date.now()}-${++jobs}`;
  const words = compiled.layout.words;
  const local = new RoundOutput(words, red.r, compiled.outputSize);
  // Output buffers per range position, shared: range `part` of every round writes into slot
  // `part`, which the merge has read before the next round starts. Ranges thus write into pages
  // touched before instead of fresh ones (a fresh page costs more than the writes on it), and
  // nothing is copied on the way back.
  const slots: (RoundBuffers | null)[] = [];
  let threadCpu = 0;
  // CPU seconds per pool thread (ranges, writes, copies), by threadId.
  const perThread = new Map<number, number>();
  const account = ({ cpu, thread }: { cpu: number; thread: number }): void => {
    threadCpu += cpu;
    perThread.set(thread, (perThread.get(thread) ?? 0) + cpu);
  };
  // The next round begun already (its known facets grouped while the threads write the last ranges).
  let begun = false;
  try {
    while (traversal.processed < traversal.table.count) {
      const first = traversal.processed;
      const last = traversal.table.count;
      traversal.stats.rounds++;
      if (!begun) traversal.beginRound(first, last);
      begun = false;
      const n = last - first;
      const parts = Math.min(pool.size * RANGES_PER_THREAD, Math.floor(n / rangeMin));
      if (pool.size === 1 || parts < 2) {
        if (
          !traversal.merge(
            localRound(traversal, processor, local, first, last, () => budget.poll()),
            first,
            last,
            budget,
          )
        )
          break;
      } else {
        traversal.stats.sharedRounds++;
        const tasks: Promise<WholeRoundResult>[] = [];
        for (let part = 0; part < parts; part++) {
          const a = first + Math.floor((n * part) / parts);
          const b = first + Math.floor((n * (part + 1)) / parts);
          // Views of the round's shared buffers: nothing copied.
          const known = traversal.knownFor(a, b);
          const task: WholeRoundTask = {
            job,
            model,
            box,
            ...(options.polytope ? { polytope: options.polytope } : {}),
            ...(options.slice ? { slice: options.slice } : {}),
            processor: shared,
            words,
            patterns: traversal.table.patterns,
            slots: traversal.table.slots,
            count: traversal.table.count,
            centres: traversal.centres,
            roundFirst: first,
            first: a,
            last: b,
            ...known,
            buffers: slots[part] ?? null,
            deadline,
          };
          tasks.push(pool.run<WholeRoundResult>(self, "wholeRoundTask", task));
        }
        // Merge each range as it comes back, in order (the later ones are still being processed):
        // here its regions' numbers and places, on a thread its listings, centres and points.
        // A stop leaves the rest to finish (their results unused), as a failure does.
        const settled = Promise.allSettled(tasks);
        const writes: Promise<{ cpu: number; thread: number }>[] = [];
        let at = first;
        let going = true;
        try {
          for (let part = 0; part < tasks.length; part++) {
            const result = await tasks[part];
            const { message, buffers } = result;
            slots[part] = buffers;
            account(result);
            budget.poll();
            // Buffers about to be replaced: the ranges being written into them first; the
            // copies into the new ones, on the threads, in two parts each.
            if (!traversal.roomFor(message)) {
              await Promise.all(writes);
              for (const copy of traversal.growFor(message)) {
                for (let half = 0; half < 2; half++) writes.push(pool.run<{ cpu: number; thread: number }>(self, "wholeCopyTask", { copy, half } satisfies WholeCopyTask));
              }
            }
            const plan = traversal.mergeIds(message, at, last, budget);
            if (plan) writes.push(pool.run<{ cpu: number; thread: number }>(self, "wholeWriteTask", { message, plan, dest: traversal.destination() } satisfies WholeWriteTask));
            if (!plan || traversal.stopped) {
              going = false;
              break;
            }
            at += message.facetCounts.length;
          }
          // Every range is back (their buffers of known facets are free): the next round's
          // known facets are grouped here while the threads still write this round's listings.
          if (going && traversal.processed < traversal.table.count) {
            traversal.beginRound(traversal.processed, traversal.table.count);
            begun = true;
          }
        } finally {
          await settled;
          for (const written of await Promise.all(writes)) account(written);
        }
        if (!going) break;
      }
    }
  } catch (e) {
    traversal.stopped = e instanceof Error && e.message.includes(TIMEOUT) ? new LimitReached("timeout", `stopped after ${options.timeout} s`) : caughtLimit(e);
  }
  const result = traversal.result(processor);
  const part = assembleWhole(
    net,
    red,
    result,
    options,
    budget.cells - before,
    result.stopped ? undefined : await pairsOnThreads(pool, result, options.pairsMin ?? PAIRS_ON_THREADS_MIN),
  );
  // CPU seconds of this thread (start, small rounds, merges, assembly) and of the ranges' threads.
  part.stats.callerCpu = threadCpuSeconds() - cpuHere;
  part.stats.rangeCpu = threadCpu;
  // The busiest pool thread's share: with the calling thread's, what bounds the wall time.
  part.stats.busiestThreadCpu = Math.max(0, ...perThread.values());
  return part;
}

/** The merge's second phase of one range (engine.ts's writeRange), on a thread: what it writes is shared. */
interface WholeWriteTask {
  message: RoundMessage;
  plan: RangePlan;
  dest: RangeDestination;
}

/** Worker side: writeRange; returns the thread's CPU seconds for it. */
export function wholeWriteTask(task: WholeWriteTask): { cpu: number; thread: number } {
  const cpu0 = threadCpuSeconds();
  writeRange(task.message, task.plan, task.dest);
  return { cpu: threadCpuSeconds() - cpu0, thread: threadId };
}

/** Half of a growth's copy (engine.ts's growFor), on a thread: both buffers are shared. */
interface WholeCopyTask {
  copy: BufferCopy;
  half: number;
}

/** Worker side: copyInto; returns the thread's CPU seconds for it. */
export function wholeCopyTask(task: WholeCopyTask): { cpu: number; thread: number } {
  const cpu0 = threadCpuSeconds();
  copyInto(task.copy, task.half, 2);
  return { cpu: threadCpuSeconds() - cpu0, thread: threadId };
}

let cached: { job: string; processor: RegionProcessor; r: number; outputSize: number } | null = null;

/** Worker side: one range of a round, written into the slot's shared buffers (new ones if none or too small). */
export function wholeRoundTask(task: WholeRoundTask): WholeRoundResult {
  const cpu0 = threadCpuSeconds();
  if (cached?.job !== task.job) {
    const compiled = wholeNetwork(compiledOfRef(task.model), task);
    const red = reduce(compiled, task.box[0], task.box[1], task.polytope);
    cached = { job: task.job, processor: new RegionProcessor(compiled, red, task.processor), r: red.r, outputSize: compiled.outputSize };
  }
  const { processor } = cached;
  const out = new RoundOutput(task.words, cached.r, cached.outputSize, { shared: true, ...(task.buffers ? { buffers: task.buffers } : {}) });
  const table = PatternTable.view(task.words, task.patterns, task.slots, task.count);
  const deadline = task.deadline;
  // The clock read every 256 candidates (once per candidate cost a tenth of the range's time).
  let countdown = 0;
  const poll = () => {
    if (--countdown > 0) return;
    countdown = 256;
    if (Date.now() > deadline) throw new Error(TIMEOUT);
  };
  processor.processRange({ table, centres: task.centres }, task.roundFirst, task.first, task.last, task.knownStart, task.knownHp, task.knownFrom, out, poll);
  return { message: out.message(), buffers: out.buffers(), cpu: threadCpuSeconds() - cpu0, thread: threadId };
}

/** Listings below which the adjacency pairs are made on the calling thread (a task costs more). */
const PAIRS_ON_THREADS_MIN = 1 << 16;

/**
 * The adjacency pairs of the whole result (adjacency.ts's facetPairs), made by the pool's threads,
 * each from a run of regions: the calling thread alone took 0.65 CPU s of the 784-20-10's count
 * for them (ten million pairs, most of it the first writes to their pages), with the pool idle.
 * Undefined (facetPairs on the calling thread) for small results and in the rare cases where a
 * run's pairs cannot be placed from its counts alone: listings from a larger region that its
 * smaller one did not make, or a pair listed twice.
 */
async function pairsOnThreads(pool: TaskPool, result: TraverseResult, minimum: number): Promise<FacetPairs | undefined> {
  const cellCount = result.table.count;
  const { facetStart, facetNeighbour, facetSame } = result;
  if (pool.size < 2 || facetNeighbour.length < minimum) return undefined;
  const parts = pool.size;
  const bounds = Array.from({ length: parts + 1 }, (_, k) => Math.floor((cellCount * k) / parts));
  const runs = bounds.slice(0, parts).map((a0, k) => ({ a0, a1: bounds[k + 1] }));
  const counts = await Promise.all(
    runs.map(({ a0, a1 }) => pool.run<PairCounts>(self, "wholePairCountTask", { facetStart, facetNeighbour, facetSame, a0, a1 } satisfies WholePairsTask)),
  );
  if (counts.some((c) => c.extra > 0)) return undefined;
  const own = counts.reduce((sum, c) => sum + c.own, 0);
  const adjacency = new Uint32Array(new SharedArrayBuffer(8 * own));
  const same = new Uint8Array(new SharedArrayBuffer(own));
  let at = 0;
  const written = await Promise.all(
    runs.map(({ a0, a1 }, k) => {
      const task: WholePairsTask = { facetStart, facetNeighbour, facetSame, a0, a1, maxDegree: counts[k].maxDegree, adjacency, same, at };
      at += counts[k].own;
      return pool.run<number>(self, "wholePairsTask", task);
    }),
  );
  // A pair listed twice leaves a gap in its run: made on the calling thread instead.
  let end = 0;
  for (let k = 0; k < parts; k++) {
    end += counts[k].own;
    if (written[k] !== end) return undefined;
  }
  return { adjacency, same };
}

type PairCounts = ReturnType<typeof listingCounts>;

/** A run of regions a0..a1-1 of the result's facet lists; with the output and its place for the pairs. */
interface WholePairsTask {
  facetStart: Uint32Array;
  facetNeighbour: Int32Array;
  facetSame: Uint8Array;
  a0: number;
  a1: number;
  maxDegree?: number;
  adjacency?: Uint32Array;
  same?: Uint8Array;
  at?: number;
}

/** Worker side: the run's listings toward larger regions (adjacency.ts's listingCounts). */
export function wholePairCountTask(task: WholePairsTask): PairCounts {
  return listingCounts(task.facetStart, task.facetNeighbour, task.facetSame, task.a0, task.a1);
}

/** Worker side: the run's pairs at their place (adjacency.ts's pairsOfRegions); returns the pair after its last. */
export function wholePairsTask(task: WholePairsTask): number {
  const lists = {
    facetStart: task.facetStart,
    facetNeighbour: task.facetNeighbour,
    facetSame: task.facetSame,
    extraStart: new Uint32Array(1),
    extraOther: new Uint32Array(0),
    extraSame: new Uint8Array(0),
    maxDegree: task.maxDegree ?? 0,
  };
  return pairsOfRegions(lists, task.a0, task.a1, task.adjacency as Uint32Array, task.same as Uint8Array, task.at ?? 0);
}
