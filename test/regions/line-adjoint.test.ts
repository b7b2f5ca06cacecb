/**
 * The adjoint bound of a piece's fused map (src/regions/line-adjoint.ts) against the exact map.
 *
 * - In the engine: at every piece a counting walk emits, every fused map above the output's gets
 *   its adjoint bound, and each unit's (and channel's) is compared with its exact distance to
 *   the exact map (exact-maps.ts, in BigInt): at least it, with no exception (relu He and
 *   zero-bias networks 2-8x30 to 2-8x120 and 2-16x24; leaky relu, max groups, hard tanh, abs). The same at every
 *   anchor the walk itself makes (a LineAdjointProbe handed to the engine), and on linePartition's walk.
 * - Alone, on chains built here: the bound against the exact supremum of the error over every
 *   local rounding its bounds allow (sum over levels of rowsum |P| L, in rationals): at least it,
 *   and under twice it (so the bound halved fails), and a chain whose product cancels to 2^-60
 *   while float64 gives 0 (the rounding of U itself, the second-order term F, is the whole bound
 *   there). Checked by hand: with F dropped (G's sums left 0) that chain fails (7.4e-323 for
 *   2^-60) and nothing else; with the bound halved the random chains fail (trial 0), and so do the
 *   engine's zero-bias 2-8x30-1 (a map 27 steps deep: 7.9e-19 under its distance) and twin chains
 *   (seed 0).
 * - Kept chains (a measure starts again from the first level whose states changed): at every piece
 *   of counting walks, two maps measured in turn by one AdjointBound give the doubles a new one
 *   gives, with and without a stop. Checked by hand: with the states' comparison dropped (a
 *   stale level kept) it fails at the first piece whose crossing is above a kept level.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decompose } from "../../src/geometry/exact.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { type AffineStep, denseStep, type ElementwiseStep, type MaxStep, type PiecewiseStep } from "../../src/model/steps.ts";
import { LineEngine, linePartition } from "../../src/regions/line.ts";
import { AdjointBound, type AdjointChain, adjointQualifies, type LineAdjointProbe } from "../../src/regions/line-adjoint.ts";
import { walkPath } from "../../src/regions/line-path.ts";
import { Q, ZERO } from "../oracles/rational.ts";
import { twinChains } from "./twin-chains.ts";

/** Whether the double b is at least |x - v 2^e|, exactly. */
function atLeastDistance(b: number, x: number, v: bigint, e: number): boolean {
  const dx = x === 0 ? { m: 0n, e } : decompose(x);
  const db = b === 0 ? { m: 0n, e } : decompose(b);
  const t = Math.min(e, dx.e, db.e);
  let d = (dx.m << BigInt(dx.e - t)) - (v << BigInt(e - t));
  if (d < 0n) d = -d;
  return db.m << BigInt(db.e - t) >= d;
}

/** Every unit and channel of level q's bound against its exact distance; the number of comparisons. */
function checkLevel(chain: AdjointChain, q: number, bound: Float64Array, where: string): number {
  const z = chain.map(q);
  const exact = chain.exactMap(q);
  const m = chain.dense(q).outSize;
  for (let x = 0; x < 2 * m; x++) {
    assert.ok(atLeastDistance(bound[x], z[x], exact.v[x], exact.e), `${where}, step ${q}, unit ${x % m}, channel ${x >= m ? 1 : 0}: bound ${bound[x]} below the distance`);
  }
  return 2 * m;
}

const engineChain = (engine: LineEngine): AdjointChain => (engine as unknown as { adjointChain(): AdjointChain }).adjointChain();

/** The fused piecewise steps whose maps are a later piecewise step's input (every one but the output's). */
function fusedInputs(compiled: Compiled): number[] {
  const steps = compiled.steps;
  const out: number[] = [];
  for (let s = 0; s + 2 < steps.length; s++) {
    const a = steps[s];
    const d = steps[s + 1];
    const b = steps[s + 2];
    if ((a.kind === "elementwise" || a.kind === "max") && d.kind === "affine" && d.weight !== null && (b.kind === "elementwise" || b.kind === "max")) out.push(s);
  }
  return out;
}

/** Segments' flat ends (4 numbers each) from a seed, in [-1, 1]^2. */
function segments(count: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return Float64Array.from({ length: 4 * count }, () => rng.uniform(-1, 1));
}

/** A counting walk that measures every fused map's adjoint bound at every piece; the comparisons made. */
function everyPiece(compiled: Compiled, path: Float64Array, what: string): { checks: number; pieces: number } {
  let checks = 0;
  let pieces = 0;
  const levels = fusedInputs(compiled);
  const bound = new AdjointBound();
  const out = new Float64Array(4096);
  let engine: LineEngine | null = null;
  let chain: AdjointChain | null = null;
  const sink = {
    add: () => {
      pieces++;
      chain ??= engineChain(engine as LineEngine);
      for (const q of levels) {
        if (!bound.measure(chain, q, out)) continue;
        checks += checkLevel(chain, q, out, `${what}, piece ${pieces}`);
      }
    },
  };
  engine = new LineEngine(compiled, sink);
  walkPath(engine, compiled, path);
  return { checks, pieces };
}

/**
 * The audit at every anchor of the engines `run` makes with the probe it is given: the anchored
 * map's level and every level below it on its chain; the comparisons made. (The audit's own
 * AdjointBound has no probe: its measures are not anchors.)
 */
function auditAnchors(run: (probe: LineAdjointProbe) => void, what: string): number {
  let checks = 0;
  const bound = new AdjointBound();
  const out = new Float64Array(4096);
  run({
    measured: (chain, p, measured) => {
      checks += checkLevel(chain, p, measured, `${what}, anchor`);
      for (let q = chain.below(p); q >= 0; q = chain.below(q)) if (bound.measure(chain, q, out)) checks += checkLevel(chain, q, out, `${what}, below an anchor`);
    },
  });
  return checks;
}

describe("line-adjoint.ts in the engine: at least the distance to the exact map, every unit of every map", () => {
  for (const [width, depth, init, count] of [
    [8, 30, "he", 3],
    [8, 60, "he", 2],
    [8, 90, "he", 1],
    [8, 120, "he", 1],
    [16, 24, "he", 2],
    [8, 30, "zero-bias", 3],
  ] as const) {
    it(`${init} 2-${width}x${depth}-1: every piece of a counting walk, every fused map`, () => {
      const compiled = prepare(mlp([2, ...new Array(depth).fill(width), 1], { init, seed: 0 }));
      const path = segments(count, 7);
      let checks = 0;
      let pieces = 0;
      for (let k = 0; k < count; k++) {
        const r = everyPiece(compiled, path.subarray(4 * k, 4 * k + 4), `segment ${k}`);
        checks += r.checks;
        pieces += r.pieces;
      }
      if (process.env.ADJOINT_LOG) console.log(`${init} ${width}x${depth}: ${checks} comparisons over ${pieces} pieces`);
      assert.ok(pieces > 0 && checks >= pieces * (depth - 1) * width, `${checks} comparisons over ${pieces} pieces`);
    });
  }
  for (const [name, activation, width, depth] of [
    ["leaky relu (slope 0.01)", { type: "leaky-relu", slope: 0.01 }, 8, 60],
    ["max groups of 2", { type: "maxout", k: 2 }, 6, 40],
    ["hard tanh", { type: "hard-tanh", lo: -1, hi: 1 }, 6, 30],
    ["abs", { type: "abs" }, 6, 30],
  ] as const) {
    it(`${name}, he 2-${width}x${depth}-1: every piece of a counting walk, every fused map`, () => {
      const compiled = prepare(mlp([2, ...new Array(depth).fill(width), 1], { init: "he", seed: 1, activation }));
      const path = segments(3, 5);
      let checks = 0;
      let pieces = 0;
      for (let k = 0; k < 3; k++) {
        const r = everyPiece(compiled, path.subarray(4 * k, 4 * k + 4), `${name}, segment ${k}`);
        checks += r.checks;
        pieces += r.pieces;
      }
      if (process.env.ADJOINT_LOG) console.log(`${name}: ${checks} comparisons over ${pieces} pieces`);
      assert.ok(pieces > 0 && checks >= pieces * (depth - 1) * width, `${checks} comparisons over ${pieces} pieces`);
    });
  }
  it("he 2-8x120-1 and 2-8x90-1, 6 segments each: every anchor's map and the maps below it (linePartition and a counting walk)", () => {
    for (const depth of [90, 120]) {
      const compiled = prepare(mlp([2, ...new Array(depth).fill(8), 1], { init: "he", seed: 0 }));
      const path = segments(6, 11);
      let anchors = 0;
      let partitionAnchors = 0;
      const checks = auditAnchors((adjointProbe) => {
        for (let k = 0; k < 6; k++) {
          const seg = path.slice(4 * k, 4 * k + 4);
          const counted: LineAdjointProbe = {
            measured: (chain, p, bound) => {
              partitionAnchors++;
              adjointProbe.measured(chain, p, bound);
            },
          };
          linePartition(compiled, seg, { adjointProbe: counted });
          const engine = new LineEngine(compiled, { add: () => {} }, undefined, adjointProbe);
          walkPath(engine, compiled, seg);
          anchors += engine.adjointMaps;
        }
      }, `depth ${depth}`);
      if (process.env.ADJOINT_LOG) console.log(`depth ${depth}: ${checks} comparisons, ${anchors} + ${partitionAnchors} adjoint anchors`);
      assert.ok(anchors > 0 && checks > anchors * 8, `${checks} comparisons, ${anchors} adjoint anchors`);
      assert.ok(partitionAnchors > 0, "linePartition's walk audited");
    }
  });
  it("kept chains: at every piece, two maps measured by one AdjointBound are the doubles of a new one's (with and without a stop), and levels are kept", () => {
    for (const [width, depth, init, activation] of [
      [8, 60, "he", undefined],
      [6, 40, "he", { type: "maxout", k: 2 }],
    ] as const) {
      const compiled = prepare(mlp([2, ...new Array(depth).fill(width), 1], { init, seed: 0, activation }));
      const levels = fusedInputs(compiled);
      // The deepest map and one 10 levels above it: each measure of one comes after the other's.
      const maps = [levels[levels.length - 1], levels[levels.length - 11]];
      const kept = new AdjointBound();
      const out = new Float64Array(4096);
      const fresh = new Float64Array(4096);
      const enough = Float64Array.of(2 ** -40, 2 ** -40);
      let engine: LineEngine | null = null;
      let chain: AdjointChain | null = null;
      let compared = 0;
      const sink = {
        add: () => {
          chain ??= engineChain(engine as LineEngine);
          for (const q of maps) {
            for (const stop of [null, enough]) {
              const a = kept.measure(chain, q, out, stop);
              const b = new AdjointBound().measure(chain, q, fresh, stop);
              assert.equal(a, b);
              if (!a) continue;
              const m = chain.dense(q).outSize;
              for (let x = 0; x < 2 * m; x++) assert.ok(Object.is(out[x], fresh[x]), `step ${q}, entry ${x}: kept ${out[x]}, new ${fresh[x]}`);
              compared++;
            }
          }
        },
      };
      engine = new LineEngine(compiled, sink);
      const path = segments(2, 3);
      for (let k = 0; k < 2; k++) walkPath(engine, compiled, path.subarray(4 * k, 4 * k + 4));
      if (process.env.ADJOINT_LOG) console.log(`${width}x${depth}: ${compared} measures compared, ${kept.reusedLevels} levels kept`);
      assert.ok(compared > 20 && kept.reusedLevels > compared, `${compared} measures compared, ${kept.reusedLevels} levels kept`);
    }
  });
  it("twin chains 30 to 60 layers deep (exact ties at the end): every anchor's map and the maps below it, every piece's", () => {
    let checks = 0;
    let anchors = 0;
    for (let seed = 0; seed < 6; seed++) {
      const depth = 30 + ((seed * 11) % 31);
      const compiled = prepare(twinChains(depth, seed));
      const rng = createRandom(100 + seed);
      const path = Float64Array.of(rng.uniform(0.1, 2), rng.uniform(-1, 1), rng.uniform(0.1, 2), rng.uniform(-1, 1));
      checks += auditAnchors((adjointProbe) => {
        const engine = new LineEngine(compiled, null, undefined, adjointProbe);
        walkPath(engine, compiled, path);
        anchors += engine.adjointMaps;
      }, `seed ${seed}`);
      checks += everyPiece(compiled, path, `seed ${seed}`).checks;
    }
    if (process.env.ADJOINT_LOG) console.log(`twin chains: ${checks} comparisons, ${anchors} anchors`);
    assert.ok(checks > 0 && anchors > 0);
  });
});

/** A chain of levels built here: level q's dense step, piecewise step, states and local bounds; level 0's input bound. */
interface Level {
  dense: AffineStep;
  step: PiecewiseStep;
  states: Uint8Array;
  local: [number, number];
}

function chainOf(levels: Level[], bottom: [number, number]): AdjointChain {
  return {
    step: (q) => levels[q].step,
    dense: (q) => levels[q].dense,
    below: (q) => q - 1,
    local: (q, c) => levels[q].local[c],
    states: (q) => levels[q].states,
    inputErr: () => Float64Array.from(bottom),
    measured: () => null,
    carried: () => null,
    mapErr: () => Float64Array.of(0, 0),
    map: () => new Float64Array(0),
    exactMap: () => ({ e: 0, v: [] }),
  };
}

/** The exact supremum of |error| of unit i of the top level's map: sum over levels of rowsum_i |P| L, plus the bottom's. */
function supremum(levels: Level[], bottom: [number, number], c: number): Q[] {
  const top = levels.length - 1;
  const m = levels[top].dense.outSize;
  let U: Q[][] = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? Q.of(1) : ZERO)));
  const sup = new Array<Q>(m).fill(ZERO);
  const rowAbs = (row: Q[]): Q => row.reduce((s, x) => s.add(x.sign() < 0 ? x.neg() : x), ZERO);
  for (let q = top; q >= 0; q--) {
    const L = Q.of(levels[q].local[c]);
    for (let i = 0; i < m; i++) sup[i] = sup[i].add(rowAbs(U[i]).mul(L));
    const { dense, step, states } = levels[q];
    const n = dense.inSize;
    const W = dense.weight as Float64Array;
    // U W
    const V = U.map((row) => Array.from({ length: n }, (_, j) => row.reduce((s, x, l) => s.add(x.mul(Q.of(W[l * n + j]))), ZERO)));
    if (step.kind === "elementwise") U = V.map((row) => row.map((x, j) => x.mul(Q.of(step.slopes[states[j]]))));
    else {
      U = V.map((row) => {
        const next = new Array<Q>(step.inSize).fill(ZERO);
        for (let j = 0; j < step.outSize; j++) {
          const x = step.indices[step.offsets[j] + states[j]];
          next[x] = next[x].add(row[j]);
        }
        return next;
      });
    }
  }
  const e = Q.of(bottom[c]);
  for (let i = 0; i < m; i++) sup[i] = sup[i].add(rowAbs(U[i]).mul(e));
  return sup;
}

const relu = (size: number): ElementwiseStep => ({
  kind: "elementwise",
  label: "relu",
  size,
  breakpoints: Float64Array.of(0),
  slopes: Float64Array.of(0, 1),
  intercepts: Float64Array.of(0, 0),
});
const leaky = (size: number): ElementwiseStep => ({
  kind: "elementwise",
  label: "leaky",
  size,
  breakpoints: Float64Array.of(0),
  slopes: Float64Array.of(0.01, 1),
  intercepts: Float64Array.of(0, 0),
});
/** Max groups of two over 2 n inputs, overlapping: group j takes inputs j and (j + 1) mod 2n... of n groups. */
function maxPairs(n: number): MaxStep {
  const offsets = Int32Array.from({ length: n + 1 }, (_, j) => 2 * j);
  const indices = Int32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k >> 1 : ((k >> 1) + 1) % n));
  return { kind: "max", label: "max", inSize: n, outSize: n, offsets, indices };
}

/**
 * The bound of the top level's map as the adjoint paragraph writes it (steps 4 and 5), dense
 * loops and no kept level: per level rowsum(|U| + F) L, then V = U W and G = (F + gamma |U|) |W|
 * summed row by row, D applied (a slope and its rounding, or a max group's sums), and at the end
 * the input's bound and the sums' own rounding. Null where it is not finite.
 */
function writtenOut(levels: Level[], bottom: [number, number]): Float64Array | null {
  const EPS = 2 ** -53;
  const SUB = 2 ** -1074;
  const top = levels.length - 1;
  const m = levels[top].dense.outSize;
  const out = new Float64Array(2 * m);
  let k = m;
  let U = new Float64Array(m * m);
  let F = new Float64Array(m * m);
  for (let i = 0; i < m; i++) U[i * m + i] = 1;
  let widest = m;
  const rowsOf = (): number[] =>
    Array.from({ length: m }, (_, i) => {
      let row = 0;
      for (let l = 0; l < k; l++) row += Math.abs(U[i * k + l]) + F[i * k + l];
      return row;
    });
  for (let q = top; q >= 0; q--) {
    const { dense, step, states, local } = levels[q];
    if (local[0] !== 0 || local[1] !== 0) {
      const rows = rowsOf();
      for (let i = 0; i < m; i++) {
        out[i] += rows[i] * local[0];
        out[m + i] += rows[i] * local[1];
      }
    }
    const n = dense.inSize;
    const W = dense.weight as Float64Array;
    const next = step.kind === "elementwise" ? n : step.inSize;
    widest = Math.max(widest, n, next);
    const K = step.kind === "elementwise" ? 1 : step.outSize;
    const gamma = (k + K) * EPS * (1 + 2 ** -20);
    const V = new Float64Array(m * n);
    const G = new Float64Array(m * n);
    const passes = (j: number): boolean => step.kind !== "elementwise" || step.slopes[states[j]] !== 0;
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < k; l++) {
        const x = U[i * k + l];
        const y = F[i * k + l] + gamma * Math.abs(x);
        if (x === 0 && y === 0) continue;
        for (let j = 0; j < n; j++) {
          if (!passes(j)) continue;
          V[i * n + j] += x * W[l * n + j];
          G[i * n + j] += y * Math.abs(W[l * n + j]);
        }
      }
    }
    const sums = new Float64Array(n);
    for (let l = 0; l < dense.outSize; l++) for (let j = 0; j < n; j++) sums[j] += Math.abs(W[l * n + j]);
    for (let j = 0; j < n; j++) sums[j] *= 1 + (dense.outSize + 4) * EPS;
    const widen = 1 + (k + K + 16) * EPS;
    if (step.kind === "elementwise") {
      for (let j = 0; j < n; j++) {
        if (!passes(j)) continue;
        const a = step.slopes[states[j]];
        const floor = (k + 2 + sums[j]) * Math.max(1, Math.abs(a)) * SUB;
        for (let i = 0; i < m; i++) {
          V[i * n + j] *= a;
          G[i * n + j] = (G[i * n + j] * Math.abs(a) + floor) * widen;
        }
      }
      U = V;
      F = G;
    } else {
      U = new Float64Array(m * next);
      F = new Float64Array(m * next);
      const floor = K * (k + 2 + Math.max(0, ...sums)) * SUB;
      for (let j = 0; j < step.outSize; j++) {
        const x = step.indices[step.offsets[j] + states[j]];
        for (let i = 0; i < m; i++) {
          U[i * next + x] += V[i * n + j];
          F[i * next + x] += G[i * n + j];
        }
      }
      for (let x = 0; x < m * next; x++) F[x] = (F[x] + floor) * widen;
    }
    k = next;
  }
  if (bottom[0] !== 0 || bottom[1] !== 0) {
    const rows = rowsOf();
    for (let i = 0; i < m; i++) {
      if (rows[i] === 0) continue;
      out[i] += rows[i] * bottom[0];
      out[m + i] += rows[i] * bottom[1];
    }
  }
  const widen = 1 + (2 * widest + levels.length + 16) * EPS;
  const floor = (levels.length + widest + 2) * SUB;
  for (let x = 0; x < 2 * m; x++) {
    out[x] = (out[x] + floor) * widen;
    if (!(out[x] < Number.POSITIVE_INFINITY)) return null;
  }
  return out;
}

/** Whether the double b is at least the rational r. */
const atLeast = (b: number, r: Q): boolean => Q.of(b).sub(r).sign() >= 0;

describe("line-adjoint.ts alone: against the exact supremum of the error the local bounds allow", () => {
  it("random chains (relu, leaky relu, overlapping max groups; widths 3 to 9, 2 to 12 levels): at least the supremum and under twice it", () => {
    const rng = createRandom(3);
    const bound = new AdjointBound();
    const out = new Float64Array(64);
    let compared = 0;
    for (let trial = 0; trial < 60; trial++) {
      const depth = 2 + Math.floor(rng.uniform(0, 11));
      const levels: Level[] = [];
      let size = 3 + Math.floor(rng.uniform(0, 7));
      for (let q = 0; q < depth; q++) {
        const kind = Math.floor(rng.uniform(0, 3));
        const inputs = size;
        const step = kind === 0 ? relu(inputs) : kind === 1 ? leaky(inputs) : maxPairs(inputs);
        const units = kind === 2 ? (step as MaxStep).outSize : inputs;
        const out2 = 3 + Math.floor(rng.uniform(0, 7));
        const weight = Float64Array.from({ length: out2 * units }, () => rng.uniform(-1, 1) * Math.sqrt(2 / units));
        const dense = denseStep("dense", units, out2, weight, new Float64Array(out2));
        const states = Uint8Array.from({ length: units }, () => (kind === 2 ? Math.floor(rng.uniform(0, 2)) : rng.uniform(0, 1) < 0.6 ? 1 : 0));
        levels.push({ dense, step, states, local: [rng.uniform(0, 1) * 2 ** -50, rng.uniform(0, 1) * 2 ** -52] });
        size = out2;
      }
      const bottom: [number, number] = [rng.uniform(0, 1) * 2 ** -51, rng.uniform(0, 1) * 2 ** -51];
      assert.ok(bound.measure(chainOf(levels, bottom), depth - 1, out));
      const m = levels[depth - 1].dense.outSize;
      for (let c = 0; c < 2; c++) {
        const sup = supremum(levels, bottom, c);
        for (let i = 0; i < m; i++) {
          assert.ok(atLeast(out[c * m + i], sup[i]), `trial ${trial}, unit ${i}, channel ${c}: ${out[c * m + i]} below ${sup[i].toNumber()}`);
          if (sup[i].sign() > 0) {
            assert.ok(!atLeast(out[c * m + i] / 2, sup[i]), `trial ${trial}, unit ${i}, channel ${c}: ${out[c * m + i]} twice the supremum or more`);
            compared++;
          }
        }
      }
    }
    assert.ok(compared > 200, `${compared}`);
  });
  it("a product that cancels to 2^-60 where float64 gives 0: the rounding of U itself (F) is the bound", () => {
    // Top: one output 1 a - 2^-60 b... = [1, 2^-60, -1] over three relu units (on); below: three
    // outputs, each the one input (on). U W = 1 + 2^-60 - 1: 0 in float64 (left to right), 2^-60 exactly.
    const top: Level = { dense: denseStep("top", 3, 1, Float64Array.of(1, 2 ** -60, -1), new Float64Array(1)), step: relu(3), states: Uint8Array.of(1, 1, 1), local: [0, 0] };
    const low: Level = { dense: denseStep("low", 1, 3, Float64Array.of(1, 1, 1), new Float64Array(3)), step: relu(1), states: Uint8Array.of(1), local: [0, 0] };
    const levels = [low, top];
    const bottom: [number, number] = [1, 1];
    const out = new Float64Array(2);
    assert.ok(new AdjointBound().measure(chainOf(levels, bottom), 1, out));
    for (let c = 0; c < 2; c++) {
      const sup = supremum(levels, bottom, c);
      assert.equal(sup[0].toNumber(), 2 ** -60);
      assert.ok(atLeast(out[c], sup[0]), `channel ${c}: ${out[c]} below 2^-60`);
    }
  });
  it("the doubles of the loops as written (numerics.md, the adjoint paragraph, steps 4 and 5): relu, leaky relu, hard tanh, max groups, zero bounds, overflow", () => {
    const hardTanh = (size: number): ElementwiseStep => ({
      kind: "elementwise",
      label: "hard-tanh",
      size,
      breakpoints: Float64Array.of(-1, 1),
      slopes: Float64Array.of(0, 1, 0),
      intercepts: Float64Array.of(-1, 0, 1),
    });
    const rng = createRandom(17);
    const bound = new AdjointBound();
    const out = new Float64Array(64);
    let compared = 0;
    let failed = 0;
    for (let trial = 0; trial < 300; trial++) {
      const depth = (trial % 30 === 29 ? 2 : 1) + Math.floor(rng.uniform(0, 20));
      const levels: Level[] = [];
      let size = 2 + Math.floor(rng.uniform(0, 10));
      for (let q = 0; q < depth; q++) {
        const kind = Math.floor(rng.uniform(0, 4));
        const step = kind === 0 ? relu(size) : kind === 1 ? leaky(size) : kind === 2 ? hardTanh(size) : maxPairs(size);
        const outs = 2 + Math.floor(rng.uniform(0, 10));
        // Weights of 1e200 at the two lowest levels, one chain in 30: the products overflow (the bound is then not used).
        const scale = trial % 30 === 29 && q < 2 ? 1e200 : 1;
        const weight = Float64Array.from({ length: outs * size }, () => rng.uniform(-1, 1) * Math.sqrt(2 / size) * scale);
        const dense = denseStep("dense", size, outs, weight, new Float64Array(outs));
        const states = Uint8Array.from({ length: size }, () => Math.floor(rng.uniform(0, kind === 2 ? 3 : 2)));
        levels.push({ dense, step, states, local: [trial % 7 === 0 ? 0 : rng.uniform(0, 1) * 2 ** -50, trial % 5 === 0 ? 0 : rng.uniform(0, 1) * 2 ** -52] });
        size = outs;
      }
      const bottom: [number, number] = [trial % 3 === 0 ? 0 : rng.uniform(0, 1) * 2 ** -51, rng.uniform(0, 1) * 2 ** -51];
      const want = writtenOut(levels, bottom);
      const ok = bound.measure(chainOf(levels, bottom), depth - 1, out);
      assert.equal(ok, want !== null, `trial ${trial}: measure ${ok}, the loops ${want !== null}`);
      if (want === null) {
        failed++;
        continue;
      }
      for (let x = 0; x < want.length; x++) assert.ok(Object.is(out[x], want[x]), `trial ${trial}, entry ${x}: ${out[x]}, the loops ${want[x]}`);
      compared += want.length;
    }
    assert.ok(compared > 1000 && failed > 0, `${compared} compared, ${failed} not finite`);
  });
  it("which steps qualify: relu, abs, hard tanh, leaky relu (slope up to 1/2), max groups; not a unit whose output or change rounds beyond the local bound's reading", () => {
    const step = (slopes: number[], intercepts: number[]): ElementwiseStep => ({
      kind: "elementwise",
      label: "f",
      size: 1,
      breakpoints: Float64Array.from(slopes.slice(1).map((_, k) => k)),
      slopes: Float64Array.from(slopes),
      intercepts: Float64Array.from(intercepts),
    });
    assert.ok(adjointQualifies(relu(3)));
    assert.ok(adjointQualifies(leaky(3)));
    assert.ok(adjointQualifies(maxPairs(3)));
    assert.ok(adjointQualifies(step([-1, 1], [0, 0])));
    assert.ok(adjointQualifies(step([0, 1, 0], [-1, 0, 1])));
    assert.ok(adjointQualifies(step([0.5, 1], [0, 0])));
    assert.ok(!adjointQualifies(step([0.6, 1], [0, 0])));
    assert.ok(!adjointQualifies(step([0.3, 1], [0.1, 0])));
    assert.ok(!adjointQualifies(step([1, 0.3], [0, 0.7])));
    assert.ok(!adjointQualifies(step([0.3, 0.7], [0, 0])));
  });
});
