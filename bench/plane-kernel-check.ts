/**
 * The WebAssembly kernel's partition against plane.ts's, to the bit, on deep networks where the
 * kernel needs per-unit and adjoint bounds (plane-cut.as): relu, leaky relu, hard tanh and abs
 * networks of widths 5 to 16 and depths 12 to 48 (hard tanh and abs 12 to 16), He and uniform inits, over boxes and
 * parallelograms; per case whether the kernel made the cells and how many adjoint bounds it made
 * (those of plane.ts's log it made, in order, must be the same doubles). Not part of npm test.
 *
 *   npx tsx bench/plane-kernel-check.ts [SEEDS]     (default 2)
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import { Budget } from "../src/regions/limits.ts";
import type { PlanePartition } from "../src/regions/partition.ts";
import { boxSlice, type PlaneSlice, parallelogramSlice, planePartition } from "../src/regions/plane.ts";
import { kernelRuns } from "../src/regions/plane-cut.ts";

const seeds = Number(process.argv[2] ?? 2);
const flat = (p: PlanePartition): string => JSON.stringify(p, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)) : x));

const activations: [string, object | undefined][] = [
  ["relu", undefined],
  ["leaky", { type: "leaky-relu", slope: 0.1 }],
  ["hardtanh", { type: "hard-tanh", lo: -1, hi: 1 }],
  ["abs", { type: "abs" }],
];
const domains: [string, () => { slice: PlaneSlice; domain: Float64Array }][] = [
  ["[-1,1]^2", () => boxSlice(-1, 1)],
  ["para", () => parallelogramSlice(Float64Array.of(-0.7, -0.3), Float64Array.of(0.9, -0.5), Float64Array.of(-0.4, 0.8))],
];
let bad = 0;
let made = 0;
let cases = 0;
for (let seed = 0; seed < seeds; seed++) {
  for (const [width, depth] of [
    [5, 48],
    [8, 32],
    [8, 40],
    [10, 24],
    [12, 20],
    [16, 12],
    [8, 16],
    [10, 12],
  ]) {
    for (const [act, activation] of activations) {
      // Deep hard tanh and abs networks take plane.ts minutes (exact decisions): shallower ones.
      if ((act === "hardtanh" || act === "abs") && depth > 16) continue;
      for (const init of ["he", "uniform"]) {
        const net: Network = mlp([2, ...Array(depth).fill(width), 1], { init: init as "he", seed, ...(activation ? { activation } : {}) } as never);
        const compiled = prepare(net);
        const first = compiled.steps.findIndex((s) => s.kind === "elementwise");
        for (const [dn, dom] of domains) {
          const { slice, domain } = dom();
          const before = kernelRuns.made;
          let log: Float64Array = new Float64Array(0);
          const t0 = performance.now();
          const fast = planePartition(compiled, slice, { domain, adjointProbe: { kernelBounds: (records) => (log = records) } });
          const tk = performance.now() - t0;
          const kmade = kernelRuns.made > before;
          const js: number[] = [];
          const seen = (s: number, j: number, _z: Float64Array, b: Float64Array): void => {
            js.push((s - first) / 2, j, b[0], b[1], b[2]);
          };
          const ref = planePartition(compiled, slice, { domain, budget: new Budget({ maxCells: 1e9 }), adjointProbe: { seen } });
          let same = flat(fast) === flat(ref);
          if (kmade && log.length !== js.length) same = false;
          for (let i = 0; i < log.length; i++) if (!Object.is(log[i], js[i])) same = false;
          cases++;
          if (kmade) made++;
          if (!same) bad++;
          const why = kmade ? "made" : `gave up (why ${kernelRuns.lastGiveUp.reason}, step ${kernelRuns.lastGiveUp.step})`;
          console.log(
            `${same ? "same" : "DIFFERENT"} 2-${width}x${depth} ${act} ${init} seed ${seed} ${dn}: ${ref.activationRegions} regions, kernel ${why}, adjoint bounds ${log.length / 5} of ${js.length / 5}, ${tk.toFixed(0)} ms`,
          );
        }
      }
    }
  }
}
console.log(`${cases} cases, kernel made ${made}, ${bad} different`);
process.exit(bad === 0 ? 0 : 1);
