/**
 * The plane engine's adjoint bound (regions/plane-adjoint.ts; docs/numerics.md, "An adjoint
 * bound on a settled chain"): adjointRow against the exact sums it bounds (in BigInt), every
 * bound the engine makes on deep networks against the exact map's distance, and the partitions
 * with it against those without it (every decision it takes was exact there) and the oracle.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decompose } from "../../src/geometry/exact.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { type Dyadic, dyadicOf, dyadicOfSum, ExactMaps, lift } from "../../src/regions/exact-maps.ts";
import { EPS } from "../../src/regions/map-error.ts";
import type { PlanePartition } from "../../src/regions/partition.ts";
import { boxSlice, type PlaneSlice, parallelogramSlice, planePartition } from "../../src/regions/plane.ts";
import { type AdjointLink, AdjointScratch, adjointRow, adjointRows, type PlaneAdjointProbe } from "../../src/regions/plane-adjoint.ts";
import { AROUND_ORIGIN, assertExact, zeroBiasDeep } from "../invariance/plane-global-cases.ts";

// ---------------------------------------------------------------------------------------------
// Exact dyadic numbers m 2^e (BigInt), for the sums adjointRow bounds.

interface Q {
  m: bigint;
  e: number;
}
const q = (x: number): Q => (x === 0 ? { m: 0n, e: 0 } : decompose(x));
const align = (a: Q, b: Q): [bigint, bigint, number] => {
  const e = Math.min(a.e, b.e);
  return [lift(a.m, a.e, e), lift(b.m, b.e, e), e];
};
const add = (a: Q, b: Q): Q => {
  const [x, y, e] = align(a, b);
  return { m: x + y, e };
};
const mul = (a: Q, b: Q): Q => ({ m: a.m * b.m, e: a.e + b.e });
const abs = (a: Q): Q => ({ m: a.m < 0n ? -a.m : a.m, e: a.e });
/** a <= b exactly. */
const le = (a: Q, b: Q): boolean => {
  const [x, y] = align(a, b);
  return x <= y;
};
/** a / b as a double (for messages and ratios). */
const ratio = (a: Q, b: Q): number => {
  if (b.m === 0n) return a.m === 0n ? 0 : Number.POSITIVE_INFINITY;
  const shift = 80n;
  const [x, y] = align(a, b);
  return Number((x << shift) / y) / 2 ** 80;
};

/** sum_k rowsum |row i of P_{p,k}| local_k[c] + rowsum |row i of P_{p,0}| start[c], exactly (what adjointRow bounds). */
function exactSums(links: AdjointLink[], start: Float64Array, i: number, channels: number): Q[] {
  const out: Q[] = Array.from({ length: channels }, () => ({ m: 0n, e: 0 }));
  let u: Q[] = Array.from({ length: links[links.length - 1].outSize }, (_, r) => q(r === i ? 1 : 0));
  for (let k = links.length - 1; k >= -1; k--) {
    let S: Q = { m: 0n, e: 0 };
    for (const x of u) S = add(S, abs(x));
    const L = k >= 0 ? links[k].local : start;
    for (let c = 0; c < channels; c++) out[c] = add(out[c], mul(S, q(L[c])));
    if (k < 0) break;
    const { weight: W, inSize: m, outSize: n, slopes } = links[k];
    const next: Q[] = [];
    for (let j = 0; j < m; j++) {
      let t: Q = { m: 0n, e: 0 };
      for (let r = 0; r < n; r++) t = add(t, mul(u[r], q(W[r * m + j])));
      next.push(mul(t, q(slopes[j])));
    }
    u = next;
  }
  return out;
}

function randomChain(seed: number, depth: number, width: number): { links: AdjointLink[]; start: Float64Array } {
  const rng = createRandom(seed);
  const links: AdjointLink[] = [];
  const slopeChoices = [0, 1, 1, 0.25, -1];
  for (let k = 0; k < depth; k++) {
    const weight = new Float64Array(width * width);
    for (let x = 0; x < weight.length; x++) weight[x] = rng.normal() * Math.sqrt(2 / width);
    const slopes = new Float64Array(width);
    for (let j = 0; j < width; j++) slopes[j] = slopeChoices[Math.floor(rng.uniform(0, slopeChoices.length))];
    links.push({ weight, inSize: width, outSize: width, slopes, local: Float64Array.of(rng.uniform(0, 1) * 1e-15, rng.uniform(0, 1) * 1e-16, 3e-16) });
  }
  return { links, start: Float64Array.of(2e-15, 0, 1e-17) };
}

test("adjointRow: at least the exact sums it bounds and within 2^-20 of them (so half of it is not a bound)", () => {
  const scratch = new AdjointScratch();
  const out = new Float64Array(3);
  let closest = Number.POSITIVE_INFINITY;
  for (let seed = 0; seed < 6; seed++) {
    const { links, start } = randomChain(seed, 6 + 4 * seed, 4 + (seed % 3) * 2);
    for (let i = 0; i < links[links.length - 1].outSize; i++) {
      adjointRow(links, links.length, start, 3, i, out, scratch);
      const exact = exactSums(links, start, i, 3);
      for (let c = 0; c < 3; c++) {
        assert.ok(le(exact[c], q(out[c])), `seed ${seed} row ${i} channel ${c}: ${out[c]} below the exact sum (ratio ${ratio(exact[c], q(out[c]))})`);
        assert.ok(le(q(out[c]), add(exact[c], mul(exact[c], q(2 ** -20)))), `seed ${seed} row ${i} channel ${c}: ${out[c]} not tight (${ratio(q(out[c]), exact[c])})`);
        closest = Math.min(closest, ratio(q(out[c]), exact[c]));
      }
    }
  }
  assert.ok(closest >= 1);
});

test("adjointRow: a product that cancels to 0 in float64 but not exactly is covered by the rows' own rounding bound", () => {
  // The last step's row is (1, -c); the step before it has the column (a, b), a = fl(c b): the
  // computed product a - fl(c b) is 0, the exact a - c b is not. Only the second-order term (the
  // bound of the rows' own rounding) covers it.
  const c = 0.3;
  const b = 0.1;
  const a = c * b;
  assert.notEqual(BigInt(0), add(q(a), mul(q(-c), q(b))).m);
  const links: AdjointLink[] = [
    { weight: Float64Array.of(a, b), inSize: 1, outSize: 2, slopes: Float64Array.of(1), local: Float64Array.of(0, 0, 0) },
    { weight: Float64Array.of(1, -c), inSize: 2, outSize: 1, slopes: Float64Array.of(1, 1), local: Float64Array.of(0, 0, 0) },
  ];
  const start = Float64Array.of(1, 1, 1);
  const out = new Float64Array(3);
  adjointRow(links, 2, start, 3, 0, out, new AdjointScratch());
  const exact = exactSums(links, start, 0, 3);
  for (let ch = 0; ch < 3; ch++) assert.ok(le(exact[ch], q(out[ch])), `channel ${ch}: ${out[ch]} below the exact ${ratio(exact[ch], q(1))}`);
});

/**
 * The bound as its definition has it (the first adjointRow, every unit of every step summed,
 * one row at a time): adjointRow and adjointRows skip the units and entries that add nothing and
 * must give the same doubles, NaN and Infinity included.
 */
function definitionRow(links: readonly AdjointLink[], count: number, start: Float64Array, channels: number, i: number): Float64Array {
  const TINY = 2 ** -1000;
  const out = new Float64Array(channels);
  let n = links[count - 1].outSize;
  let u = new Float64Array(n);
  let f = new Float64Array(n);
  u[i] = 1;
  for (let k = count - 1; k >= -1; k--) {
    let S = 0;
    for (let j = 0; j < n; j++) S += Math.abs(u[j]) + f[j];
    S = S * (1 + (n + 3) * EPS) + TINY;
    const L = k >= 0 ? links[k].local : start;
    for (let c = 0; c < channels; c++) if (L[c] !== 0) out[c] += S * L[c];
    if (k < 0) break;
    const { weight: W, inSize: m, slopes } = links[k];
    const G = (n + 3) * EPS;
    const up = 1 + (n + 5) * EPS;
    const nu = new Float64Array(m);
    const nf = new Float64Array(m);
    for (let r = 0; r < n; r++) {
      const ur = u[r];
      if (ur === 0 && f[r] === 0) continue;
      const fr = f[r] + G * Math.abs(ur);
      for (let j = 0; j < m; j++) {
        nu[j] += ur * W[r * m + j];
        nf[j] += fr * Math.abs(W[r * m + j]);
      }
    }
    for (let j = 0; j < m; j++) {
      const d = slopes[j];
      nu[j] = nu[j] * d;
      nf[j] = d === 0 ? 0 : nf[j] * Math.abs(d) * up + TINY;
    }
    u = nu;
    f = nf;
    n = m;
  }
  const widen = 1 + (count + 8) * EPS;
  for (let c = 0; c < channels; c++) out[c] = out[c] * widen + TINY;
  return out;
}

test("adjointRow and adjointRows: the definition's doubles (units that pass nothing skipped), overflow and weights not finite included", () => {
  const scratch = new AdjointScratch();
  const cases: { name: string; links: AdjointLink[]; start: Float64Array }[] = [];
  for (let seed = 0; seed < 8; seed++) cases.push({ name: `random ${seed}`, ...randomChain(100 + seed, 5 + 5 * seed, 3 + (seed % 4) * 2) });
  // Weights of 1e40: the products overflow after a few steps (Infinity, and Infinity times a slope 0 is NaN).
  const huge = randomChain(7, 12, 6);
  for (const link of huge.links) for (let x = 0; x < link.weight.length; x++) link.weight[x] *= 1e40;
  cases.push({ name: "overflow", ...huge });
  // A weight NaN or Infinity into a unit whose slope is 0: the definition's sum is NaN there, and so is the bound.
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const chain = randomChain(11, 10, 5);
    const link = chain.links[4];
    link.slopes[2] = 0;
    link.weight[1 * 5 + 2] = bad;
    cases.push({ name: `weight ${bad}`, ...chain });
    // The same with the weights' norm given (as plane.ts gives it): NaN or Infinity too.
    const given = randomChain(11, 10, 5);
    given.links[4].slopes[2] = 0;
    given.links[4].weight[1 * 5 + 2] = bad;
    for (const l of given.links) {
      let best = 0;
      for (let r = 0; r < l.outSize; r++) {
        let row = 0;
        for (let j = 0; j < l.inSize; j++) row += Math.abs(l.weight[r * l.inSize + j]);
        best = Math.max(best, row);
      }
      l.normInf = best;
    }
    cases.push({ name: `weight ${bad}, norm given`, ...given });
  }
  let nonFinite = 0;
  for (const { name, links, start } of cases) {
    for (const count of [1, Math.ceil(links.length / 2), links.length]) {
      const n = links[count - 1].outSize;
      const rows = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
      const all = new Float64Array(3 * n);
      adjointRows(links, count, start, 3, rows, n, all, scratch);
      for (let b = 0; b < n; b++) {
        const want = definitionRow(links, count, start, 3, rows[b]);
        const one = new Float64Array(3);
        adjointRow(links, count, start, 3, rows[b], one, scratch);
        for (let c = 0; c < 3; c++) {
          assert.ok(Object.is(one[c], want[c]), `${name}, ${count} links, row ${rows[b]}, channel ${c}: adjointRow ${one[c]}, the definition ${want[c]}`);
          assert.ok(Object.is(all[3 * b + c], want[c]), `${name}, ${count} links, row ${rows[b]}, channel ${c}: adjointRows ${all[3 * b + c]}, the definition ${want[c]}`);
          if (!Number.isFinite(want[c])) nonFinite++;
        }
      }
    }
  }
  assert.ok(nonFinite > 0, "no case reached a bound that is not finite");
});

// ---------------------------------------------------------------------------------------------
// The engine's bounds against the exact map.

/** The slice map (3 channels x 2 inputs) exactly, as the engine's exact maps take it. */
function exactSlice(slice: PlaneSlice): Dyadic {
  const map = Float64Array.of(...slice.origin, ...slice.e1, ...slice.e2);
  if (slice.rounding === undefined) return dyadicOf(map);
  return dyadicOfSum(map, Float64Array.of(0, 0, ...slice.rounding.e1, ...slice.rounding.e2));
}

interface Checked {
  probes: number;
  checked: number;
  /** Largest |computed - exact| / bound over the checked units and channels. */
  worst: number;
}

/**
 * The partition, with every `every`-th adjoint bound the engine makes checked exactly: the map
 * cut (unit j, each channel) is within the bound of the exact map on the cell (`scale` times the
 * bound: 1 here; a test that it can fail runs it smaller).
 */
function partitionChecked(net: Network, slice: PlaneSlice, domain: Float64Array, every: number, scale = 1): { p: PlanePartition; checked: Checked } {
  const compiled = prepare(net);
  const checked: Checked = { probes: 0, checked: 0, worst: 0 };
  const exactStart = exactSlice(slice);
  const seen: NonNullable<PlaneAdjointProbe["seen"]> = (s, j, z, bound, states) => {
    if (checked.probes++ % every !== 0) return;
    const kept: Uint8Array[] = [];
    for (let k = 0; k < s; k++) {
      const step = compiled.steps[k];
      if (step.kind === "elementwise" || step.kind === "max") kept[k] = states(k).slice();
    }
    const maps = new ExactMaps(compiled.steps, (k) => kept[k], 3);
    maps.segment(new Float64Array(0), () => exactStart);
    const exact = maps.input(s);
    const n = z.length / 3;
    for (let c = 0; c < 3; c++) {
      const computed = q(z[c * n + j]);
      const diff = abs(add(computed, { m: -exact.v[c * n + j], e: exact.e }));
      const b = q(bound[c] * scale);
      checked.worst = Math.max(checked.worst, ratio(diff, q(bound[c])));
      assert.ok(le(diff, b), `step ${s} unit ${j} channel ${c}: ${bound[c] * scale} below the distance ${ratio(diff, q(1))}`);
    }
    checked.checked++;
  };
  return { p: planePartition(compiled, slice, { domain, adjointProbe: { seen } }), checked };
}

/** The same partition without adjoint bounds (every decision they take goes to the exact maps there): none made. */
function partitionWithout(net: Network, slice: PlaneSlice, domain: Float64Array): PlanePartition {
  let made = 0;
  const p = planePartition(prepare(net), slice, { domain, adjointProbe: { off: true, seen: () => made++ } });
  assert.equal(made, 0, "adjoint bounds made with the probe's off");
  return p;
}

function assertSamePartition(a: PlanePartition, b: PlanePartition, what: string): void {
  assert.equal(a.activationRegions, b.activationRegions, `${what}: regions`);
  assert.equal(a.uncertain ?? 0, 0, `${what}: uncertain`);
  assert.deepEqual(a.cellStart, b.cellStart, `${what}: cells`);
  assert.deepEqual(a.vertices, b.vertices, `${what}: vertices`);
  assert.deepEqual(a.patterns, b.patterns, `${what}: patterns`);
  assert.deepEqual(a.edgeLine, b.edgeLine, `${what}: edge lines`);
}

const he = (width: number, depth: number, seed = 0): Network => mlp([2, ...Array(depth).fill(width), 1], { init: "he", seed });
const square = (lo: number, hi: number): { slice: PlaneSlice; domain: Float64Array } =>
  parallelogramSlice(Float64Array.of(lo, lo), Float64Array.of(hi, lo), Float64Array.of(lo, hi));

test("deep He networks (one of mixed widths): every adjoint bound checked is at least the distance to the exact map; the partition is the one without them", () => {
  const cases: [Network, { slice: PlaneSlice; domain: Float64Array }, string, number][] = [
    [he(8, 28), square(-1, 1), "2-8x28 [-1, 1]^2 (corner -1, -1)", 1],
    [he(8, 32), square(-1, 1), "2-8x32 [-1, 1]^2 (corner -1, -1)", 20],
    [he(8, 34), square(0, 0.5), "2-8x34 [0, 0.5]^2", 2],
    // Widths 10 and 5 in turn: the per-unit bounds of one step's cut are not another's.
    [mlp([2, ...Array.from({ length: 36 }, (_, l) => (l % 2 === 0 ? 10 : 5)), 1], { init: "he", seed: 0 }), square(-1, 1), "2-(10-5)x18 [-1, 1]^2", 1],
  ];
  for (const [net, { slice, domain }, what, every] of cases) {
    const { p, checked } = partitionChecked(net, slice, domain, every);
    assert.ok(checked.checked > 0, `${what}: no adjoint bound made`);
    assertSamePartition(p, partitionWithout(net, slice, domain), what);
  }
});

test("2-8x36 and 2-8x40 He over [-1, 1]^2: the bounds checked on sampled cells, the 939 regions of the shallower ones", () => {
  for (const depth of [36, 40]) {
    const { p, checked } = partitionChecked(he(8, depth), boxSlice(-1, 1).slice, boxSlice(-1, 1).domain, 97);
    assert.ok(checked.checked > 20, `depth ${depth}: ${checked.checked} checked`);
    // The deep layers of this network add no region (2-8x24's count, compared with the exact engine above).
    assert.equal(p.activationRegions, 939);
    assert.equal(p.uncertain ?? 0, 0);
  }
});

test("2-16x12 He and zero-bias 2-8x24: the partition with adjoint bounds is the one without", () => {
  const zeroBias = mlp([2, ...Array(24).fill(8), 1], { init: "zero-bias", seed: 0 });
  for (const [net, what] of [
    [he(16, 12), "2-16x12 He"],
    [zeroBias, "zero-bias 2-8x24"],
  ] as const) {
    const { slice, domain } = boxSlice(-1, 1);
    const { p } = partitionChecked(net, slice, domain, 50);
    assertSamePartition(p, partitionWithout(net, slice, domain), what);
  }
});

test("zero-bias deep narrow networks about the origin: adjoint bounds made and checked, the exact oracle's regions and patterns", () => {
  let made = 0;
  for (let seed = 0; seed < 6; seed++) {
    const net = zeroBiasDeep(seed);
    const [p1, p2, p3] = AROUND_ORIGIN[seed % AROUND_ORIGIN.length];
    const { slice } = parallelogramSlice(Float64Array.from(p1), Float64Array.from(p2), Float64Array.from(p3));
    const { checked } = partitionChecked(net, slice, parallelogramSlice(Float64Array.from(p1), Float64Array.from(p2), Float64Array.from(p3)).domain, 1);
    made += checked.probes;
    assertExact(net, p1, p2, p3, `seed ${seed}`);
  }
  assert.ok(made > 0, "no adjoint bound made");
});
