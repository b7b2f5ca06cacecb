/**
 * Every adjoint bound both engines make, hashed, on a tree's src: run it on the tree before a
 * change to line-adjoint.ts, plane-adjoint.ts or adjoint-chain.ts and after; the lines must be
 * the same (bench/identical.ts's digests rarely reach an adjoint bound).
 *
 * The line engine: every fused map's bound at every piece of counting walks (He 2-8x90, 2-8x120,
 * 2-16x24, leaky relu 2-8x40, maxout 2-8x30), with and without a stop, through one AdjointBound (its kept chains)
 * and the anchors' own (a LineAdjointProbe given to the engine; the walk's own AdjointBound gets
 * it too, as when it was a module-wide hook, so the digests stay comparable); and standalone
 * chains of relu, leaky relu, hard tanh and overlapping max groups (with overflow). The plane
 * engine: every bound the engine makes on He 2-8x32, 2-8x40 and 2-8x60 (a PlaneAdjointProbe's
 * `seen`), and adjointRows on random chains with flat units, overflow and weights not finite.
 * A tree from before the probes (Dec 8: module-wide hooks, line-adjoint.ts `adjointAudit` and
 * plane-adjoint.ts `adjointTesting`) gets the same callbacks through its hooks.
 *
 *   npx tsx bench/line-adjoint-digest.ts [SRC_DIR]     (SRC_DIR: a tree's src, default this one's)
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { elementwise } from "../src/model/compile.ts";
import type { AffineStep, PiecewiseStep } from "../src/model/steps.ts";

const src = resolve(process.argv[2] ?? new URL("../src", import.meta.url).pathname);
const load = async (path: string) => await import(pathToFileURL(`${src}/${path}`).href);
const { mlp } = await load("model/build/mlp.ts");
const { prepare } = await load("model/forward.ts");
const { createRandom } = await load("model/random.ts");
const { denseStep } = await load("model/steps.ts");
const { LineEngine } = await load("regions/line.ts");
const { walkPath } = await load("regions/line-path.ts");
const lineAdjoint = await load("regions/line-adjoint.ts");
const planeAdjoint = await load("regions/plane-adjoint.ts");
const { boxSlice, planePartition } = await load("regions/plane.ts");

/** FNV-1a over the doubles' bits (and the counts). */
class Digest {
  private h = 0x811c9dc5;
  count = 0;
  private readonly f = new Float64Array(1);
  private readonly b = new Uint8Array(this.f.buffer);
  add(x: number): void {
    this.f[0] = x;
    for (let i = 0; i < 8; i++) this.h = Math.imul(this.h ^ this.b[i], 0x01000193) >>> 0;
    this.count++;
  }
  addAll(a: ArrayLike<number>, n = a.length): void {
    for (let i = 0; i < n; i++) this.add(a[i]);
  }
  toString(): string {
    return `${this.h.toString(16).padStart(8, "0")} (${this.count} doubles)`;
  }
}

type Chain = { dense(q: number): AffineStep; below(q: number): number };

/** The fused piecewise steps whose maps are a later piecewise step's input. */
function fusedInputs(compiled: { steps: readonly { kind: string; weight?: unknown }[] }): number[] {
  const steps = compiled.steps;
  const out: number[] = [];
  for (let s = 0; s + 2 < steps.length; s++) {
    const [a, d, b] = [steps[s], steps[s + 1], steps[s + 2]];
    if ((a.kind === "elementwise" || a.kind === "max") && d.kind === "affine" && d.weight !== null && (b.kind === "elementwise" || b.kind === "max")) out.push(s);
  }
  return out;
}

function lineWalks(): void {
  const nets: [string, unknown][] = [
    ["he 2-8x90", mlp([2, ...new Array(90).fill(8), 1], { init: "he", seed: 0 })],
    ["he 2-8x120", mlp([2, ...new Array(120).fill(8), 1], { init: "he", seed: 1 })],
    ["he 2-16x24", mlp([2, ...new Array(24).fill(16), 1], { init: "he", seed: 2 })],
    ["leaky 2-8x40", mlp([2, ...new Array(40).fill(8), 1], { init: "he", seed: 3, activation: { type: "leaky-relu", slope: 0.01 } })],
    ["maxout 2-8x30", mlp([2, ...new Array(30).fill(8), 1], { init: "he", seed: 4, activation: { type: "maxout", k: 2 } })],
  ];
  for (const [name, net] of nets) {
    const compiled = prepare(net);
    const levels = fusedInputs(compiled);
    const rng = createRandom(7);
    const digest = new Digest();
    const anchors = new Digest();
    const probe = {
      measured: (chain: Chain, p: number, b: Float64Array) => {
        anchors.add(p);
        anchors.addAll(b, 2 * chain.dense(p).outSize);
      },
    };
    const bound = new lineAdjoint.AdjointBound(probe);
    const out = new Float64Array(4096);
    const enough = Float64Array.of(2 ** -30, 2 ** -30);
    const hook = lineAdjoint.adjointAudit as { check: typeof probe.measured | null } | undefined;
    if (hook) hook.check = probe.measured;
    try {
      for (let s = 0; s < 3; s++) {
        const path = Float64Array.from({ length: 4 }, () => rng.uniform(-1, 1));
        let engine: { adjointChain(): Chain } | null = null;
        let chain: Chain | null = null;
        const sink = {
          add: () => {
            chain ??= (engine as { adjointChain(): Chain }).adjointChain();
            for (const q of levels) {
              const m = chain.dense(q).outSize;
              for (const stop of [null, enough]) {
                const ok = bound.measure(chain, q, out, stop);
                digest.add(ok ? 1 : 0);
                if (ok) digest.addAll(out, 2 * m);
              }
            }
          },
        };
        engine = new LineEngine(compiled, sink, undefined, probe);
        walkPath(engine, compiled, path);
      }
    } finally {
      if (hook) hook.check = null;
    }
    console.log(`line ${name}: every piece ${digest}, anchors ${anchors}`);
  }
}

function lineChains(): void {
  const rng = createRandom(11);
  const piecewise = (label: string, slopes: number[], intercepts: number[], breakpoints: number[]) => (size: number) => elementwise(label, size, breakpoints, slopes, intercepts);
  const relu = piecewise("relu", [0, 1], [0, 0], [0]);
  const leaky = piecewise("leaky", [0.01, 1], [0, 0], [0]);
  const hardTanh = piecewise("hard-tanh", [0, 1, 0], [-1, 0, 1], [-1, 1]);
  const maxPairs = (n: number): PiecewiseStep => ({
    kind: "max",
    label: "max",
    inSize: n,
    outSize: n,
    offsets: Int32Array.from({ length: n + 1 }, (_, j) => 2 * j),
    indices: Int32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k >> 1 : ((k >> 1) + 1) % n)),
  });
  const digest = new Digest();
  const bound = new lineAdjoint.AdjointBound();
  const out = new Float64Array(256);
  for (let trial = 0; trial < 400; trial++) {
    const depth = 2 + Math.floor(rng.uniform(0, 30));
    const scale = trial % 50 === 49 ? 1e40 : 1;
    const levels: { dense: AffineStep; step: PiecewiseStep; states: Uint8Array; local: number[] }[] = [];
    let size = 3 + Math.floor(rng.uniform(0, 12));
    for (let q = 0; q < depth; q++) {
      const kind = Math.floor(rng.uniform(0, 4));
      const step = kind === 0 ? relu(size) : kind === 1 ? leaky(size) : kind === 2 ? hardTanh(size) : maxPairs(size);
      const units = size;
      const outs = 3 + Math.floor(rng.uniform(0, 12));
      const weight = Float64Array.from({ length: outs * units }, () => rng.uniform(-1, 1) * Math.sqrt(2 / units) * (q === 3 ? scale : 1));
      const dense = denseStep("dense", units, outs, weight, new Float64Array(outs));
      const states = Uint8Array.from({ length: units }, () => Math.floor(rng.uniform(0, kind === 2 ? 3 : 2)));
      levels.push({ dense, step, states, local: [trial % 7 === 0 ? 0 : rng.uniform(0, 1) * 2 ** -50, trial % 5 === 0 ? 0 : rng.uniform(0, 1) * 2 ** -52] });
      size = outs;
    }
    const bottom = Float64Array.of(rng.uniform(0, 1) * 2 ** -51, trial % 3 === 0 ? 0 : rng.uniform(0, 1) * 2 ** -51);
    const chain = {
      step: (q: number) => levels[q].step,
      dense: (q: number) => levels[q].dense,
      below: (q: number) => q - 1,
      local: (q: number, c: number) => levels[q].local[c],
      states: (q: number) => levels[q].states,
      inputErr: () => bottom,
      measured: (q: number) => (trial % 4 === 1 && q === 1 ? Float64Array.from({ length: 2 * levels[q].dense.outSize }, (_, x) => (x + 1) * 2 ** -60) : null),
      carried: () => null,
      mapErr: () => Float64Array.of(2 ** -40, 2 ** -41),
      map: () => new Float64Array(0),
      exactMap: () => ({ e: 0, v: [] }),
    };
    const m = levels[depth - 1].dense.outSize;
    // The same chain twice (the second from the kept levels), then with a state changed half way.
    for (let round = 0; round < 3; round++) {
      if (round === 2) levels[depth >> 1].states[0] ^= 1;
      const ok = bound.measure(chain, depth - 1, out, round === 1 ? Float64Array.of(2 ** -45, 2 ** -45) : null);
      digest.add(ok ? 1 : 0);
      if (ok) digest.addAll(out, 2 * m);
    }
  }
  console.log(`line chains: ${digest}`);
}

function planeEngine(): void {
  for (const [depth, seed] of [
    [32, 0],
    [40, 0],
    [36, 2],
    [40, 1],
  ]) {
    const digest = new Digest();
    const seen = (s: number, j: number, _z: Float64Array, bound: Float64Array) => {
      digest.add(s);
      digest.add(j);
      digest.addAll(bound);
    };
    const hook = planeAdjoint.adjointTesting as { seen: typeof seen | null } | undefined;
    if (hook) hook.seen = seen;
    try {
      const net = mlp([2, ...new Array(depth).fill(8), 1], { init: "he", seed });
      const { slice, domain } = boxSlice(-1, 1);
      const p = planePartition(prepare(net), slice, { domain, adjointProbe: { seen } });
      digest.add(p.activationRegions ?? -1);
    } finally {
      if (hook) hook.seen = null;
    }
    console.log(`plane he 2-8x${depth} seed ${seed}: ${digest}`);
  }
}

function planeChains(): void {
  const digest = new Digest();
  const scratch = new planeAdjoint.AdjointScratch();
  const slopeChoices = [0, 1, 1, 0.25, -1];
  for (let seed = 0; seed < 60; seed++) {
    const rng = createRandom(500 + seed);
    const width = 2 + (seed % 11);
    const depth = 1 + ((seed * 7) % 40);
    const links = [];
    for (let k = 0; k < depth; k++) {
      const weight = Float64Array.from({ length: width * width }, () => rng.normal() * Math.sqrt(2 / width) * (seed % 13 === 12 && k === 2 ? 1e100 : 1));
      const slopes = Float64Array.from({ length: width }, () => slopeChoices[Math.floor(rng.uniform(0, slopeChoices.length))]);
      links.push({ weight, inSize: width, outSize: width, slopes, local: Float64Array.of(rng.uniform(0, 1) * 1e-15, seed % 3 === 0 ? 0 : 1e-16, 3e-16) });
    }
    if (seed % 17 === 5) links[depth >> 1].weight[1] = seed % 2 === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
    const start = Float64Array.of(2e-15, 0, 1e-17);
    const rows = Int32Array.from({ length: width }, (_, i) => width - 1 - i);
    const out = new Float64Array(3 * width);
    planeAdjoint.adjointRows(links, depth, start, 3, rows, width, out, scratch);
    digest.addAll(out);
    const one = new Float64Array(3);
    planeAdjoint.adjointRow(links, depth, start, 3, seed % width, one, scratch);
    digest.addAll(one);
  }
  console.log(`plane chains: ${digest}`);
}

lineChains();
planeChains();
lineWalks();
planeEngine();
