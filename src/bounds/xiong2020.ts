/**
 * Convolutional networks: Xiong, Huang, Yu, Liu, Zhu, Shao (ICML 2020).
 *
 * Architecture: an n x n x d0 input, then L conv layers of d_l filters of size f x f (every
 * channel), stride s, no padding, each followed by relu. Layer l has an n_l x n_l grid of
 * positions, n_l = floor((n_{l-1} - f) / s) + 1, so N_l = n_l^2 d_l units.
 *
 * xiong2020-single (one layer): sum over t in K of prod_{positions p} C(d1, t_p), where
 *   K = {t : sum_{p in I} t_p <= d0 |S_I| for every set I of positions}, S_I the pixels covered by
 *   the receptive fields of I. Why: a one-layer net is a hyperplane arrangement, and with generic
 *   biases its regions are its linearly independent subsets of normals. Choosing t_p filters at
 *   position p, the normals can only be independent if Hall's condition above holds (the rows of
 *   I live on d0 |S_I| coordinates); for independent generic weights at every position it is also
 *   sufficient (a generic matrix with that support has full rank iff a matching exists).
 *   Convolution shares weights across positions, so the entries are not independent, and the
 *   formula is only an upper bound for a real conv layer: convolution commutes, so for two
 *   filters u, w (one input channel, stride 1, a grid of positions at least f x f) the 2 f^2 rows
 *   {u at p + q : q in supp w} and {w at p + q : q in supp u} satisfy w * u - u * w = 0, a linear
 *   dependency that K counts as independent. Exact counts (test/bounds/conv.test.ts): a 3x3 input,
 *   2x2 filters, stride 1, d1 = 2 gives 255 regions for generic shared weights against the
 *   formula's 256 (d1 = 3: 3998 against 4013), while independent weights per position reach it;
 *   with positions fewer than f x f, stride 2, or d0 = 2 the tested shared layers reach it too.
 *   We evaluate K by a depth-first search over positions that keeps a bipartite matching of the
 *   chosen units to input coordinates (Kuhn's augmenting paths), so infeasible branches stop at
 *   once; the number of feasible t can still grow like (d1+1)^{n1^2}, so the search has a node
 *   budget. Two cases are closed-form: s >= f (disjoint receptive fields) gives
 *   (sum_{t<=f^2 d0} C(d1, t))^{n1^2}, and d1 <= d0 makes every t feasible: 2^{N1}.
 * xiong2020-single-upper: min((sum_{t<=min(d1, f^2 d0)} C(d1, t))^{n1^2}, sum_{j<=n^2 d0} C(N1, j)),
 *   the two necessary conditions (each position alone, all positions together); always computable.
 * xiong2020-upper (L layers): R1 * prod_{l>=2} sum_{i<=D_l} C(N_l, i), D_l = min(n^2 d0, N_1..N_l),
 *   with R1 the one-layer count (or its upper bound): the argument of montufar2017-upper applied
 *   after the first layer.
 * xiong2020-lower (L layers): R1. Later layers can keep every unit active (a positive filter on
 *   one channel and a large bias), so the first layer's regions stay distinct; this is a weaker
 *   lower bound than the paper's construction, which we do not implement.
 */
import type { Architecture } from "./architecture.ts";
import { binomial, binomialSum, ipow, minBig } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

export interface ConvArchitecture {
  /** Input side: the input is n x n x d0. */
  n: number;
  d0: number;
  /** Filter side f (f x f x channels). */
  f: number;
  s: number;
  /** Number of filters d_l of each conv layer. */
  filters: number[];
}

export interface ConvLayerShape {
  side: number;
  channels: number;
  units: number;
}

/** Grid side, channels and units of each conv layer. */
export function convShapes(conv: ConvArchitecture): ConvLayerShape[] {
  validateConv(conv);
  const out: ConvLayerShape[] = [];
  let side = conv.n;
  for (const d of conv.filters) {
    side = Math.floor((side - conv.f) / conv.s) + 1;
    out.push({ side, channels: d, units: side * side * d });
  }
  return out;
}

export function validateConv(conv: ConvArchitecture): void {
  const ints: [string, number][] = [
    ["n", conv.n],
    ["d0", conv.d0],
    ["f", conv.f],
    ["s", conv.s],
  ];
  for (const [name, v] of ints) if (!Number.isInteger(v) || v < 1) throw new Error(`conv ${name} must be a positive integer, got ${v}`);
  if (conv.filters.length === 0) throw new Error("conv needs at least one layer of filters");
  for (const d of conv.filters) if (!Number.isInteger(d) || d < 1) throw new Error(`conv filters must be positive integers, got ${d}`);
  let side = conv.n;
  conv.filters.forEach((_, l) => {
    if (side < conv.f) throw new Error(`conv layer ${l + 1}: filter size ${conv.f} exceeds its ${side} x ${side} input`);
    side = Math.floor((side - conv.f) / conv.s) + 1;
  });
}

/** The dense architecture a conv network is an instance of (for the dense bounds). */
export function convAsArchitecture(conv: ConvArchitecture): Architecture {
  const shapes = convShapes(conv);
  return {
    n0: conv.n * conv.n * conv.d0,
    layers: shapes.map((s, l) => ({
      width: s.units,
      family: "relu" as const,
      pieces: 2,
      rank: null,
      label: `conv ${l + 1}`,
    })),
    feedForward: true,
  };
}

/** Receptive field of each position of the first layer, as input coordinates (pixel * d0 + channel). */
export function receptiveFields(conv: ConvArchitecture): Int32Array[] {
  const side = convShapes(conv)[0].side;
  const fields: Int32Array[] = [];
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const coords: number[] = [];
      for (let a = 0; a < conv.f; a++) {
        for (let b = 0; b < conv.f; b++) {
          const pixel = (i * conv.s + a) * conv.n + (j * conv.s + b);
          for (let c = 0; c < conv.d0; c++) coords.push(pixel * conv.d0 + c);
        }
      }
      fields.push(Int32Array.from(coords));
    }
  }
  return fields;
}

export interface SingleCount {
  value: bigint | null;
  method: "disjoint fields" | "d1 <= d0" | "enumeration" | "budget exceeded";
  nodes: number;
}

/** Default node budget of the enumeration (feasible partial assignments visited). */
export const XIONG_NODE_BUDGET = 2_000_000;

/** The one-layer formula sum_{t in K} prod_p C(d1, t_p), or null beyond the node budget. */
export function xiongSingleCount(conv: ConvArchitecture, budget = XIONG_NODE_BUDGET): SingleCount {
  const shapes = convShapes(conv);
  const d1 = conv.filters[0];
  const positions = shapes[0].side * shapes[0].side;
  const fieldSize = conv.f * conv.f * conv.d0;
  if (conv.s >= conv.f)
    return {
      value: ipow(binomialSum(d1, fieldSize), positions),
      method: "disjoint fields",
      nodes: 0,
    };
  if (d1 <= conv.d0) return { value: ipow(2n, d1 * positions), method: "d1 <= d0", nodes: 0 };
  const fields = receptiveFields(conv);
  const coords = conv.n * conv.n * conv.d0;
  const owner = new Int32Array(coords).fill(-1); // coordinate -> slot
  const slotField: number[] = []; // slot -> position
  const seen = new Int32Array(coords);
  let stamp = 0;
  const row: bigint[] = [];
  for (let t = 0; t <= d1; t++) row.push(binomial(d1, t));
  const augment = (slot: number, position: number): boolean => {
    for (const c of fields[position]) {
      if (seen[c] === stamp) continue;
      seen[c] = stamp;
      const other = owner[c];
      if (other < 0 || augment(other, slotField[other])) {
        owner[c] = slot;
        return true;
      }
    }
    return false;
  };
  let nodes = 0;
  let total = 0n;
  let exceeded = false;
  const visit = (p: number, weight: bigint): void => {
    if (exceeded) return;
    if (++nodes > budget) {
      exceeded = true;
      return;
    }
    if (p === positions) {
      total += weight;
      return;
    }
    const saved = owner.slice();
    const savedSlots = slotField.length;
    for (let t = 0; t <= Math.min(d1, fieldSize); t++) {
      if (t > 0) {
        const slot = slotField.length;
        slotField.push(p);
        stamp++;
        if (!augment(slot, p)) break; // more units at p cannot fit either
      }
      visit(p + 1, weight * row[t]);
      if (exceeded) break;
    }
    owner.set(saved);
    slotField.length = savedSlots;
  };
  visit(0, 1n);
  return exceeded ? { value: null, method: "budget exceeded", nodes } : { value: total, method: "enumeration", nodes };
}

/** Always-computable upper bound on the one-layer formula (see the file comment). */
export function xiongSingleUpperValue(conv: ConvArchitecture): bigint {
  const shapes = convShapes(conv);
  const d1 = conv.filters[0];
  const positions = shapes[0].side * shapes[0].side;
  const perPosition = ipow(binomialSum(d1, conv.f * conv.f * conv.d0), positions);
  const together = binomialSum(shapes[0].units, conv.n * conv.n * conv.d0);
  return minBig(perPosition, together);
}

function describe(conv: ConvArchitecture): string {
  return `${conv.n}x${conv.n}x${conv.d0} input, ${conv.f}x${conv.f} filters, stride ${conv.s}, filters ${conv.filters.join(",")}`;
}

/** Every conv bound for a conv architecture. */
export function xiong2020Bounds(conv: ConvArchitecture, budget = XIONG_NODE_BUDGET): BoundResult[] {
  const c = CITATIONS.xiong2020;
  const shapes = convShapes(conv);
  const single = xiongSingleCount(conv, budget);
  const singleUpper = xiongSingleUpperValue(conv);
  const out: BoundResult[] = [];
  const where = describe(conv);
  const singleTitle = "one conv layer: sum_{t in K} prod_p C(d1, t_p) (exact maximum for independent weights per position; an upper bound with shared weights)";
  if (conv.filters.length !== 1) {
    out.push(notApplicable("xiong2020-single", "exact", singleTitle, c, `needs exactly one conv layer, the network has ${conv.filters.length}`));
  } else if (single.value === null) {
    out.push(notApplicable("xiong2020-single", "exact", singleTitle, c, `evaluating K exceeded the budget of ${budget} search nodes (${where}); see xiong2020-single-upper`));
  } else {
    out.push(
      applies("xiong2020-single", "exact", singleTitle, c, single.value, {
        method: single.method,
        nodes: single.nodes,
      }),
    );
  }
  out.push(applies("xiong2020-single-upper", "upper", "first conv layer: min(per-position product, sum_{j<=n^2 d0} C(N1, j))", c, singleUpper));
  const r1 = single.value ?? singleUpper;
  const D0 = conv.n * conv.n * conv.d0;
  let d = Math.min(D0, shapes[0].units);
  let upper = r1;
  for (let l = 1; l < shapes.length; l++) {
    d = Math.min(d, shapes[l].units);
    upper *= binomialSum(shapes[l].units, d);
  }
  const upperTitle = "R1 * prod_{l>=2} sum_{i<=D_l} C(N_l, i), D_l = min(n^2 d0, N_1..N_l)";
  out.push(
    applies("xiong2020-upper", "upper", upperTitle, c, upper, {
      firstLayer: single.value === null ? "upper bound" : "exact",
    }),
  );
  const lowerTitle = "the first layer's maximum R1 (deeper layers can keep it)";
  if (single.value === null) out.push(notApplicable("xiong2020-lower", "lower", lowerTitle, c, "needs the one-layer count, which exceeded the search budget"));
  else out.push(applies("xiong2020-lower", "lower", lowerTitle, c, single.value));
  return out;
}
