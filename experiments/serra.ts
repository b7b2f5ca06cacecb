/**
 * Serra, Tjandraatmadja and Ramalingam (ICML 2018), the counting experiment, reproduced at a
 * smaller width: networks 784-n1-n2-10 with n1 + n2 fixed, trained on the 10,000 MNIST digits
 * tessera ships, the exact number of activation regions in [0, 1]^784 (the whole-domain engine)
 * at initialisation and after training, beside Serra et al.'s upper bound and Montufar et al.'s
 * 2017 bound. Serra et al. use n1 + n2 = 22 and count with a mixed-integer program; here the
 * total is 10 by default (`TESSERA_SERRA_TOTAL` to change it). At 22 the counts grow with n1 to
 * millions of regions; `TESSERA_SERRA_N1=A-B` counts only n1 = A..B, and `TESSERA_SERRA_TIMEOUT`
 * (wall seconds per count, default 1800) stops a count early: then it is a lower bound, marked
 * incomplete (docs/experiments.md says what was reached). `TESSERA_SERRA_UNTIL` (an ISO time) also
 * stops every count at that moment, for long counts on a shared machine where wall time says
 * little about how far a count will get. Rows are merged into the existing results file (a row
 * of the same n1 is replaced, the rest kept, sorted by n1) and saved after each n1, so counting
 * one n1 at a time builds the table instead of overwriting it.
 *
 *   npm run experiments -- serra --update-docs          (or --quick: total 8, one epoch)
 *   TESSERA_SERRA_TOTAL=22 TESSERA_SERRA_N1=1-6 npm run experiments -- serra --update-docs
 */
import { architectureOf } from "../src/bounds/architecture.ts";
import { montufar2017Upper } from "../src/bounds/montufar2017.ts";
import { serra2018Upper } from "../src/bounds/serra2018.ts";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import { wholePartition } from "../src/regions/whole.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { loadResults, log, type Options, saveChart, saveResults, since } from "./lib.ts";

interface Row {
  n1: number;
  n2: number;
  /** null: not counted (the trained count used up the time limit). */
  initRegions: number | null;
  initSeconds: number | null;
  /** CPU seconds of the counts (the process's; the machine is shared, wall seconds are noisy). */
  initCpu?: number | null;
  trainedCpu?: number;
  /** Both counts finished (false: stopped at the time limit, lower bounds). */
  complete?: boolean;
  /** Each count finished (absent in rows made before: then `complete` says it for both). */
  initComplete?: boolean;
  trainedComplete?: boolean;
  trainedRegions: number;
  trainedPieces: number;
  trainedSeconds: number;
  accuracy: number;
  serra2018: number;
  montufar2017: number;
  uncertain: number;
}

/** Wall seconds a count may take: the per-count limit, cut at `TESSERA_SERRA_UNTIL` if set. */
function timeLimit(perCount: number): number {
  const until = process.env.TESSERA_SERRA_UNTIL;
  if (!until) return perCount;
  const end = Date.parse(until);
  if (Number.isNaN(end)) throw new Error(`TESSERA_SERRA_UNTIL: expected an ISO time, got ${until}`);
  return Math.max(0, Math.min(perCount, (end - Date.now()) / 1000));
}

function count(net: Network, label: string, timeout: number): { regions: number; pieces: number; seconds: number; cpu: number; uncertain: number; complete: boolean } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  // A progress line a minute: counts at n1 >= 9 run for tens of CPU minutes at nice 19.
  const onProgress = ({ cells, seconds }: { cells: number; seconds: number }): void => {
    const c = process.cpuUsage(c0);
    log(`serra: ${label} ${cells} regions so far, ${seconds.toFixed(0)} s, ${((c.user + c.system) / 1e6).toFixed(0)} CPU s`);
  };
  const part = wholePartition(prepare(net), { box: [0, 1], points: false, timeout: timeLimit(timeout), onProgress, progressEvery: 60 });
  const c = process.cpuUsage(c0);
  return {
    regions: part.activationRegions,
    pieces: part.linearPieces,
    seconds: (performance.now() - t0) / 1000,
    cpu: (c.user + c.system) / 1e6,
    uncertain: part.uncertain,
    complete: part.stopped === undefined,
  };
}

/** n1 = A..B from `TESSERA_SERRA_N1` ("A-B" or "A"), default 1..total-1. */
function firstWidths(total: number): [number, number] {
  const spec = process.env.TESSERA_SERRA_N1;
  if (!spec) return [1, total - 1];
  const [a, b] = spec.split("-").map(Number);
  const hi = Math.min(total - 1, b ?? a);
  if (!(Number.isInteger(a) && Number.isInteger(hi) && a >= 1 && a <= hi)) throw new Error(`TESSERA_SERRA_N1: expected A-B with 1 <= A <= B < ${total}, got ${spec}`);
  return [a, hi];
}

export async function run(options: Options): Promise<Row[]> {
  const quick = options.quick;
  const total = Number(process.env.TESSERA_SERRA_TOTAL ?? (quick ? 8 : 10));
  const epochs = quick ? 1 : 5;
  const timeout = Number(process.env.TESSERA_SERRA_TIMEOUT ?? 1800);
  const data = await mnist({ count: 10000, seed: 1 });
  const name = `serra-${total}`;
  const rows = earlierRows(name, total, epochs);
  const [fromN1, toN1] = firstWidths(total);
  for (let n1 = fromN1; n1 <= toN1; n1++) {
    const n2 = total - n1;
    // The trained network first: it is the quantity Serra et al. count, so when a time limit stops
    // the run, what is left undone is the count at initialisation. The same seed rebuilds the
    // network at initialisation afterwards (counting does not change a network).
    const net = mlp([784, n1, n2, 10], { init: "he", seed: n1 });
    const arch = architectureOf(net);
    const t0 = performance.now();
    const trainer = createTrainer(net, data, { seed: n1 });
    for (let e = 0; e < epochs; e++) trainer.runEpoch();
    const accuracy = trainer.evaluate().accuracy ?? Number.NaN;
    const trainSeconds = since(t0);
    const trained = count(net, `${n1}-${n2} trained`, timeout);
    const init = trained.complete ? count(mlp([784, n1, n2, 10], { init: "he", seed: n1 }), `${n1}-${n2} init`, timeout) : null;
    const complete = trained.complete && init?.complete === true;
    if (!complete)
      log(`serra: ${n1}-${n2} stopped at the time limit (${init ? "the count at init is a lower bound" : "the trained count is a lower bound, the count at init not run"})`);
    const row: Row = {
      n1,
      n2,
      initRegions: init?.regions ?? null,
      initSeconds: init ? Number(init.seconds.toFixed(2)) : null,
      initCpu: init ? Number(init.cpu.toFixed(2)) : null,
      trainedCpu: Number(trained.cpu.toFixed(2)),
      complete,
      initComplete: init?.complete ?? false,
      trainedComplete: trained.complete,
      trainedRegions: trained.regions,
      trainedPieces: trained.pieces,
      trainedSeconds: Number(trained.seconds.toFixed(2)),
      accuracy: Number(accuracy.toFixed(4)),
      serra2018: Number(serra2018Upper(arch).value),
      montufar2017: Number(montufar2017Upper(arch).value),
      uncertain: trained.uncertain + (init?.uncertain ?? 0),
    };
    mergeRow(rows, row);
    saveResults(name, { total, epochs, rows });
    log(
      `serra: 784-${n1}-${n2}-10 trained ${trained.regions} (${row.trainedSeconds} s, ${row.trainedCpu} CPU s), init ${init?.regions ?? "not counted"} (${row.initSeconds} s, ${row.initCpu} CPU s), accuracy ${row.accuracy}, train ${trainSeconds} s`,
    );
  }
  await chart(rows, total);
  return rows;
}

/**
 * The rows already in the results file this run writes (the docs' with --update-docs), when it
 * was made with the same total and epochs: a run of a few n1 adds to them instead of erasing them.
 */
function earlierRows(name: string, total: number, epochs: number): Row[] {
  const saved = loadResults(name) as { total: number; epochs: number; rows: Row[] } | null;
  if (saved === null) return [];
  if (saved.total !== total || saved.epochs !== epochs) {
    log(`serra: ${name}.json has total ${saved.total}, ${saved.epochs} epochs; starting a new table`);
    return [];
  }
  return saved.rows;
}

/** Put `row` in place of the row of the same n1 (or add it), keeping the rows sorted by n1. */
function mergeRow(rows: Row[], row: Row): void {
  const at = rows.findIndex((r) => r.n1 === row.n1);
  if (at >= 0) rows[at] = row;
  else rows.push(row);
  rows.sort((a, b) => a.n1 - b.n1);
}

/** The counts beside the bounds, log scale (docs/img/experiments/serra-TOTAL.png). */
export async function chart(rows: readonly Row[], total: number): Promise<void> {
  // A count stopped at the time limit is drawn as a lower bound, never on the exact lines.
  const done = (r: Row, which: "init" | "trained"): boolean => (which === "init" ? r.initComplete : r.trainedComplete) ?? r.complete !== false;
  const series = rows.flatMap((r) => [
    ...(r.initRegions === null ? [] : [{ n1: r.n1, value: r.initRegions, series: done(r, "init") ? "exact, at init" : "lower bound (count stopped), at init" }]),
    { n1: r.n1, value: r.trainedRegions, series: done(r, "trained") ? "exact, trained" : "lower bound (count stopped), trained" },
    { n1: r.n1, value: r.serra2018, series: "bound: Serra 2018" },
    { n1: r.n1, value: r.montufar2017, series: "bound: Montufar 2017" },
  ]);
  await saveChart(`serra-${total}`, {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: 480,
    height: 300,
    title: `Regions of 784-n1-n2-10 networks in [0,1]^784, n1 + n2 = ${total}`,
    data: { values: series },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "n1", type: "quantitative", title: "n1 (first hidden layer)", axis: { tickMinStep: 1 } },
      y: { field: "value", type: "quantitative", scale: { type: "log" }, title: "linear regions" },
      color: { field: "series", type: "nominal", title: null, legend: { labelLimit: 200 } },
    },
  });
}
