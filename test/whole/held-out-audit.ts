/**
 * A held-out audit of the whole-domain engine against the exact oracles (exact rationals): the
 * degenerate constructions of degenerate-networks.ts over a range of seeds, each counted by one
 * or more source trees (regions as sorted pattern strings, or a count for slices and polytopes)
 * and compared with the oracle. Prints each wrong count and a summary line. docs/whole.md's
 * held-out tables came from it. Not a test (minutes per construction); run by hand:
 *
 *   npx tsx test/whole/held-out-audit.ts KIND FROM TO
 *   TREES=/tmp/base/src,src npx tsx test/whole/held-out-audit.ts near 100 600
 *
 * KIND: lattice, nd, ndmax, corner, box1e6, box1e-6, integer, decimal, decimalmax, scaled, slice,
 * cut, lift, near, nearlift. TREES: comma-separated src/ directories (default: this tree's).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Network } from "../../src/model/layers.ts";
import { exactBoxRegions, exactParallelogramRegions } from "../oracles/exact-partition.ts";
import { exactSliceRegions, exactSpaceBoxRegions } from "../oracles/exact-space.ts";
import { cutLattice, decimal, integer, lattice, liftedTo5, nearlyDependent, scaleFirst, sliceThroughDecimals } from "./degenerate-networks.ts";

const here = resolve(import.meta.dirname, "../../src");
const trees = process.env.TREES ? process.env.TREES.split(",").map((t) => resolve(t)) : [here];
const url = (tree: string, file: string): string => pathToFileURL(`${tree}/${file}`).href;
const mods = await Promise.all(
  trees.map(async (t) => ({
    forward: await import(url(t, "model/forward.ts")),
    pattern: await import(url(t, "model/pattern.ts")),
    whole: await import(url(t, "regions/whole.ts")),
    pd: await import(url(t, "regions/partition-domain.ts")),
    domain: await import(url(t, "domain/domain.ts")),
  })),
);
type Tree = (typeof mods)[0];

const kind = process.argv[2];
const from = Number(process.argv[3]);
const to = Number(process.argv[4]);
const bad = mods.map(() => 0);
const uncertain = mods.map(() => 0);
let cases = 0;
const t0 = Date.now();
for (let seed = from; seed < to; seed++) {
  let net: Network;
  let lo = 0;
  let hi = 0;
  let oracleNet: Network | null = null;
  let expected: string[] | number;
  let run: (m: Tree) => { got: string[] | number; unc: number };
  const boxRun =
    (n: Network, l: number, h: number, opts: { polytope?: { A: Float64Array; b: Float64Array } } = {}) =>
    (m: Tree) => {
      const c = m.forward.prepare(n);
      const p = m.whole.wholePartition(c, { box: [l, h], points: false, ...opts });
      const pats: string[] = [];
      for (let i = 0; i < p.activationRegions; i++) pats.push(m.pattern.patternString(c.layout, p.patterns, i * p.layout.words));
      return { got: opts.polytope ? p.activationRegions : pats.sort(), unc: p.uncertain };
    };
  const B = [1, 2, 0.5][seed % 3];
  if (kind === "slice") {
    const { net: n, points } = sliceThroughDecimals(seed);
    expected = points.length === 3 ? exactParallelogramRegions(n, points[0], points[1], points[2]).regions : exactSliceRegions(n, points).regions;
    run = (m) => {
      const p = m.pd.partition(n, m.domain.sliceThrough(points), { engine: "whole", points: false });
      return { got: p.activationRegions, unc: p.uncertain };
    };
  } else if (kind === "cut") {
    const cut = cutLattice(seed, true);
    if (!cut) continue;
    const P = cut.b.length;
    expected = exactSpaceBoxRegions(cut.oracleNet, -cut.B, cut.B).patterns.filter((s) => s.slice(1, 1 + P) === "0".repeat(P)).length;
    run = boxRun(cut.net, -cut.B, cut.B, { polytope: { A: Float64Array.from(cut.A), b: Float64Array.from(cut.b) } });
  } else {
    if (kind === "lattice" || kind === "nd" || kind === "ndmax") {
      const name = kind === "lattice" ? "lattice" : `lattice-${kind}`;
      [net, lo, hi] = [lattice(seed * 7 + name.length * 1000, 2 + (seed % 2), B, { nonDyadic: kind.includes("nd"), maxout: kind.includes("max") }), -B, B];
    } else if (kind === "corner") [net, lo, hi] = [lattice(seed * 11 + 77, 2 + (seed % 2), B, { nonDyadic: seed % 2 === 1 }), 0, B];
    else if (kind === "box1e6" || kind === "box1e-6") {
      const S = kind === "box1e6" ? 1e6 : 1e-6;
      [net, lo, hi] = [lattice(seed * 17 + 5, 2 + (seed % 2), S, { nonDyadic: seed % 2 === 1 }), -S, S];
    } else if (kind === "integer") [net, lo, hi] = [integer(seed, 2 + (seed % 2)), -2, 2];
    else if (kind === "decimal" || kind === "decimalmax") [net, lo, hi] = [decimal(seed, 2 + (seed % 2), kind === "decimalmax"), -1, 1];
    else if (kind === "scaled") {
      const sc = [2 ** -60, 1e-6, 1e6, 2 ** 40, 1e-100, 1e150, 3, 0.1][seed % 8];
      const n0 = 2 + (seed % 2);
      const base = [decimal(seed, n0), integer(seed, n0), lattice(seed * 13, n0, 1, { nonDyadic: true })][Math.floor(seed / 8) % 3];
      [net, lo, hi] = [scaleFirst(base, sc), -1 / sc, 1 / sc];
    } else if (kind === "lift") {
      // 3-input lattice networks (non-dyadic, box or corner) on 5 inputs.
      const base = seed % 2 === 0 ? lattice(seed * 7 + 1000 * 10, 3, B, { nonDyadic: true }) : lattice(seed * 11 + 77, 3, B, { nonDyadic: true });
      oracleNet = base;
      [lo, hi] = seed % 4 < 2 ? [-B, B] : [0, B];
      net = lo < 0 ? liftedTo5(base, seed % 3 === 0 ? 1 : -1, seed % 5 === 0 ? -1 : 1) : liftedTo5(base, 1, 1);
    } else if (kind === "near" || kind === "nearlift") {
      oracleNet = nearlyDependent(seed, B);
      [lo, hi] = seed % 4 < 2 ? [-B, B] : [0, B];
      net = kind === "near" ? oracleNet : lo < 0 ? liftedTo5(oracleNet, seed % 3 === 0 ? 1 : -1, seed % 5 === 0 ? -1 : 1) : liftedTo5(oracleNet, 1, 1);
    } else throw new Error(kind);
    const on = oracleNet ?? net;
    const o = on.inputSize === 2 ? exactBoxRegions(on, lo, hi) : exactSpaceBoxRegions(on, lo, hi);
    expected = o.patterns.map((s: string) => s.replace(/^\|/, "")).sort();
    run = boxRun(net, lo, hi);
  }
  cases++;
  mods.forEach((m, k) => {
    let res: { got: string[] | number; unc: number };
    try {
      res = run(m);
    } catch (e) {
      console.log(`${kind} ${seed} tree ${k}: threw ${(e as Error).message}`);
      bad[k]++;
      return;
    }
    if (res.unc) uncertain[k]++;
    const ok = JSON.stringify(res.got) === JSON.stringify(expected);
    if (!ok) {
      bad[k]++;
      const g = typeof res.got === "number" ? res.got : res.got.length;
      const e = typeof expected === "number" ? expected : expected.length;
      console.log(`${kind} ${seed} tree ${k}: ${g} for ${e}${res.unc ? ` (${res.unc} uncertain)` : ""}`);
    }
  });
}
console.log(`${kind} ${from}-${to}: ${cases} cases, wrong ${bad.join(" / ")}, uncertain ${uncertain.join(" / ")}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
