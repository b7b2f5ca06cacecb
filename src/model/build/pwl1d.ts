/**
 * The smallest one-hidden-layer relu network that computes a given continuous piecewise-linear
 * function of one variable on an interval [a, b], built explicitly.
 *
 * Theorem (one hidden layer, one input). Let f on [a, b] have k kinks t_1 < ... < t_k inside
 * (a, b), slope changes d_i != 0 there, and first slope s_0. The fewest relu units that compute
 * f on [a, b] is k when some subset N of the kinks has sum_{i in N} d_i = -s_0, and k + 1
 * otherwise.
 * Proof. A unit relu(w x + c) is affine in x, so it bends f at one point at most: k kinks need k
 * units. With exactly k, each bends at its own kink t_i, so it is |w| relu(x - t_i) (zero on the
 * left) or |w| relu(t_i - x) (zero on the right), with output weight fixed by d_i; f's slope left
 * of every kink is then -sum over the second kind (N) of d_i, which must be s_0. When no subset
 * gives it, k + 1 units do: every kink as relu(x - t_i), and one unit relu(x - a + 1), affine on
 * [a, b], for the first slope. (For inputs on the whole line the count is the same with the
 * extra unit replaced by a pair; cf. Dereich & Kassing 2021 on minimal shallow networks.)
 *
 * The decision is exact: knots and values are doubles, hence rationals, and the subset sum is
 * solved in BigInt. The network's weights are the doubles nearest to the exact ones.
 */
import type { Network } from "../layers.ts";

export interface MinimalShallow {
  network: Network;
  /** Hidden units: kinks, or kinks + 1. */
  width: number;
  /** Interior points where the slope changes (collinear knots are not kinks). */
  kinks: number[];
  /** Whether k units suffice (a subset of the slope changes sums to minus the first slope). */
  kinksSuffice: boolean;
}

/** Most kinks decided exactly (the subset sums are kept in a set). */
export const MAX_KINKS = 24;

type Fraction = { n: bigint; d: bigint };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
}
function fraction(n: bigint, d: bigint): Fraction {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}
/** A double as the exact fraction it is. */
function exact(x: number): Fraction {
  let d = 1n;
  while (!Number.isInteger(x)) {
    x *= 2;
    d *= 2n;
  }
  return fraction(BigInt(x), d);
}
const sub = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d - b.n * a.d, a.d * b.d);
const div = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d, a.d * b.n);
const toNumber = (a: Fraction): number => Number(a.n) / Number(a.d);

/**
 * The minimal network for the function through (knots[i], values[i]) (knots increasing, at least
 * two; linear between them) on [knots[0], knots[last]].
 */
export function minimalShallow1d(knots: ArrayLike<number>, values: ArrayLike<number>): MinimalShallow {
  const m = knots.length;
  if (m < 2 || values.length !== m) throw new Error(`minimalShallow1d: need at least two knots and one value per knot, got ${m} knots and ${values.length} values`);
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(knots[i]) || !Number.isFinite(values[i])) throw new Error(`minimalShallow1d: knot ${i} is not finite`);
    if (i > 0 && !(knots[i] > knots[i - 1])) throw new Error(`minimalShallow1d: knots must increase (knot ${i} is ${knots[i]}, after ${knots[i - 1]})`);
  }
  const slopes: Fraction[] = [];
  for (let i = 0; i + 1 < m; i++) slopes.push(div(sub(exact(values[i + 1]), exact(values[i])), sub(exact(knots[i + 1]), exact(knots[i]))));
  const kinks: number[] = [];
  const changes: Fraction[] = [];
  for (let i = 1; i + 1 < m; i++) {
    const d = sub(slopes[i], slopes[i - 1]);
    if (d.n !== 0n) {
      kinks.push(knots[i]);
      changes.push(d);
    }
  }
  if (kinks.length > MAX_KINKS) throw new Error(`minimalShallow1d: ${kinks.length} kinks, more than the ${MAX_KINKS} decided exactly`);
  const first = slopes[0];
  const left = leftSet(changes, fraction(-first.n, first.d));
  const a = knots[0];
  const weight: number[] = [];
  const bias: number[] = [];
  const out: number[] = [];
  kinks.forEach((t, i) => {
    const right = left === null || !left.has(i);
    weight.push(right ? 1 : -1);
    bias.push(right ? -t : t);
    out.push(toNumber(changes[i]));
  });
  if (left === null) {
    weight.push(1);
    bias.push(1 - a);
    out.push(toNumber(first));
  }
  // The output bias makes f(a) = values[0]: every unit's value at a, weighted.
  let atA = 0;
  for (let j = 0; j < weight.length; j++) atA += out[j] * Math.max(0, weight[j] * a + bias[j]);
  const width = weight.length;
  const network: Network = {
    inputSize: 1,
    layers: [
      { type: "dense", inSize: 1, outSize: width, weight: Float64Array.from(weight), bias: Float64Array.from(bias) },
      { type: "relu" },
      { type: "dense", inSize: width, outSize: 1, weight: Float64Array.from(out), bias: Float64Array.of(values[0] - atA) },
    ],
  };
  return { network, width, kinks, kinksSuffice: left !== null };
}

/** Indices of a subset of `changes` summing exactly to `target`, or null when none does. */
function leftSet(changes: Fraction[], target: Fraction): Set<number> | null {
  let lcm = target.d;
  for (const c of changes) lcm = (lcm / gcd(lcm, c.d)) * c.d;
  const ints = changes.map((c) => (c.n * lcm) / c.d);
  const goal = (target.n * lcm) / target.d;
  // reach: sum -> [previous sum, index added] (the first way found).
  const reach = new Map<bigint, [bigint, number] | null>([[0n, null]]);
  ints.forEach((v, i) => {
    for (const s of [...reach.keys()]) if (!reach.has(s + v)) reach.set(s + v, [s, i]);
  });
  if (!reach.has(goal)) return null;
  // Walk back; indices added later than the step that made a sum never appear before it.
  const chosen = new Set<number>();
  let s = goal;
  for (let step = reach.get(s); step; step = reach.get(s)) {
    chosen.add(step[1]);
    s = step[0];
  }
  return chosen;
}
