/**
 * The whole-domain engine on every core: each round of the traversal (regions/whole/engine.ts)
 * is split into contiguous ranges of regions, processed on the pool's threads against the regions
 * found before the round (read from SharedArrayBuffers, never copied), and merged in region
 * order on this thread, so the partition is the one `wholePartition` makes on one thread, array
 * for array, whatever the number of threads. Small rounds (the first few) run here.
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
import { buffersOf, movable } from "./worker.ts";

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

/** What a range that passed its deadline throws (an error's class does not cross threads). */
const TIMEOUT = "tessera: whole-domain range past its deadline";

const self = moduleUrl("parallel/whole");
let jobs = 0;

/** `wholePartition(compiled, options)` with each round's regions processed on the pool's threads. */
export async function wholePartitionParallel(pool: TaskPool, compiled: Compiled, options: WholeOptions & { rangeMin?: number } = {}): Promise<WholePartition> {
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
  try {
    while (traversal.processed < traversal.table.count) {
      const first = traversal.processed;
      const last = traversal.table.count;
      traversal.stats.rounds++;
      const n = last - first;
      const parts = Math.min(pool.size, Math.floor(n / rangeMin));
      const messages: RoundMessage[] = [];
      if (pool.size === 1 || parts < 2) {
        messages.push(localRound(traversal, processor, local, first, last, () => budget.poll()));
      } else {
        traversal.stats.sharedRounds++;
        const tasks: Promise<RoundMessage>[] = [];
        for (let part = 0; part < parts; part++) {
          const a = first + Math.floor((n * part) / parts);
          const b = first + Math.floor((n * (part + 1)) / parts);
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
            deadline,
          };
          tasks.push(pool.run<RoundMessage>(self, "wholeRoundTask", task));
        }
        messages.push(...(await Promise.all(tasks)));
        budget.poll();
      }
      let at = first;
      let going = true;
      for (const message of messages) {
        if (!traversal.merge(message, at, last, budget)) {
          going = false;
          break;
        }
        at += message.facetCounts.length;
      }
      if (!going) break;
    }
  } catch (e) {
    traversal.stopped = e instanceof Error && e.message.includes(TIMEOUT) ? new LimitReached("timeout", `stopped after ${options.timeout} s`) : caughtLimit(e);
  }
  return assembleWhole(net, red, traversal.result(processor), options, budget.cells - before);
}

let cached: { job: string; processor: RegionProcessor } | null = null;

/** Worker side: one range of a round, its arrays moved back without a copy. */
export function wholeRoundTask(task: WholeRoundTask): RoundMessage {
  if (cached?.job !== task.job) {
    const compiled = wholeNetwork(compiledOfRef(task.model), task);
    const red = reduce(compiled, task.box[0], task.box[1], task.polytope);
    cached = { job: task.job, processor: new RegionProcessor(compiled, red, task.processor) };
  }
  const processor = cached.processor;
  const compiled = processor.compiled;
  const table = PatternTable.view(task.words, task.patterns, task.slots, task.count);
  const out = new RoundOutput(task.words, processor.r, compiled.outputSize);
  const deadline = task.deadline;
  processor.processRange({ table, centres: task.centres }, task.roundFirst, task.first, task.last, task.knownStart, task.knownHp, task.knownFrom, out, () => {
    if (Date.now() > deadline) throw new Error(TIMEOUT);
  });
  const message = out.message();
  return movable(message, buffersOf(message));
}
