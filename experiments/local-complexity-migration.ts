/**
 * Region migration (Humayun, Balestriero & Baraniuk 2024): in the late phase of training the
 * linear regions are said to leave the training points and gather at the decision boundary.
 * Measured from the checkpoints of the small runs (lc-runs.ts; nothing is trained), at
 * log-spaced steps, with the exact engines:
 * - the local complexity (metrics/local-complexity.ts: regions in the square of the runs' radius)
 *   around training digits, held-out digits, and points on the decision boundary;
 * - the density of region boundaries along the segment between two training digits, as a
 *   function of the position between a digit (0) and the boundary crossing (1).
 *
 * How the points are chosen (once per run, the same at every checkpoint, so the changes are
 * paired): PAIRS training digits a, each with a partner b drawn among the training digits of
 * another label; HELD_OUT held-out digits. At a checkpoint, a pair gives a boundary point when
 * the network classifies a and b differently (all pairs once the training set is fitted): the
 * first point from a towards b where a's class stops being on top (decision-boundary.ts: the
 * exact line partition brackets it, bisection on the network's output places it to adjacent
 * floats). Every point has its own random square (two orthonormal directions, seeded).
 *
 * `npm run experiments -- local-complexity-migration` (reads experiments/output/runs/lc-small-*);
 * with LC_SETTING=paper-w200d4 the paper-setting run instead (lc-runs.ts), into its own results
 * and charts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { loadModel } from "../src/io/files.ts";
import { localRegions, randomFrame } from "../src/metrics/local-complexity.ts";
import { type Compiled, forward, prepare } from "../src/model/forward.ts";
import { createRandom } from "../src/model/random.ts";
import { linePartition } from "../src/regions/line.ts";
import { row } from "../src/train/data/dataset.ts";
import { permutation } from "../src/train/data/toy2d.ts";
import { firstCrossing, topClass } from "./decision-boundary.ts";
import { lcRuns, PAPER_SETTING } from "./lc-runs.ts";
import { loadResults, log, meanSe, type Options, regionsBandBySetting, saveChart, saveResults, since } from "./lib.ts";

const PAIRS = 300;
const HELD_OUT = 300;
/** Position bins between a digit (0) and the boundary crossing (1) for the density profile. */
const BINS = 10;
/** Log-spaced epochs (20 steps each): steps 20, 100, 440, 1,360, 3,560, 7,660, 13,620, 24,240, 43,080, 63,240, 76,620. */
const EPOCHS = [1, 5, 22, 68, 178, 383, 681, 1212, 2154, 3162, 3831];
const QUICK_EPOCHS = [5, 178, 3162];
/**
 * The paper-setting run (5 steps per epoch), about 3 per decade of its tracked epochs: steps 5, 35,
 * 110, 500, 1,580, 5,000, 10,770, 15,810, 23,210, then whatever later checkpoints exist (the run
 * is resumable and grows), and its last checkpoint.
 */
const PAPER_EPOCHS = [1, 7, 22, 100, 316, 1000, 2154, 3162, 4642, 6813, 10000, 14678, 20000];
const PAPER_QUICK_EPOCHS = [7, 2154];
/** The paper-setting net has 800 units and about 20 regions per square: fewer points keep it to minutes. */
const PAPER_POINTS = 100;

interface Plan {
  a: number[];
  b: number[];
  frameDigit: Float64Array[];
  frameBoundary: Float64Array[];
  held: number[];
  frameHeld: Float64Array[];
}

/** The pairs, held-out digits and squares of one run (seeded by the run's seed). */
function plan(labels: Int32Array, cut: number, holdout: number, inputSize: number, pairs: number, heldOut: number, seed: number): Plan {
  const rng = createRandom(9100 + seed);
  const a = Array.from(permutation(cut, rng).slice(0, pairs));
  const b = a.map((i) => {
    for (;;) {
      const j = Math.min(cut - 1, Math.floor(rng.uniform(0, cut)));
      if (labels[j] !== labels[i]) return j;
    }
  });
  const held = Array.from(permutation(holdout, rng).slice(0, heldOut)).map((i) => cut + i);
  return {
    a,
    b,
    frameDigit: a.map(() => randomFrame(inputSize, 2, rng)),
    frameBoundary: a.map(() => randomFrame(inputSize, 2, rng)),
    held,
    frameHeld: held.map(() => randomFrame(inputSize, 2, rng)),
  };
}

interface PairResult {
  /** Local complexity around the boundary point, null when a and b are classified alike. */
  boundary: number | null;
  t: number | null;
  gap: number | null;
  /** Region boundaries per unit length in each position bin (digit to crossing). */
  density: number[] | null;
  /** Changes of the predicted class between consecutive piece ends (at least the crossings). */
  classChanges: number;
  uncertain: number;
}

function measurePair(compiled: Compiled, xa: Float64Array, xb: Float64Array, frame: Float64Array, radius: number): PairResult {
  const n0 = compiled.inputSize;
  const path = new Float64Array(2 * n0);
  path.set(xa, 0);
  path.set(xb, n0);
  const line = linePartition(compiled, path);
  const ends = Array.from(line.tEnd).sort((p, q) => p - q);
  const x = new Float64Array(n0);
  let classChanges = 0;
  let previous = topClass(forward(compiled, xa).output);
  for (const t of ends) {
    for (let i = 0; i < n0; i++) x[i] = xa[i] + t * (xb[i] - xa[i]);
    const c = topClass(forward(compiled, x).output);
    if (c !== previous) classChanges++;
    previous = c;
  }
  const uncertain = line.uncertain ?? 0;
  const crossing = firstCrossing(compiled, xa, xb, line);
  if (!crossing) return { boundary: null, t: null, gap: null, density: null, classChanges, uncertain };
  let length = 0;
  for (let i = 0; i < n0; i++) length += (xb[i] - xa[i]) ** 2;
  length = Math.sqrt(length);
  // Each bin holds a 1/BINS share of both halves: t* L / BINS on a's side plus (1 - t*) L / BINS on b's.
  const counts = new Array<number>(BINS).fill(0);
  const ts = crossing.t;
  for (const t of ends) {
    if (t >= 1) continue; // the segment's end, not a region boundary
    const p = t < ts ? t / ts : (1 - t) / (1 - ts);
    counts[Math.min(BINS - 1, Math.floor(p * BINS))]++;
  }
  return {
    boundary: localRegions(compiled, crossing.point, frame, radius),
    t: ts,
    gap: crossing.gap,
    density: counts.map((c) => c / (length / BINS)),
    classChanges,
    uncertain,
  };
}

const stat = (values: number[]): { mean: number; se: number; n: number } => meanSe(values);

export async function run(options: Options): Promise<unknown> {
  const paper = process.env.LC_SETTING === PAPER_SETTING.name;
  const name = paper ? `local-complexity-migration-${PAPER_SETTING.name}` : "local-complexity-migration";
  // LC_REPORT_ONLY=1 --update-docs: redraw the charts from the committed results (nothing counted).
  if (process.env.LC_REPORT_ONLY === "1") {
    const saved = JSON.parse(readFileSync(new URL(`./results/${name}.json`, import.meta.url), "utf8"));
    await charts(saved.summary, saved.rows, paper);
    return saved;
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pairs = options.quick ? 10 : paper ? PAPER_POINTS : PAIRS;
  const heldOut = options.quick ? 10 : paper ? PAPER_POINTS : HELD_OUT;
  const rows: Record<string, unknown>[] = [];
  // LC_REUSE=1: keep the rows of the previous results (same points) and measure only the checkpoints
  // they lack, for a run that is still growing. The points are drawn from the run's seed alone, so a
  // kept row is the row a new measurement would give.
  const previous = process.env.LC_REUSE === "1" ? (loadResults(name) as { pairs: number; heldOut: number; rows: Record<string, unknown>[] } | null) : null;
  const kept = new Map(previous && previous.pairs === pairs && previous.heldOut === heldOut ? previous.rows.map((r) => [`${r.settingName}|${r.seed}|${r.epoch}`, r] as const) : []);
  for await (const { setting, seed, dir, config, data, cut, holdout, stepsPerEpoch } of lcRuns(paper ? 1 : 10, paper ? [PAPER_SETTING] : undefined)) {
    const radius = config.track.localRadius ?? 0.1;
    const p = plan(data.labels as Int32Array, cut, holdout, data.inputSize, pairs, heldOut, seed);
    const available = new Set(
      readdirSync(`${dir}/checkpoints`)
        .map((f) => Number(/epoch-(\d+)\.json/.exec(f)?.[1]))
        .filter(Number.isFinite),
    );
    const wanted = paper ? (options.quick ? PAPER_QUICK_EPOCHS : [...PAPER_EPOCHS, Math.max(...available)]) : options.quick ? QUICK_EPOCHS : EPOCHS;
    for (const epoch of [...new Set(wanted)].filter((e) => available.has(e)).sort((a, b) => a - b)) {
      const old = kept.get(`${setting.name}|${seed}|${epoch}`);
      if (old) {
        rows.push(old);
        continue;
      }
      const compiled = prepare(loadModel(`${dir}/checkpoints/epoch-${String(epoch).padStart(4, "0")}.json`));
      const digit = p.a.map((r, i) => localRegions(compiled, row(data, r), p.frameDigit[i], radius));
      const held = p.held.map((r, i) => localRegions(compiled, row(data, r), p.frameHeld[i], radius));
      const results = p.a.map((r, i) => measurePair(compiled, row(data, r), row(data, p.b[i]), p.frameBoundary[i], radius));
      const crossed = results.map((res, i) => ({ res, i })).filter(({ res }) => res.boundary !== null);
      const boundary = crossed.map(({ res }) => res.boundary as number);
      // Paired: the boundary point's square against the square around the pair's own digit a.
      const pairedDiff = crossed.map(({ res, i }) => (res.boundary as number) - digit[i]);
      const density = Array.from({ length: BINS }, (_, k) => stat(crossed.map(({ res }) => (res.density as number[])[k])));
      const record = {
        setting: setting.label,
        settingName: setting.name,
        seed,
        epoch,
        step: epoch * stepsPerEpoch,
        radius,
        lcTrain: stat(digit),
        lcHeldOut: stat(held),
        lcBoundary: stat(boundary),
        boundaryMinusDigit: stat(pairedDiff),
        pairsCrossed: crossed.length,
        pairs: p.a.length,
        crossingT: stat(crossed.map(({ res }) => res.t as number)),
        maxGap: Math.max(0, ...crossed.map(({ res }) => Math.abs(res.gap as number))),
        classChanges: stat(results.map((res) => res.classChanges)),
        density,
        uncertain: results.reduce((s, res) => s + res.uncertain, 0),
      };
      rows.push(record);
      const f = (s: { mean: number; se: number }): string => `${s.mean.toFixed(2)} ± ${s.se.toFixed(2)}`;
      log(
        `local-complexity-migration ${setting.name} seed ${seed}: step ${record.step}, LC train ${f(record.lcTrain)}, held-out ${f(record.lcHeldOut)}, boundary ${f(record.lcBoundary)} (${crossed.length}/${p.a.length} pairs), density digit ${f(density[0])} .. boundary ${f(density[BINS - 1])} per unit length (${since(t0)} s)`,
      );
    }
  }
  if (rows.length === 0) {
    log(
      `local-complexity-migration: no run directory of the ${paper ? "paper" : "small"} settings (LC_SETTING=${paper ? PAPER_SETTING.name : "small-wd0.1"} npm run experiments -- local-complexity)`,
    );
    return { rows };
  }
  const summary = summarise(rows);
  await charts(summary, rows, paper);
  const cpu = process.cpuUsage(cpu0);
  // seconds and cpuSeconds are this invocation's; reusedRows were measured by an earlier one (LC_REUSE).
  const reusedRows = rows.filter((r) => kept.get(`${r.settingName}|${r.seed}|${r.epoch}`) === r).length;
  const results = { seconds: Number(since(t0)), cpuSeconds: (cpu.user + cpu.system) / 1e6, ...(previous ? { reusedRows } : {}), pairs, heldOut, bins: BINS, summary, rows };
  saveResults(name, results);
  return results;
}

type Stat = { mean: number; se: number; n: number };

/** Per setting and step: the mean over seeds of the per-run means, with the s.e. over seeds (seeds > 1). */
function summarise(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const keys = [...new Set(rows.map((r) => `${r.setting}|${r.step}`))];
  return keys.map((key) => {
    const group = rows.filter((r) => `${r.setting}|${r.step}` === key);
    const over = (field: string): Stat => meanSe(group.map((r) => (r[field] as Stat).mean));
    return {
      setting: group[0].setting,
      step: group[0].step,
      seeds: group.length,
      lcTrain: over("lcTrain"),
      lcHeldOut: over("lcHeldOut"),
      lcBoundary: over("lcBoundary"),
      boundaryMinusDigit: over("boundaryMinusDigit"),
      density: Array.from({ length: BINS }, (_, k) => meanSe(group.map((r) => (r.density as Stat[])[k].mean))),
    };
  });
}

async function charts(summary: Record<string, unknown>[], rows: Record<string, unknown>[], paper: boolean): Promise<void> {
  const suffix = paper ? `-${PAPER_SETTING.name}` : "";
  const radius = (rows[0]?.radius as number | undefined) ?? 0.5;
  const kinds = [
    ["lcTrain", "training digits"],
    ["lcHeldOut", "held-out digits"],
    ["lcBoundary", "decision boundary"],
  ] as const;
  // Error bars: s.e. over seeds where there are several, else over the points of the one run.
  const long = summary.flatMap((s) =>
    kinds.map(([field, where]) => {
      const v = s[field] as Stat;
      const se = (s.seeds as number) > 1 ? v.se : ((rows.find((r) => r.setting === s.setting && r.step === s.step) as Record<string, unknown>)[field] as Stat).se;
      return { setting: s.setting, step: s.step, where, value: v.mean, low: v.mean - se, high: v.mean + se };
    }),
  );
  await saveChart(
    `lc-migration${suffix}`,
    regionsBandBySetting(`Exact regions in the square (r = ${radius}) around training digits, held-out digits and decision-boundary points (mean ± s.e.)`, long, false),
  );
  // The profile at a few steps: early (after the first descent), before the decay acts, late, last.
  // The last step every seed reached (63,240 with weight decay: seed 0 alone went on to 76,620).
  const lastCommon = (setting: unknown): number =>
    Math.max(
      ...summary
        .filter((s) => s.setting === setting && s.seeds === Math.max(...summary.filter((t) => t.setting === setting).map((t) => t.seeds as number)))
        .map((s) => s.step as number),
    );
  const shownSteps = paper ? [35, 500, 10770] : [100, 3560, 24240];
  const shown = (s: Record<string, unknown>): boolean => [...shownSteps, lastCommon(s.setting)].includes(s.step as number);
  const profile = summary
    .filter(shown)
    .flatMap((s) => (s.density as Stat[]).map((d, k) => ({ setting: s.setting, step: `step ${s.step}`, order: s.step, position: (k + 0.5) / BINS, value: d.mean })));
  await saveChart(`lc-migration-profile${suffix}`, {
    title: "Region boundaries per unit length along segments between training digits of different classes, from the digit (0) to the decision boundary (1)",
    data: { values: profile },
    facet: { column: { field: "setting", type: "nominal", title: null } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "position", type: "quantitative", title: "position: digit (0) to boundary crossing (1)" },
        y: { field: "value", type: "quantitative", title: "region boundaries per unit length" },
        color: { field: "step", type: "nominal", title: null, sort: { field: "order" } },
      },
    },
  } as never);
}
