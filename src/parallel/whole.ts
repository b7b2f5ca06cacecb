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
import type { Compiled } from "../model/forward.ts";
import { caughtLimit, LimitReached } from "../regions/limits.ts";
import type { WholePartition } from "../regions/partition.ts";
import { localRound, processorOptions, RANGE_MIN, Traversal } from "../regions/whole/engine.ts";
import { PatternTable } from "../regions/whole/pattern-table.ts";
import { type ProcessorOptions, RegionProcessor } from "../regions/whole/processor.ts";
import { type InputPolytope, reduce } from "../regions/whole/reduce.ts";
import { type RoundMessage, RoundOutput } from "../regions/whole/round-output.ts";
import type { AffineSlice } from "../regions/whole/slice.ts";
import { assembleWhole, traverseOptions, type WholeOptions, wholeBox, wholeNetwork } from "../regions/whole.ts";
import { compiledOfRef, type ModelRef, modelRef } from "./model-ref.ts";
import { moduleUrl } from "./module-url.ts";
import type { TaskPool } from "./pool.ts";
import { buffersOf, movable, threadCpuSeconds } from "./worker.ts";

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
  /** Date.now() after which the range stops (the count's --timeout; Infinity: none). */
  deadline: number;
}

/** A range's result: its message, and the CPU seconds of the thread that processed it. */
interface WholeRoundResult {
  message: RoundMessage;
  cpu: number;
}

/** Ranges per thread in a shared round: the merge of one overlaps the processing of the next. */
const RANGES_PER_THREAD = 8;

/** What a range that passed its deadline throws (an error's class does not cross threads). */
const TIMEOUT = "tessera: whole-domain range past its deadline";

const self = moduleUrl("parallel/whole");
let jobs = 0;

/** `wholePartition(compiled, options)` with each round's regions processed on the pool's threads. */
export async function wholePartitionParallel(pool: TaskPool, compiled: Compiled, options: WholeOptions & { rangeMin?: number } = {}): Promise<WholePartition> {
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
  let threadCpu = 0;
  try {
    while (traversal.processed < traversal.table.count) {
      const first = traversal.processed;
      const last = traversal.table.count;
      traversal.stats.rounds++;
      traversal.beginRound(first, last);
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
          // The range's known facets copied out: a view would send its whole round's buffer.
          const view = traversal.knownFor(a, b);
          const known = { knownStart: view.knownStart, knownHp: view.knownHp.slice(), knownFrom: view.knownFrom.slice() };
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
            deadline,
          };
          tasks.push(pool.run<WholeRoundResult>(self, "wholeRoundTask", task));
        }
        // Merge each range as it comes back, in order (the later ones are still being processed).
        // A stop leaves the rest to finish (their results unused), as a failure does.
        const settled = Promise.allSettled(tasks);
        let at = first;
        let going = true;
        try {
          for (const task of tasks) {
            const { message, cpu } = await task;
            threadCpu += cpu;
            budget.poll();
            if (!traversal.merge(message, at, last, budget)) {
              going = false;
              break;
            }
            at += message.facetCounts.length;
          }
        } finally {
          await settled;
        }
        if (!going) break;
      }
    }
  } catch (e) {
    traversal.stopped = e instanceof Error && e.message.includes(TIMEOUT) ? new LimitReached("timeout", `stopped after ${options.timeout} s`) : caughtLimit(e);
  }
  const part = assembleWhole(net, red, traversal.result(processor), options, budget.cells - before);
  // CPU seconds of this thread (start, small rounds, merges, assembly) and of the ranges' threads.
  part.stats.callerCpu = threadCpuSeconds() - cpuHere;
  part.stats.rangeCpu = threadCpu;
  return part;
}

let cached: { job: string; processor: RegionProcessor; out: RoundOutput } | null = null;

/**
 * Worker side: one range of a round. The thread's RoundOutput serves range after range (its
 * buffers stay); the message goes back as exact-size copies, moved without a second copy.
 */
export function wholeRoundTask(task: WholeRoundTask): WholeRoundResult {
  const cpu0 = threadCpuSeconds();
  if (cached?.job !== task.job) {
    const compiled = wholeNetwork(compiledOfRef(task.model), task);
    const red = reduce(compiled, task.box[0], task.box[1], task.polytope);
    cached = { job: task.job, processor: new RegionProcessor(compiled, red, task.processor), out: new RoundOutput(task.words, red.r, compiled.outputSize) };
  }
  const { processor, out } = cached;
  const table = PatternTable.view(task.words, task.patterns, task.slots, task.count);
  const deadline = task.deadline;
  out.reset();
  processor.processRange({ table, centres: task.centres }, task.roundFirst, task.first, task.last, task.knownStart, task.knownHp, task.knownFrom, out, () => {
    if (Date.now() > deadline) throw new Error(TIMEOUT);
  });
  const message = copied(out.message());
  return movable({ message, cpu: threadCpuSeconds() - cpu0 }, buffersOf(message));
}

/** The message with every array copied to its own buffer (views of the reused ones otherwise). */
function copied(message: RoundMessage): RoundMessage {
  const out = { ...message };
  for (const key of Object.keys(out) as (keyof RoundMessage)[]) (out[key] as unknown) = message[key].slice();
  return out;
}
