/**
 * The adjoint bounds' own cost, trees alternated in one process: at every piece of counting walks
 * through He 2-8x120 (or 2-16x24), every fused map's bound measured with the engine's stop
 * (line-adjoint.ts, one AdjointBound: its kept chains), and plane-adjoint.ts's adjointRows on
 * random chains 8 wide and 30 to 40 deep (every row at once, as a cut of He 2-8x40 makes them),
 * and bench/plane-deep.ts's count (`partition` of He 2-8x40-1 over [-1, 1]^2) in CPU time.
 * CPU ms per round, medians and ratios against the first tree (the machine is shared: read ratios).
 *
 *   [JOBS=line8,line16,plane,plane40] npx tsx bench/line-adjoint-ab.ts ROUNDS SRC [SRC...]
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const rounds = Number(process.argv[2]);
const trees = process.argv.slice(3).map((t) => resolve(t));
type Chain = { dense(q: number): { outSize: number } };
type Job = () => number;
const jobs: { line8: Job; line16: Job; plane: Job; plane40: Job }[] = [];
for (const src of trees) {
  const load = async (path: string) => await import(pathToFileURL(`${src}/${path}`).href);
  const { mlp } = await load("model/build/mlp.ts");
  const { prepare } = await load("model/forward.ts");
  const { createRandom } = await load("model/random.ts");
  const { LineEngine } = await load("regions/line.ts");
  const { walkPath } = await load("regions/line-path.ts");
  const { AdjointBound } = await load("regions/line-adjoint.ts");
  const { AdjointScratch, adjointRows } = await load("regions/plane-adjoint.ts");
  const lineJob = (widths: number[]): Job => {
    const compiled = prepare(mlp(widths, { init: "he", seed: 0 }));
    const steps = compiled.steps as { kind: string }[];
    const levels: number[] = [];
    for (let s = 0; s + 2 < steps.length; s++) if (steps[s].kind === "elementwise" && steps[s + 2].kind === "elementwise") levels.push(s);
    const rng = createRandom(5);
    const paths = Array.from({ length: 4 }, () => Float64Array.from({ length: 4 }, () => rng.uniform(-1, 1)));
    const out = new Float64Array(4096);
    const enough = Float64Array.of(2 ** -30, 2 ** -30);
    return () => {
      let ok = 0;
      for (const path of paths) {
        const bound = new AdjointBound();
        let engine: { adjointChain(): Chain } | null = null;
        let chain: Chain | null = null;
        const sink = {
          add: () => {
            chain ??= (engine as { adjointChain(): Chain }).adjointChain();
            for (let x = levels.length - 1; x >= 0; x -= 3) if (bound.measure(chain, levels[x], out, enough)) ok++;
          },
        };
        engine = new LineEngine(compiled, sink);
        walkPath(engine, compiled, path);
      }
      return ok;
    };
  };
  const rng = createRandom(9);
  const chains = Array.from({ length: 40 }, (_, c) => {
    const depth = 30 + (c % 11);
    const links = Array.from({ length: depth }, () => ({
      weight: Float64Array.from({ length: 64 }, () => rng.normal() * 0.5),
      inSize: 8,
      outSize: 8,
      slopes: Float64Array.from({ length: 8 }, () => (rng.uniform(0, 1) < 0.5 ? 0 : 1)),
      local: Float64Array.of(1e-15, 1e-16, 1e-16),
    }));
    return { links, start: Float64Array.of(1e-14, 1e-15, 1e-15) };
  });
  const scratch = new AdjointScratch();
  const rows = Int32Array.from({ length: 8 }, (_, i) => i);
  const pout = new Float64Array(24);
  const plane: Job = () => {
    let s = 0;
    for (let r = 0; r < 50; r++)
      for (const { links, start } of chains) {
        adjointRows(links, links.length, start, 3, rows, 8, pout, scratch);
        s += pout[0];
      }
    return s;
  };
  // bench/plane-deep.ts's call: partition of He 2-8x40-1 over [-1, 1]^2 (an adjoint cut per cell).
  const lib = await load("index.ts");
  const deep = lib.mlp([2, ...new Array(40).fill(8), 1], { init: "he", seed: 0 });
  const plane40: Job = () => lib.partition(deep, lib.box(-1, 1, 2)).activationRegions;
  jobs.push({ line8: lineJob([2, ...new Array(120).fill(8), 1]), line16: lineJob([2, ...new Array(24).fill(16), 1]), plane, plane40 });
}
for (const name of (process.env.JOBS?.split(",") ?? ["line8", "line16", "plane", "plane40"]) as ("line8" | "line16" | "plane" | "plane40")[]) {
  const times: number[][] = trees.map(() => []);
  const l0 = loadavg()[0];
  for (let r = 0; r < rounds + 1; r++) {
    for (let t = 0; t < trees.length; t++) {
      const c0 = process.cpuUsage();
      jobs[t][name]();
      const c = process.cpuUsage(c0);
      if (r > 0) times[t].push((c.user + c.system) / 1000);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`${name}: load ${l0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}, ${rounds} rounds (after one warm-up)`);
  for (let t = 0; t < trees.length; t++) {
    const ratios = times[t].map((x, r) => x / times[0][r]);
    console.log(`  ${trees[t]}: CPU ms median ${median(times[t]).toFixed(1)} min ${Math.min(...times[t]).toFixed(1)}; median of round ratios ${median(ratios).toFixed(3)}`);
  }
}
