/**
 * Degenerate networks for the exactness audit of the whole-domain engine against the exact
 * oracles (test/whole/exact-oracle.test.ts, docs/whole.md "Exactness audit"), drawn from a seed:
 * - `lattice`: first-layer hyperplanes through points of a grid of the box (corners included),
 *   some with zero bias (through the origin), duplicated and scaled copies (x2, x3, x-1, x0.1),
 *   deeper units k h_i - h_j (nearly) cancelling; integer weights, or 0.1, 0.3, 1/3, 0.7 times
 *   integers (`nonDyadic`), relu, leaky relu, abs, hard tanh or maxout 2 (`maxout`);
 * - `decimal`: weights, biases and breakpoints 0.1, 0.2, 0.3, ... (near-coincidences that round);
 * - `integer`: integer weights, zero biases, a unit a multiple of the first, maxout ties.
 * The last two are the space engine's audit's (test/space/exact-oracle.test.ts).
 * - `nearlyDependent`: a lattice network whose first layer is two units and rounded non-dyadic
 *   multiples of them (float64 rank 2, exact rank 3), with deeper units k h_j - h_i that cancel
 *   up to that rounding; `liftedTo5` puts a 3-input network on 5 inputs with the same regions.
 */
import type { Layer, Network } from "../../src/model/layers.ts";
import { createRandom, type Random } from "../../src/model/random.ts";
import { denseLayer as dense } from "../invariance/networks.ts";

const between = (rng: Random, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
const decimalActivation = (i: number): Layer => [{ type: "relu" }, { type: "leaky-relu", slope: 0.1 }, { type: "abs" }, { type: "hard-tanh", lo: -0.3, hi: 0.7 }][i] as Layer;
const anyActivation = (rng: Random): Layer =>
  [{ type: "relu" }, { type: "leaky-relu", slope: 0.5 }, { type: "abs" }, { type: "hard-tanh", lo: -1, hi: 1 }, { type: "relu" }][rng.int(5)] as Layer;

export function lattice(seed: number, n0: number, B: number, options: { nonDyadic?: boolean; maxout?: boolean } = {}): Network {
  const rng = createRandom(seed);
  const nd = options.nonDyadic === true;
  const c = nd ? [0.1, 0.3, 1 / 3, 0.7][rng.int(4)] : 1;
  const g = options.maxout ? 2 : 1;
  const grid = [-B, -B / 2, 0, B / 2, B];
  const points: number[][] = [];
  for (let m = 0; m < grid.length ** n0; m++) {
    const p: number[] = [];
    for (let d = 0, rest = m; d < n0; d++, rest = Math.floor(rest / grid.length)) p.push(grid[rest % grid.length]);
    points.push(p);
  }
  const w1 = 3 + rng.int(3);
  const rows: number[][] = [];
  const bias: number[] = [];
  while (rows.length < w1 * g) {
    if (rows.length > 0 && rng.next() < 0.3) {
      // A copy of an earlier unit, scaled.
      const j = rng.int(rows.length);
      const m = nd ? [2, 3, -1, 1, 0.1, 3][rng.int(6)] : [2, 3, -1, 1, -2, 3][rng.int(6)];
      rows.push(rows[j].map((x) => x * m));
      bias.push(bias[j] * m);
      continue;
    }
    const w = Array.from({ length: n0 }, () => between(rng, -3, 3) * c);
    if (w.every((x) => x === 0)) continue;
    // Through a grid point (or the origin).
    const p = points[rng.int(points.length)];
    let b = 0;
    for (let i = 0; i < n0; i++) b -= w[i] * p[i];
    rows.push(w);
    bias.push(rng.next() < 0.15 ? 0 : b);
  }
  const layers: Layer[] = [dense(rows, bias)];
  const first = anyActivation(rng);
  layers.push(options.maxout ? { type: "maxout", k: 2 } : first);
  let inSize = w1;
  const depth = 1 + rng.int(2);
  for (let d = 0; d < depth; d++) {
    const units = 2 + rng.int(3);
    const r2: number[][] = [];
    const b2: number[] = [];
    while (r2.length < units * g) {
      if (rng.next() < 0.35 && inSize >= 2) {
        // k h_i - h_j: zero, or nearly, where h_j is a multiple of h_i.
        const i = rng.int(inSize);
        const j = rng.int(inSize);
        const w = new Array(inSize).fill(0);
        w[i] += nd ? [1, 2, 3, 0.1, 1 / 3][rng.int(5)] : [1, 2, 3, -1, 1][rng.int(5)];
        w[j] -= 1;
        r2.push(w);
        b2.push(rng.next() < 0.5 ? 0 : between(rng, -1, 1) * c * B);
      } else {
        r2.push(Array.from({ length: inSize }, () => between(rng, -2, 2) * c));
        b2.push(rng.next() < 0.4 ? 0 : between(rng, -2, 2) * c * B);
      }
    }
    layers.push(dense(r2, b2));
    layers.push(options.maxout ? { type: "maxout", k: 2 } : rng.next() < 0.5 ? first : anyActivation(rng));
    inSize = units;
  }
  layers.push(dense([new Array(inSize).fill(1)], [0]));
  return { inputSize: n0, layers };
}

export function decimal(seed: number, n0: number, maxout = false): Network {
  const values = maxout ? [-0.7, -0.3, 0.1, 0.3, 0.7, 1.1, -1.1, 0] : [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.6, 1, -1];
  const rng = createRandom(seed + 5000);
  const depth = 1 + rng.int(3);
  const activation = rng.int(4);
  const draw = (): number => values[rng.int(values.length)];
  const layers: Layer[] = [];
  let inSize = n0;
  for (let l = 0; l < depth; l++) {
    const width = 2 + rng.int(depth === 1 ? 5 : 3);
    const rows = Array.from({ length: width }, () => Array.from({ length: inSize }, draw));
    const bias = Array.from({ length: width }, draw);
    if (maxout) {
      const even = width - (width % 2);
      layers.push(dense(rows.slice(0, even), bias.slice(0, even)), { type: "maxout", k: 2 });
      inSize = even / 2;
    } else {
      layers.push(dense(rows, bias), decimalActivation(activation));
      inSize = width;
    }
  }
  layers.push(dense([Array.from({ length: inSize }, draw)], [draw()]));
  return { inputSize: n0, layers };
}

export function integer(seed: number, n0: number): Network {
  const rng = createRandom(seed + 1000);
  const maxout = seed % 4 === 3;
  const zero = seed % 4 === 2;
  const draw = (): number => rng.int(5) - 2;
  const depth = 1 + rng.int(3);
  const layers: Layer[] = [];
  let inSize = n0;
  for (let l = 0; l < depth; l++) {
    const width = 2 * (1 + rng.int(3));
    const rows = Array.from({ length: width }, () => Array.from({ length: inSize }, draw));
    const bias = rows.map(() => (zero ? 0 : draw()));
    // The last unit the first times 2, 3, -1, -2 or 1.
    const s = [2, 3, -1, -2, 1][rng.int(5)];
    rows[width - 1] = rows[0].map((w) => s * w);
    bias[width - 1] = s * bias[0];
    layers.push(dense(rows, bias), maxout ? { type: "maxout", k: 2 } : [{ type: "relu" } as Layer, decimalActivation(1), decimalActivation(2)][rng.int(3)]);
    inSize = maxout ? width / 2 : width;
  }
  layers.push(dense([Array.from({ length: inSize }, draw)], [draw()]));
  return { inputSize: n0, layers };
}

/** The network with its first layer's weights times s (in a box divided by s: the same arrangement). */
export function scaleFirst(net: Network, s: number): Network {
  const [first, ...rest] = net.layers;
  if (first.type !== "dense") throw new Error("the first layer is dense");
  return { inputSize: net.inputSize, layers: [{ ...first, weight: first.weight.map((w) => w * s) }, ...rest] };
}

/**
 * A slice through k + 1 points (k = 2 or 3, or `pointCount` - 1 when given) of 3 or 4 inputs
 * with decimal coordinates (their differences round), and a network whose first layer has
 * coordinate planes through the points (the space engine's audit's slices, with 2-D ones too).
 */
export function sliceThroughDecimals(seed: number, pointCount?: number): { net: Network; points: Float64Array[] } {
  const values = [0.1, 0.2, 0.3, 0.7, 1.1, -0.3, -0.7, 0.9];
  const rng = createRandom(seed + 9000);
  const n0 = 3 + rng.int(2);
  const k = pointCount !== undefined ? pointCount - 1 : 2 + rng.int(2);
  const points = Array.from({ length: k + 1 }, () => Float64Array.from({ length: n0 }, () => values[rng.int(values.length)]));
  const depth = 1 + rng.int(2);
  const layers: Layer[] = [];
  let inSize = n0;
  for (let l = 0; l < depth; l++) {
    const width = 2 + rng.int(4);
    const rows: number[][] = [];
    const bias: number[] = [];
    for (let i = 0; i < width; i++) {
      if (l === 0 && rng.int(2) === 0) {
        // A coordinate plane through one of the points.
        const row = new Array(n0).fill(0);
        const d = rng.int(n0);
        row[d] = 1;
        rows.push(row);
        bias.push(-points[rng.int(k + 1)][d]);
      } else {
        rows.push(Array.from({ length: inSize }, () => values[rng.int(values.length)] * (rng.int(2) ? 1 : -1)));
        bias.push(values[rng.int(values.length)]);
      }
    }
    layers.push(dense(rows, bias), { type: "relu" });
    inSize = width;
  }
  layers.push(dense([new Array(inSize).fill(1)], [0]));
  return { net: { inputSize: n0, layers }, points };
}

/**
 * A lattice network in [-B, B]^3 cut by 1-3 rows A x <= b: through grid points (0.1 x integers
 * with `nonDyadic`), or a first-layer unit's own hyperplane (either side), and the same network
 * with those rows as its first units (read by nothing after: the oracle's regions of the polytope
 * are its cells with those units in state 0), or null when the first activation is hard tanh
 * (whose first breakpoint is not 0).
 */
export function cutLattice(seed: number, nonDyadic: boolean): { net: Network; oracleNet: Network; A: number[]; b: number[]; B: number } | null {
  const B = [1, 2, 0.5][seed % 3];
  const net = lattice(seed * 19 + 3, 3, B, { nonDyadic });
  const [first, act, next, ...rest] = net.layers;
  if (first.type !== "dense" || next.type !== "dense" || !(act.type === "relu" || act.type === "leaky-relu" || act.type === "abs")) return null;
  const rng = createRandom(seed + 4242);
  const count = 1 + rng.int(3);
  const A: number[] = [];
  const b: number[] = [];
  for (let j = 0; j < count; j++) {
    if (rng.int(3) === 0) {
      const u = rng.int(first.outSize);
      const s = rng.int(2) ? 1 : -1;
      for (let d = 0; d < 3; d++) A.push(s * first.weight[u * 3 + d]);
      b.push(-s * first.bias[u]);
    } else {
      const c = nonDyadic ? 0.1 : 1;
      const a: number[] = [0, 1, 2].map(() => (rng.int(5) - 2) * c);
      if (!a.some((x) => x !== 0)) a[0] = c;
      const grid = [-B, -B / 2, 0, B / 2, B];
      const p = [0, 1, 2].map(() => grid[rng.int(5)]);
      A.push(...a);
      b.push(a[0] * p[0] + a[1] * p[1] + a[2] * p[2]);
    }
  }
  const P = b.length;
  const n1 = first.outSize;
  const weight = new Float64Array(next.outSize * (n1 + P));
  for (let i = 0; i < next.outSize; i++) for (let j = 0; j < n1; j++) weight[i * (n1 + P) + P + j] = next.weight[i * n1 + j];
  const oracleNet: Network = {
    inputSize: 3,
    layers: [
      { ...first, outSize: n1 + P, weight: Float64Array.from([...A, ...first.weight]), bias: Float64Array.from([...b.map((x) => -x), ...first.bias]) },
      act,
      { ...next, inSize: n1 + P, weight },
      ...rest,
    ],
  };
  return { net, oracleNet, A, b, B };
}

/**
 * A lattice network of 3 inputs whose first layer is two units and rounded non-dyadic multiples
 * of them (0.1, 1/3, 3, 0.7, 0.3, -0.1, 10 times a unit: exactly independent of it, by about
 * 1e-17 of its norm, so the first layer has float64 rank 2 and exact rank 3), some through the
 * rounded multiple of the unit's hyperplane, some shifted; and, in the second layer, units
 * k h_j - h_i that cancel up to the rounding of the multiple, whose hyperplanes lie in the
 * direction Gram-Schmidt finds no residual in (reduce.ts).
 */
export function nearlyDependent(seed: number, B: number): Network {
  const net = lattice(seed * 29 + 11, 3, B, { nonDyadic: true });
  const [first, act, next, ...rest] = net.layers;
  if (first.type !== "dense" || next.type !== "dense") throw new Error("dense layers");
  const n1 = first.outSize;
  const w = Float64Array.from(first.weight);
  const b = Float64Array.from(first.bias);
  const ks = [0.1, 1 / 3, 3, 0.7, 0.3, -0.1, 10];
  const multiple = (i: number): { j: number; k: number } => ({ j: (seed + i) % 2, k: ks[(seed * 7 + i * 3) % ks.length] });
  for (let i = 2; i < n1; i++) {
    const { j, k } = multiple(i);
    for (let d = 0; d < 3; d++) w[i * 3 + d] = w[j * 3 + d] * k;
    b[i] = (seed + i) % 3 === 0 ? b[j] * k + k * B * 0.5 : b[j] * k;
  }
  const w2 = Float64Array.from(next.weight);
  const b2 = Float64Array.from(next.bias);
  for (let u = 0; u < Math.min(2, next.outSize); u++) {
    const i = 2 + ((seed + u) % (n1 - 2));
    const { j, k } = multiple(i);
    w2.fill(0, u * n1, (u + 1) * n1);
    w2[u * n1 + j] = k;
    w2[u * n1 + i] = -1;
    b2[u] = u === 0 ? 0 : (seed % 3) * 0.1 * B * 1e-16;
  }
  return { inputSize: 3, layers: [{ ...first, weight: w, bias: b }, act, { ...next, weight: w2, bias: b2 }, ...rest] };
}

/**
 * A 3-input network on 5 inputs x, through y = (x1, (x2 + s x3) / 2, (x4 + t x5) / 2), which maps
 * [lo, hi]^5 onto [lo, hi]^3 (s = t = 1; either -1 too when lo = -hi): the same regions, with the
 * same patterns, while the first layer's row space is a 3-dimensional subspace of the 5 inputs
 * that no coordinate plane holds (so a reduction's basis direction must be the right one).
 */
export function liftedTo5(net: Network, s: number, t: number): Network {
  const [first, ...rest] = net.layers;
  if (first.type !== "dense" || first.inSize !== 3) throw new Error("a dense first layer of 3 inputs");
  const w = new Float64Array(first.outSize * 5);
  for (let i = 0; i < first.outSize; i++) {
    const [a, c, e] = first.weight.subarray(i * 3, i * 3 + 3);
    w.set([a, c / 2, (s * c) / 2, e / 2, (t * e) / 2], i * 5);
  }
  return { inputSize: 5, layers: [{ ...first, inSize: 5, weight: w }, ...rest] };
}
