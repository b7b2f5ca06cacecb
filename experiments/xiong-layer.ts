/**
 * The one-layer relu CNNs of Xiong et al. 2020's Theorem 2, as hyperplane arrangements: the
 * settings counted by experiments/xiong.ts and xiong-average.ts, the layer as dense rows (shared
 * or untied weights), and how far out a box must reach to meet every region of R^n.
 */
import type { Layer, Network } from "../src/model/layers.ts";
import { bigRank } from "../test/bounds/oracle.ts";

export interface OneLayer {
  n: number;
  d0: number;
  f: number;
  s: number;
  d1: number;
}

/**
 * A one-layer conv + relu network on a d0 x n x n image, every weight and bias a fresh `draw()`;
 * `untied`: every position its own filter and bias (a locally connected layer).
 */
export function oneLayer(c: OneLayer, draw: () => number, untied: boolean): { net: Network; rows: Float64Array[]; bias: number[] } {
  const oh = Math.floor((c.n - c.f) / c.s) + 1;
  const n0 = c.d0 * c.n * c.n;
  const k = c.d0 * c.f * c.f;
  const filters = Array.from({ length: c.d1 }, () => Float64Array.from({ length: k }, draw));
  const biases = Array.from({ length: c.d1 }, draw);
  const rows: Float64Array[] = [];
  const bias: number[] = [];
  for (let oc = 0; oc < c.d1; oc++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < oh; ox++) {
        const w = untied ? Float64Array.from({ length: k }, draw) : filters[oc];
        const row = new Float64Array(n0);
        for (let ic = 0; ic < c.d0; ic++)
          for (let ky = 0; ky < c.f; ky++) for (let kx = 0; kx < c.f; kx++) row[(ic * c.n + oy * c.s + ky) * c.n + ox * c.s + kx] = w[(ic * c.f + ky) * c.f + kx];
        rows.push(row);
        bias.push(untied ? draw() : biases[oc]);
      }
    }
  }
  // Both as dense layers (the engines count a conv layer exactly as its matrix; this keeps the
  // tied and untied layers in one form). Output: one unit summing the relus.
  const m = rows.length;
  const weight = new Float64Array(m * n0);
  rows.forEach((r, i) => {
    weight.set(r, i * n0);
  });
  const layers: Layer[] = [
    { type: "dense", inSize: n0, outSize: m, weight, bias: Float64Array.from(bias) },
    { type: "relu" },
    { type: "dense", inSize: m, outSize: 1, weight: new Float64Array(m).fill(1), bias: new Float64Array(1) },
  ];
  return { net: { inputSize: n0, layers }, rows, bias };
}

/**
 * The nearest point to the origin of every nonempty intersection flat of the hyperplanes
 * rows[i] . x + bias[i] = 0 (one per linearly independent subset). A convex set holding them all
 * meets every flat, and so (Zaslavsky's theorem restricted to a convex set) every region.
 */
export function flatPoints(rows: Float64Array[], bias: number[]): Float64Array[] {
  const m = rows.length;
  const n = rows[0].length;
  const points: Float64Array[] = [];
  for (let mask = 1; mask < 1 << m; mask++) {
    const S: number[] = [];
    for (let i = 0; i < m; i++) if (mask & (1 << i)) S.push(i);
    if (S.length > n) continue;
    // Solve (A A^T) y = -b_S by Gaussian elimination; singular means dependent rows (no new flat).
    const s = S.length;
    const G = new Float64Array(s * (s + 1));
    for (let a = 0; a < s; a++) {
      for (let b = 0; b < s; b++) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += rows[S[a]][j] * rows[S[b]][j];
        G[a * (s + 1) + b] = dot;
      }
      G[a * (s + 1) + s] = -bias[S[a]];
    }
    // A pivot that float64 cannot tell from zero is decided exactly: a nearly dependent subset
    // (the Gram matrix squares its condition number) has its point far out, and leaving it out
    // gave a box that missed the regions there (1-4 of about 4,000 in 5 of 1,080 draws).
    if (nearlySingular(G, s) && !independent(rows, S)) continue;
    let singular = false;
    for (let col = 0; col < s && !singular; col++) {
      let piv = col;
      for (let r = col + 1; r < s; r++) if (Math.abs(G[r * (s + 1) + col]) > Math.abs(G[piv * (s + 1) + col])) piv = r;
      if (G[piv * (s + 1) + col] === 0) {
        singular = true;
        break;
      }
      for (let j = 0; j <= s; j++) [G[col * (s + 1) + j], G[piv * (s + 1) + j]] = [G[piv * (s + 1) + j], G[col * (s + 1) + j]];
      for (let r = 0; r < s; r++) {
        if (r === col) continue;
        const f = G[r * (s + 1) + col] / G[col * (s + 1) + col];
        for (let j = col; j <= s; j++) G[r * (s + 1) + j] -= f * G[col * (s + 1) + j];
      }
    }
    if (singular) continue;
    const point = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let a = 0; a < s; a++) point[j] += rows[S[a]][j] * (G[a * (s + 1) + s] / G[a * (s + 1) + a]);
    points.push(point);
  }
  return points;
}

/** Whether float64 elimination of the Gram system meets a pivot below 1e-9 of its diagonal. */
function nearlySingular(G0: Float64Array, s: number): boolean {
  const G = Float64Array.from(G0);
  for (let col = 0; col < s; col++) {
    let piv = col;
    for (let r = col + 1; r < s; r++) if (Math.abs(G[r * (s + 1) + col]) > Math.abs(G[piv * (s + 1) + col])) piv = r;
    if (Math.abs(G[piv * (s + 1) + col]) < 1e-9 * (1 + Math.abs(G[col * (s + 1) + col]))) return true;
    for (let j = 0; j <= s; j++) [G[col * (s + 1) + j], G[piv * (s + 1) + j]] = [G[piv * (s + 1) + j], G[col * (s + 1) + j]];
    for (let r = col + 1; r < s; r++) {
      const f = G[r * (s + 1) + col] / G[col * (s + 1) + col];
      for (let j = col; j <= s; j++) G[r * (s + 1) + j] -= f * G[col * (s + 1) + j];
    }
  }
  return false;
}

/**
 * Whether the rows of S are linearly independent, exactly: every double is a dyadic rational, so
 * the rows times one power of two are integers, whose rank `bigRank` finds in BigInt.
 */
function independent(rows: Float64Array[], S: number[]): boolean {
  let shift = 0;
  for (const i of S)
    for (const x of rows[i]) {
      let k = 0;
      while (!Number.isInteger(x * 2 ** k)) k++;
      shift = Math.max(shift, k);
    }
  return bigRank(S.map((i) => Array.from(rows[i], (x) => BigInt(x * 2 ** shift)))) === S.length;
}

/** Largest |coordinate| of the nearest point of any nonempty intersection flat of the hyperplanes. */
export function flatRadius(rows: Float64Array[], bias: number[]): number {
  let worst = 0;
  for (const p of flatPoints(rows, bias)) for (const x of p) worst = Math.max(worst, Math.abs(x));
  return worst;
}

export const ONE_LAYER: (OneLayer & { note: string })[] = [
  { n: 3, d0: 1, f: 2, s: 1, d1: 2, note: "overlapping fields, d1 > d0: weight sharing matters" },
  { n: 3, d0: 1, f: 2, s: 1, d1: 3, note: "overlapping fields, three filters" },
  { n: 3, d0: 1, f: 2, s: 1, d1: 1, note: "d1 <= d0" },
  { n: 3, d0: 2, f: 2, s: 1, d1: 2, note: "d1 <= d0" },
  { n: 4, d0: 1, f: 2, s: 2, d1: 3, note: "disjoint fields" },
  { n: 3, d0: 1, f: 3, s: 1, d1: 4, note: "one position" },
];

/**
 * The first layer of `net` re-expressed on y in [-1, 1]^n, x = c + D y, for a box holding every
 * point of `points` with a margin (the whole-domain engine takes one bound for all inputs). c is
 * integer and D a power of two per coordinate, so for weights on a dyadic grid the new weights
 * W D and biases b + W c are exact in float64 (checked in BigInt: `exact`), and the arrangement
 * is an exact affine image of the original one, with the same regions.
 */
export function onUnitBox(net: Network, points: Float64Array[], grid: number): { net: Network; exact: boolean } {
  const first = net.layers[0];
  if (first.type !== "dense") throw new Error("onUnitBox: the first layer must be dense");
  const n = net.inputSize;
  const c = new Float64Array(n);
  const D = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let lo = 0;
    let hi = 0;
    for (const p of points) {
      lo = Math.min(lo, p[j]);
      hi = Math.max(hi, p[j]);
    }
    const margin = 0.01 * (hi - lo) + 1;
    c[j] = Math.round((lo + hi) / 2);
    D[j] = 2 ** Math.ceil(Math.log2(Math.max(hi + margin - c[j], c[j] - lo + margin)));
  }
  const weight = new Float64Array(first.weight.length);
  const bias = new Float64Array(first.bias.length);
  const big = (x: number): bigint => BigInt(x * grid);
  let exact = true;
  for (let i = 0; i < first.outSize; i++) {
    let acc = first.bias[i];
    let accExact = big(first.bias[i]);
    for (let j = 0; j < n; j++) {
      const w = first.weight[i * n + j];
      weight[i * n + j] = w * D[j];
      acc += w * c[j];
      accExact += big(w) * BigInt(c[j]);
      if (big(weight[i * n + j]) !== big(w) * BigInt(D[j])) exact = false;
    }
    bias[i] = acc;
    if (!Number.isInteger(acc * grid) || big(acc) !== accExact) exact = false;
  }
  return { net: { ...net, layers: [{ ...first, weight, bias }, ...net.layers.slice(1)] }, exact };
}
