/**
 * The WebAssembly segment walk (regions/line-walk.ts + line-walk.as): every segment it counts must
 * have the LineEngine's count, and every segment it gives up on must still be counted right by
 * countSegments (the engine). Compared segment by segment on random relu networks of several
 * shapes (odd widths, deep, a last relu with no output layer), on the degenerate corpora of
 * line-propagation.test.ts (duplicated and dead units, coincident hyperplanes, zero biases, huge
 * and tiny scales, segments through the origin, through first-layer vertices and along a
 * first-layer line) and on integer networks full of exact ties, where it must give up.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decompose } from "../../src/geometry/exact.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import type { AffineStep } from "../../src/model/steps.ts";
import { Budget } from "../../src/regions/limits.ts";
import { LineEngine } from "../../src/regions/line.ts";
import { segmentLength, segmentMap } from "../../src/regions/line-path.ts";
import { countSegments } from "../../src/regions/line-segments.ts";
import { LineWalk, type WalkLayer, walkRuns } from "../../src/regions/line-walk.ts";
import { exactSegmentRegions } from "../oracles/exact-partition.ts";
import { degenerate, integerTies, segmentsFor } from "./line-corpora.ts";

/** The engine's count of each segment (its distinct patterns) or the message of its refusal, and its pieces (the cells it ticks). */
function engineCounts(compiled: Compiled, segments: Float64Array): { counts: (number | string)[]; pieces: number[] } {
  const n0 = compiled.inputSize;
  let seen = new Set<string>();
  let emitted = 0;
  const engine = new LineEngine(compiled, {
    add: (pattern) => {
      emitted++;
      seen.add(pattern.join(","));
    },
  });
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  const counts: (number | string)[] = [];
  const pieces: number[] = [];
  for (let g = 0; g < segments.length / (2 * n0); g++) {
    segmentMap(segments, 2 * g * n0, (2 * g + 1) * n0, n0, map, residual);
    seen = new Set();
    emitted = 0;
    try {
      engine.segment(g, segmentLength(map, n0, `segment ${g}`), map, residual);
      counts.push(seen.size);
    } catch (e) {
      counts.push(e instanceof Error ? e.message : String(e));
    }
    pieces.push(emitted);
  }
  return { counts, pieces };
}

/**
 * The kernel's count of each segment against the engine's (0: it gave up), and its pieces against
 * the engine's (a budget's cells); countSegments (kernel and engine together) against the engine's
 * counts, whole and under cell limits (where it must stop at the engine's segment). Returns how
 * many segments the kernel counted and gave up on.
 */
function compare(net: Network, segments: Float64Array, what: string): { counted: number; gaveUp: number } {
  const compiled = prepare(net);
  const found = LineWalk.for(compiled);
  assert.ok(found !== null, `${what}: the kernel serves dense/relu networks`);
  const walk: LineWalk = found;
  const n0 = compiled.inputSize;
  const { counts: expected, pieces } = engineCounts(compiled, segments);
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  let counted = 0;
  let gaveUp = 0;
  for (let g = 0; g < expected.length; g++) {
    segmentMap(segments, 2 * g * n0, (2 * g + 1) * n0, n0, map, residual);
    let length: number;
    try {
      length = segmentLength(map, n0, `segment ${g}`);
    } catch {
      continue;
    }
    const regions: number = walk.count(map, residual, length);
    if (regions === 0) {
      gaveUp++;
      continue;
    }
    counted++;
    assert.equal(regions, expected[g], `${what}, segment ${g}: the kernel's count against the engine's`);
    assert.equal(walk.pieces(), pieces[g], `${what}, segment ${g}: the kernel's pieces against the engine's`);
  }
  if (expected.every((e) => typeof e === "number")) {
    const both = countSegments(compiled, segments);
    assert.deepEqual(Array.from(both.perSegment), expected, `${what}: countSegments`);
    // A cell limit stops before the segment whose pieces pass it, as the engine does.
    const all = pieces.reduce((a, b) => a + b, 0);
    for (const maxCells of [0, Math.floor(all / 3), all - 1, all]) {
      let whole = 0;
      let cells = 0;
      while (whole < pieces.length && cells + pieces[whole] <= maxCells) cells += pieces[whole++];
      const limited = countSegments(compiled, segments, { budget: new Budget({ maxCells }) });
      assert.equal(limited.segments, whole, `${what}: segments counted within ${maxCells} cells`);
      assert.deepEqual(Array.from(limited.perSegment), expected.slice(0, whole), `${what}: counts within ${maxCells} cells`);
      assert.equal(limited.stopped, whole < pieces.length ? "max-cells" : undefined, `${what}: stopped within ${maxCells} cells`);
    }
  }
  return { counted, gaveUp };
}

/** A network of dense layers (rows, bias), each but the last followed by relu. */
function denseNet(inputSize: number, dense: { w: number[][]; b: number[] }[]): Network {
  const layers: Layer[] = [];
  let inSize = inputSize;
  dense.forEach((d, l) => {
    layers.push({ type: "dense", inSize, outSize: d.w.length, weight: Float64Array.from(d.w.flat()), bias: Float64Array.from(d.b) });
    if (l < dense.length - 1) layers.push({ type: "relu" });
    inSize = d.w.length;
  });
  return { inputSize, layers };
}

/**
 * Each segment's count from the kernel (when it counts it) and from countSegments against the
 * exact rational oracle's distinct patterns; the segments the kernel counted.
 */
function againstOracle(net: Network, segments: number[][][], what: string): number {
  const compiled = prepare(net);
  const walk = LineWalk.for(compiled);
  assert.ok(walk !== null);
  const n0 = net.inputSize;
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  const exact = segments.map(([a, b]) => new Set(exactSegmentRegions(net, a, b).patterns).size);
  let counted = 0;
  segments.forEach(([a, b], g) => {
    segmentMap(Float64Array.from([...a, ...b]), 0, n0, n0, map, residual);
    const regions = walk.count(map, residual, segmentLength(map, n0, "segment"));
    if (regions === 0) return;
    counted++;
    assert.equal(regions, exact[g], `${what}, segment ${g}: the kernel's count against the exact one`);
  });
  const both = countSegments(compiled, Float64Array.from(segments.flat(2)));
  assert.deepEqual(Array.from(both.perSegment), exact, `${what}: countSegments against the exact counts`);
  return counted;
}

/** A dyadic rational m 2^e (every double is one; sums and products of them stay exact). */
type Exact = { m: bigint; e: number };
const exactOf = (x: number): Exact => decompose(x);
function plus(p: Exact, q: Exact): Exact {
  if (p.m === 0n) return q;
  if (q.m === 0n) return p;
  const e = Math.min(p.e, q.e);
  return { m: (p.m << BigInt(p.e - e)) + (q.m << BigInt(q.e - e)), e };
}
const times = (p: Exact, q: Exact): Exact => ({ m: p.m * q.m, e: p.e + q.e });
/** |p - x| <= bound, exactly. */
function within(p: Exact, x: number, bound: number): boolean {
  const d = plus(p, { m: -exactOf(x).m, e: exactOf(x).e });
  const b = exactOf(bound);
  const e = Math.min(d.e, b.e);
  const dm = d.m < 0n ? -d.m : d.m;
  return dm << BigInt(d.e - e) <= b.m << BigInt(b.e - e);
}

/**
 * What line-walk.as `carry` makes of layer l's bound per unit, in JavaScript, the same operations
 * in the same order (a lane of f64x2 is a double): sum over the active units j of the layer above
 * (increasing j) of |W_ij| E_j, E_j that layer's per-unit bound or its channel's; then
 * (L + (s + (n + 2) 2^-1074) (1 + (n + 16) u)) (1 + 4 u) + 2^-1000; the channel's, their largest
 * over the padded outputs.
 */
function carryTwin(step: AffineStep, above: WalkLayer, layer: WalkLayer): { ea: Float64Array; eb: Float64Array; tt0: number; tt1: number } {
  const u = 2 ** -53;
  const n = step.inSize;
  const w = step.weight as Float64Array;
  const npad = Math.ceil(step.outSize / 8) * 8;
  const floor = (n + 2) * 2 ** -1074;
  const widen = 1 + (n + 16) * u;
  const up = 1 + 4 * u;
  const ea = new Float64Array(step.outSize);
  const eb = new Float64Array(step.outSize);
  let tt0 = 0;
  let tt1 = 0;
  for (let i = 0; i < npad; i++) {
    let s0 = 0;
    let s1 = 0;
    for (let j = 0; j < n; j++) {
      if (above.states[j] === 0 || i >= step.outSize) continue;
      const x = Math.abs(w[i * n + j]);
      s0 = s0 + x * (above.perUnit ? above.ea[j] : above.tt0);
      s1 = s1 + x * (above.perUnit ? above.eb[j] : above.tt1);
    }
    const e0 = (layer.l0 + (s0 + floor) * widen) * up + 2 ** -1000;
    const e1 = (layer.l1 + (s1 + floor) * widen) * up + 2 ** -1000;
    if (i < step.outSize) {
      ea[i] = e0;
      eb[i] = e1;
    }
    tt0 = Math.max(tt0, e0);
    tt1 = Math.max(tt1, e1);
  }
  return { ea, eb, tt0, tt1 };
}

/**
 * What line-walk.as `measure` makes of layer m's bound per unit, in JavaScript, the same
 * operations in the same order (a chain made from the start: the kept levels are the same
 * doubles): P = I, then per level the end's test (every 4 levels), rowsum(|U| + F) L_q, and U W D, F's bound (the
 * kernel's lanes: outputs i = 8b + 0, 4 in one lane, 1, 5 in the other, 2, 6 and 3, 7 in a second
 * pair of lanes, each adding in increasing b).
 */
function measureTwin(steps: AffineStep[], layers: WalkLayer[], m: number, widest: number): { a: Float64Array; b: Float64Array } {
  const u = 2 ** -53;
  const S = (widest + 7) & ~7;
  const slack = 2 ** -990;
  const layer = layers[m];
  const nm = layer.outSize;
  let U: Float64Array[] = Array.from({ length: nm }, (_, r) => Float64Array.from({ length: layer.npad }, (_, i) => (i === r ? 1 : 0)));
  let F: Float64Array[] = Array.from({ length: nm }, () => new Float64Array(layer.npad));
  let RS = new Float64Array(nm).fill(1);
  const RA = new Float64Array(nm);
  const RB = new Float64Array(nm);
  const SA = new Float64Array(nm);
  const SB = new Float64Array(nm);
  const reach = Math.max(Math.abs(layer.lo) + layer.dlo, Math.abs(layer.hi) + layer.dhi);
  const scale = 2 ** -30 * (layer.maxA + layer.maxB * reach);
  let levels = 0;
  let q = m;
  for (;;) {
    const lq = layers[q];
    const npq = lq.npad;
    levels++;
    if (q < m && (q === 0 || levels >= 64 || (m - q) % 4 === 0)) {
      let worst = 0;
      for (let r = 0; r < nm; r++) {
        let sa = 0;
        let sb = 0;
        for (let i = 0; i < npq; i++) {
          const x = Math.abs(U[r][i]) + F[r][i];
          sa += x * (lq.perUnit ? (i < lq.outSize ? lq.ea[i] : 0) : lq.tt0);
          sb += x * (lq.perUnit ? (i < lq.outSize ? lq.eb[i] : 0) : lq.tt1);
        }
        SA[r] = RA[r] + sa;
        SB[r] = RB[r] + sb;
        worst = Math.max(worst, sa + sb * reach);
      }
      if (q === 0 || levels >= 64 || worst <= scale) break;
    }
    for (let r = 0; r < nm; r++) {
      RA[r] = RA[r] + RS[r] * lq.l0;
      RB[r] = RB[r] + RS[r] * lq.l1;
    }
    const p = q - 1;
    const lp = layers[p];
    const step = steps[q];
    const w = step.weight as Float64Array;
    const n = step.inSize;
    const W = (i: number, j: number): number => (i < step.outSize ? w[i * n + j] : 0);
    const k = npq + 8;
    const g = k * u * (1 + 2 ** -20);
    const widen = 1 + (k + 8) * u;
    const U2 = Array.from({ length: nm }, () => new Float64Array(lp.npad));
    const F2 = Array.from({ length: nm }, () => new Float64Array(lp.npad));
    const RS2 = new Float64Array(nm);
    for (let r = 0; r < nm; r++) {
      const C = Float64Array.from({ length: npq }, (_, i) => F[r][i] + g * Math.abs(U[r][i]));
      let rs = 0;
      for (let j = 0; j < lp.outSize; j++) {
        if (lp.states[j] === 0) continue;
        const su = [0, 0];
        const su2 = [0, 0];
        const sf = [0, 0];
        const sf2 = [0, 0];
        for (let b = 0; b < npq; b += 8) {
          for (const [acc, lane, i] of [
            [su, 0, 0],
            [su, 1, 1],
            [su2, 0, 2],
            [su2, 1, 3],
            [su, 0, 4],
            [su, 1, 5],
            [su2, 0, 6],
            [su2, 1, 7],
          ] as const)
            acc[lane] = acc[lane] + U[r][b + i] * W(b + i, j);
          for (const [acc, lane, i] of [
            [sf, 0, 0],
            [sf, 1, 1],
            [sf2, 0, 2],
            [sf2, 1, 3],
            [sf, 0, 4],
            [sf, 1, 5],
            [sf2, 0, 6],
            [sf2, 1, 7],
          ] as const)
            acc[lane] = acc[lane] + C[b + i] * Math.abs(W(b + i, j));
        }
        const uj = su[0] + su2[0] + (su[1] + su2[1]);
        const fj = (sf[0] + sf2[0] + (sf[1] + sf2[1])) * widen + slack;
        U2[r][j] = uj;
        F2[r][j] = fj;
        rs += Math.abs(uj) + fj;
      }
      RS2[r] = rs;
    }
    U = U2;
    F = F2;
    RS = RS2;
    q = p;
  }
  const up = 1 + (2 * S + levels + 16) * u;
  return { a: SA.map((x) => x * up + slack), b: SB.map((x) => x * up + slack) };
}

/**
 * Counts segments of net (a fan of `count` segments) in the kernel and, after each one counted,
 * checks every layer of its last piece: each unit's bound is carry's (carryTwin), or where a
 * measure lowered it the least of carry's and measure's (measureTwin), to the bit; and each
 * unit's computed map is within its bound of the exact map (BigInt, from the segment the kernel
 * was given, through the last piece's states).
 */
function pinnedAndExact(net: Network, count: number): { counted: number; checked: number; lowered: number } {
  const compiled = prepare(net);
  const steps = compiled.steps.filter((s): s is AffineStep => s.kind === "affine");
  const widest = Math.max(net.inputSize, ...steps.slice(0, -1).map((s) => Math.max(s.inSize, Math.ceil(s.outSize / 8) * 8)));
  const walk = LineWalk.for(compiled) as LineWalk;
  const map = new Float64Array(4);
  const residual = new Float64Array(2);
  let checked = 0;
  let counted = 0;
  let lowered = 0;
  for (let g = 0; g < count; g++) {
    const t = g / count;
    segmentMap(Float64Array.of(-1.2 + t, -0.7, 1.1, 0.9 - t), 0, 2, 2, map, residual);
    if (walk.count(map, residual, segmentLength(map, 2, "segment")) === 0) continue;
    counted++;
    const layers = Array.from({ length: steps.length - 1 }, (_, l) => walk.inspect(l).layer);
    const input = walk.inspect(0).input;
    // the exact maps, constant and slope per unit, layer by layer through the last piece's states
    let x: Exact[][] = [Array.from(input.subarray(0, 2), exactOf), Array.from(input.subarray(2, 4), exactOf)];
    for (let l = 0; l < layers.length; l++) {
      const step = steps[l];
      const w = step.weight as Float64Array;
      const n = step.inSize;
      const next: Exact[][] = [[], []];
      for (let i = 0; i < step.outSize; i++) {
        for (const c of [0, 1]) {
          let sum: Exact = c === 0 ? exactOf(step.bias[i]) : { m: 0n, e: 0 };
          for (let j = 0; j < n; j++) if (l === 0 || layers[l - 1].states[j] === 1) sum = plus(sum, times(exactOf(w[i * n + j]), x[c][j]));
          next[c].push(sum);
        }
      }
      x = next;
      const layer = layers[l];
      if (l >= 1) {
        assert.ok(layer.perUnit, `layer ${l} carries per unit`);
        const twin = carryTwin(step, layers[l - 1], layer);
        const same = layer.ea.every((e, i) => e === twin.ea[i]) && layer.eb.every((e, i) => e === twin.eb[i]);
        if (same) {
          assert.equal(layer.tt0, twin.tt0);
          assert.equal(layer.tt1, twin.tt1);
        } else {
          const measured = measureTwin(steps, layers, l, widest);
          // biome-ignore lint/complexity/useMathMinMax: as the kernel, a measure that is not a number keeps carry's bound (Math.min would give NaN)
          const least = (c: Float64Array, a: Float64Array): Float64Array => c.map((v, i) => (a[i] < v ? a[i] : v));
          assert.deepEqual(layer.ea, least(twin.ea, measured.a), `segment ${g}, layer ${l}: the constant terms' bounds, measured`);
          assert.deepEqual(layer.eb, least(twin.eb, measured.b), `segment ${g}, layer ${l}: the slopes' bounds, measured`);
          lowered += layer.ea.filter((e, i) => e < twin.ea[i]).length;
        }
      }
      for (let i = 0; i < step.outSize; i++) {
        const b0 = layer.perUnit ? layer.ea[i] : layer.tt0;
        const b1 = layer.perUnit ? layer.eb[i] : layer.tt1;
        assert.ok(within(x[0][i], layer.a[i], b0), `segment ${g}, layer ${l}, unit ${i}: constant within its bound`);
        assert.ok(within(x[1][i], layer.b[i], b1), `segment ${g}, layer ${l}, unit ${i}: slope within its bound`);
        checked++;
      }
    }
  }
  return { counted, checked, lowered };
}

describe("line walk in WebAssembly (countSegments' kernel)", () => {
  it("counts as the engine, segment by segment, on random and degenerate relu networks", () => {
    const shapes = [
      [2, 16, 16, 16, 1],
      [2, 8, 16, 8, 8, 1],
      [3, 24, 16, 8, 1],
      [2, 7, 13, 5, 3],
      [5, 33, 17, 1],
      [2, 40, 40, 2],
      [2, ...Array.from({ length: 12 }, () => 8), 1],
    ];
    let counted = 0;
    let gaveUp = 0;
    for (const [s, widths] of shapes.entries()) {
      for (const init of ["uniform", "zero-bias", "he"] as const) {
        const base = mlp(widths, { init, seed: 10 * s + init.length });
        for (const [name, make] of degenerate) {
          const net = make(base);
          const r = compare(net, segmentsFor(net, s + 1, 12), `${widths.join("-")} ${init}, ${name}`);
          counted += r.counted;
          gaveUp += r.gaveUp;
        }
      }
    }
    // The comparison can fail only where the kernel counted: most segments (it gives up on exact
    // ties: duplicated units and coincident hyperplanes cross together on every segment, and the
    // segments made through first-layer vertices or along a first-layer line).
    assert.ok(counted > gaveUp && counted > 1000, `segments counted by the kernel ${counted}, given up ${gaveUp}`);
  });

  it("counts deep narrow networks with its bound carried through the states, as the engine", () => {
    // A state-blind bound (|W|_inf per layer) passes the values of He networks of width 8-16 by
    // layer 20-30; carried through the states (an off relu passes nothing) it decides them.
    let counted = 0;
    for (const [s, widths] of [
      [2, ...new Array(24).fill(16), 1],
      [2, ...new Array(30).fill(12), 1],
      [3, ...new Array(40).fill(8), 2],
    ].entries()) {
      for (const init of ["he", "zero-bias"] as const) {
        const net = mlp(widths, { init, seed: 3 + s });
        counted += compare(net, segmentsFor(net, s + 7, 8), `${widths[0]}-${widths[1]}x${widths.length - 2} ${init}`).counted;
      }
    }
    assert.ok(counted >= 24, `segments the kernel counted: ${counted}`);
  });

  it("counts deep narrow networks made degenerate as the engine (per-unit bounds and measures on duplicated, dead, coincident and scaled units)", () => {
    let counted = 0;
    for (const [s, widths] of [
      [2, ...new Array(24).fill(16), 1],
      [2, ...new Array(90).fill(8), 1],
    ].entries()) {
      const base = mlp(widths, { init: "he", seed: 11 + s });
      for (const [name, make] of degenerate) {
        const net = make(base);
        counted += compare(net, segmentsFor(net, 20 + s, 6), `${widths[0]}-${widths[1]}x${widths.length - 2} he, ${name}`).counted;
      }
    }
    assert.ok(counted >= 20, `segments the kernel counted: ${counted}`);
  });

  it("carries each unit's bound as carry's doubles, and the bound holds against the exact map", () => {
    // The pin: halve the bound, drop a term of it (the layer's own rounding, the floor, the
    // widening, a unit's input bound) or count an off unit in, and the doubles differ. And the
    // bound holds: every unit's computed map on the segment's last piece is within it of the
    // exact map (BigInt, from the segment the kernel was given, through the last piece's states).
    const net = mlp([2, ...new Array(16).fill(12), 1], { init: "he", seed: 5 });
    const r = pinnedAndExact(net, 10);
    assert.ok(r.counted >= 8 && r.checked > 1000, `segments counted ${r.counted}, units checked ${r.checked}`);
  });

  it("measures deep layers with the adjoint bound: measure's doubles, and the bound holds against the exact map", () => {
    // He 2-8x90: the carried bound leaves signs open from about layer 70; the adjoint measure
    // lowers it. Every bound is carry's or the least of carry's and measure's (a JavaScript twin
    // of each, the same doubles: halving either or dropping a term fails), and every unit's
    // computed map on the last piece is within it of the exact map.
    const net = mlp([2, ...new Array(90).fill(8), 1], { init: "he", seed: 0 });
    const r = pinnedAndExact(net, 6);
    assert.ok(r.counted >= 5 && r.lowered > 20, `segments counted ${r.counted}, units whose bound a measure lowered ${r.lowered}`);
  });

  it("counts networks that end with relu (no output layer) and larger widths", () => {
    const relu: Network = mlp([2, 24, 24], { init: "uniform", seed: 4 });
    const ending: Network = { inputSize: 2, layers: [...relu.layers, { type: "relu" }] };
    const r1 = compare(ending, segmentsFor(ending, 3, 30), "2-24-24 relu");
    const wide = mlp([2, 64, 64, 64, 1], { init: "uniform", seed: 2 });
    const r2 = compare(wide, segmentsFor(wide, 5, 40), "2-64x3-1");
    assert.ok(r1.counted > 20 && r2.counted > 30, `counted ${r1.counted}, ${r2.counted}`);
  });

  it("gives up on integer networks full of exact ties, and countSegments still counts as the engine", () => {
    const before = { ...walkRuns };
    let gaveUp = 0;
    let counted = 0;
    for (let seed = 0; seed < 8; seed++) {
      const { net, segments } = integerTies(seed, 3);
      const r = compare(net, segments, `integer network ${seed}`);
      gaveUp += r.gaveUp;
      counted += r.counted;
    }
    assert.ok(gaveUp > 20, `segments given up: ${gaveUp}`);
    assert.ok(walkRuns.gaveUp - before.gaveUp >= gaveUp, "countSegments met the give-ups too");
    // and counted (as the engine) the segments with no tie
    assert.ok(counted > 0, `segments counted: ${counted}`);
  });

  it("is not used for other activations", () => {
    const leaky = prepare(mlp([2, 8, 8, 1], { init: "uniform", seed: 1, activation: { type: "leaky-relu", slope: 0.2 } }));
    assert.equal(LineWalk.for(leaky), null);
    const before = walkRuns.counted + walkRuns.gaveUp;
    countSegments(leaky, Float64Array.of(-1, -1, 1, 1));
    assert.equal(walkRuns.counted + walkRuns.gaveUp, before);
    const net = prepare(mlp([2, 8, 8, 1], { init: "uniform", seed: 1 }));
    countSegments(net, Float64Array.of(-1, -1, 1, 1));
    assert.equal(walkRuns.counted + walkRuns.gaveUp, before + 1);
  });

  it("bounds a propagated direction whose products fall below float64's normal range", () => {
    // Layer 1's weights 2^-550, layer 2's 2^-550: after unit 0 of layer 0 (values 2^990) turns
    // on at x = 0, layer 2's map moves by W2 W1[:, 0] (0, 2^990), a slope of 2^-110, but the
    // propagated direction W2 W1[:, 0] = 2^-1100 rounds to 0. Unit 0 of layer 2, 2^-110 (x - 3)
    // before, is 2^-110 (2x - 3) after: it turns on at 1.5, 3 regions on [-2, 2]. The kernel,
    // its bound relative only, counted 2 (its map still 2^-110 (x - 3)).
    const rest = <T>(f: (i: number) => T): T[] => Array.from({ length: 6 }, (_, i) => f(i));
    const unit = (k: number, w: number, n: number) => Array.from({ length: n }, (_, c) => (c === k ? w : 0));
    const net = denseNet(1, [
      { w: [[2 ** 990], [2 ** 990], ...rest((i) => [2 ** 990 * (1 + i / 8)])], b: [0, 4 * 2 ** 990, ...rest((i) => 5 * 2 ** 990 * (1 + i / 8))] },
      { w: [[2 ** -550, 2 ** -550, 0, 0, 0, 0, 0, 0], ...rest((i) => unit(1, 2 ** -550 * (1 + i / 16), 8)), unit(1, 2 ** -550 * 1.5, 8)], b: new Array(8).fill(0) },
      { w: [unit(0, 2 ** -550, 8), ...rest((i) => unit(1, 2 ** -550 * (1 + i / 16), 8)), unit(1, 2 ** -550 * 1.5, 8)], b: [-7 * 2 ** -110, ...new Array(7).fill(0)] },
      { w: [new Array(8).fill(1)], b: [0] },
    ]);
    againstOracle(
      net,
      [
        [[-2], [2]],
        [[-1.5], [2]],
        [[-2], [1.75]],
      ],
      "2^990, 2^-550, 2^-550",
    );
  });

  it("lays a network out again in an instance another network took over (after a release)", () => {
    // A walk keeps its kernel instance; after a large network's release a new instance serves the
    // next walks. The first walk, counting again, once skipped its layout because its network was
    // the one laid out last, but in the new instance: it counted the large network's layout.
    const small = prepare(mlp([2, 16, 16, 1], { init: "uniform", seed: 1 }));
    const large = prepare(mlp([2, 2100, 2100, 1], { init: "uniform", seed: 2 }));
    const segment = Float64Array.of(-1, -0.5, 1, 0.7);
    const map = new Float64Array(4);
    const residual = new Float64Array(2);
    segmentMap(segment, 0, 2, 2, map, residual);
    const length = segmentLength(map, 2, "segment");
    const exact = new Set(exactSegmentRegions(mlp([2, 16, 16, 1], { init: "uniform", seed: 1 }), [-1, -0.5], [1, 0.7]).patterns).size;
    const first = LineWalk.for(small) as LineWalk;
    assert.equal(first.count(map, residual, length), exact);
    const big = LineWalk.for(large) as LineWalk;
    assert.ok(big.count(map, residual, length) > 0);
    big.release();
    const again = LineWalk.for(small) as LineWalk;
    assert.equal(again.count(map, residual, length), exact);
    assert.equal(first.count(map, residual, length), exact, "the first walk, in its own instance");
  });

  it("counts a second network after a segment of more than 128 regions (the pattern set made again, empty)", () => {
    // The set's size was left from the last segment when a new network was laid out: growSet
    // then placed that many patterns again in 256 slots and probed the full table forever.
    const many = prepare(mlp([2, 256, 256, 1], { init: "uniform", seed: 1 }));
    const long = Float64Array.of(-20, -10, 20, 12);
    assert.ok(countSegments(many, long).perSegment[0] > 128);
    const net = mlp([2, 16, 16, 1], { init: "uniform", seed: 2 });
    const exact = new Set(exactSegmentRegions(net, [-1, -0.5], [1, 0.7]).patterns).size;
    const before = walkRuns.counted;
    assert.deepEqual(Array.from(countSegments(prepare(net), Float64Array.of(-1, -0.5, 1, 0.7)).perSegment), [exact]);
    assert.equal(walkRuns.counted, before + 1, "the kernel counted it");
  });
});
