/**
 * Convolutional networks: Xiong, Huang, Yu, Liu, Zhu, Shao (ICML 2020). Architecture and sizes:
 * conv-architecture.ts (H x W x d0 input, layer l: d_l filters fh_l x fw_l, stride s_l, relu).
 *
 * xiong2020-single (one layer; their Theorem 2): sum over t in K of prod_{positions p} C(d1, t_p),
 *   which the theorem also states as the average, E[R] over any distribution of the weights and
 *   biases with a density (experiments/xiong-average.ts compares both with exact counts),
 *   K = {t : sum_{p in I} t_p <= d0 |S_I| for every set I of positions}, S_I the pixels covered by
 *   the receptive fields of I. Why: a one-layer net is a hyperplane arrangement, and with generic
 *   biases its regions are its linearly independent subsets of normals. Choosing t_p filters at
 *   position p, the normals can only be independent if Hall's condition above holds (the rows of
 *   I live on d0 |S_I| coordinates); for independent generic weights at every position it is also
 *   sufficient (a generic matrix with that support has full rank iff a matching exists).
 *   Convolution shares weights across positions, so the entries are not independent and the
 *   formula is only an upper bound for a real conv layer: convolution commutes, so for two
 *   filters u, w (one input channel, stride 1, a grid of positions at least f x f) the 2 f^2 rows
 *   {u at p + q : q in supp w} and {w at p + q : q in supp u} satisfy w * u - u * w = 0, a linear
 *   dependency that K counts as independent. Exact counts (test/bounds/conv.test.ts): a 3x3 input,
 *   2x2 filters, stride 1, d1 = 2 gives 255 regions for generic shared weights against the
 *   formula's 256. Two cases are exact for shared weights too, and closed-form: disjoint receptive
 *   fields (s >= f along both axes) give (sum_{t<=fh fw d0} C(d1, t))^{positions}, and d1 <= d0
 *   makes every subset independent: 2^{N1}. Elsewhere the row's kind is "upper".
 *   We evaluate K by a depth-first search over positions that keeps a bipartite matching of the
 *   chosen units to input coordinates (Kuhn's augmenting paths), so infeasible branches stop at
 *   once; the number of feasible t can still grow like (d1+1)^{positions}, so the search has a
 *   node budget.
 * xiong2020-single-upper: min((sum_{t<=fh fw d0} C(d1, t))^{positions}, sum_{j<=H W d0} C(N1, j)),
 *   the two necessary conditions (each position alone, all positions together); always computable.
 * xiong2020-upper (their Theorem 5, upper): R_{N''} prod_{l>=2} sum_{i<=H W d0} C(N_l, i), with
 *   R_{N''} the first layer's count (its upper bound when the search gave up).
 * xiong2020-upper-bottleneck: the same with H W d0 replaced by D_l = min(H W d0, N_1..N_{l-1}): the
 *   argument of montufar2017-upper (inside a region of the earlier layers the image has at most
 *   that dimension). Never larger than xiong2020-upper.
 * xiong2020-lower (their Theorem 5, lower): R_{N'} prod_{l<L} floor(d_l/d0)^{H_l W_l d0}, where N'
 *   is layer L alone on an H_{L-1} x W_{L-1} x d0 input (d_L filters fh_L x fw_L x d0, stride s_L):
 *   each of the first L-1 layers folds every one of its H_l W_l d0 "pixel" coordinates
 *   floor(d_l/d0) times, and N' partitions the folded cube. Needs d_l >= d0 for l < L. The paper
 *   takes R_{N'} from Theorem 2, which over-counts for shared weights, so we only use the formula
 *   where it is exact for shared weights (the two closed-form cases); elsewhere R_{N'} is replaced by
 *   a proven lower bound on N''s regions (`convSingleLowerBound`), and the paper's own value is
 *   kept in `details.paperValue`.
 * conv-first-layer-lower (ours): the first layer's proven count. Later relu conv layers can keep
 *   every unit active on all of R^n (filters >= 0 and a positive bias see only outputs >= 0), so
 *   the network has at least the first layer's regions. In small networks this can beat
 *   xiong2020-lower, which spends the first layer on folding.
 */

import { type ConvArchitecture, type ConvLayerShape, convInputSize, convShapes, describeConv, receptiveFields, singleLayerOf } from "./conv-architecture.ts";
import { binomial, binomialSum, ipow, minBig, Rational } from "./exact.ts";
import { bottleneckProduct } from "./montufar2017.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

export * from "./conv-architecture.ts";

export interface SingleCount {
  value: bigint | null;
  method: "disjoint fields" | "d1 <= d0" | "enumeration" | "budget exceeded";
  nodes: number;
}

/** Default node budget of the enumeration (feasible partial assignments visited). */
export const XIONG_NODE_BUDGET = 2_000_000;

function disjointFields(shape: ConvLayerShape): boolean {
  return shape.strideHeight >= shape.filterHeight && shape.strideWidth >= shape.filterWidth;
}

/** Whether the one-layer formula is the exact maximum with shared weights and biases too. */
export function exactForSharedWeights(conv: ConvArchitecture): boolean {
  const shape = convShapes(conv)[0];
  return disjointFields(shape) || shape.channels <= conv.d0;
}

/** The first layer's formula sum_{t in K} prod_p C(d1, t_p), or null beyond the node budget. */
export function xiongSingleCount(conv: ConvArchitecture, budget = XIONG_NODE_BUDGET): SingleCount {
  const shape = convShapes(conv)[0];
  const d1 = shape.channels;
  const positions = shape.height * shape.width;
  const fieldSize = shape.filterHeight * shape.filterWidth * conv.d0;
  if (disjointFields(shape)) return { value: ipow(binomialSum(d1, fieldSize), positions), method: "disjoint fields", nodes: 0 };
  if (d1 <= conv.d0) return { value: ipow(2n, d1 * positions), method: "d1 <= d0", nodes: 0 };
  const fields = receptiveFields(conv);
  const coords = convInputSize(conv);
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

/** Always-computable upper bound on the first layer's formula (see the file comment). */
export function xiongSingleUpperValue(conv: ConvArchitecture): bigint {
  const shape = convShapes(conv)[0];
  const perPosition = ipow(binomialSum(shape.channels, shape.filterHeight * shape.filterWidth * conv.d0), shape.height * shape.width);
  const together = binomialSum(shape.units, convInputSize(conv));
  return minBig(perPosition, together);
}

export interface SingleLowerBound {
  value: bigint;
  method: "formula (exact for shared weights)" | "axis-aligned filters" | "disjoint positions";
}

/**
 * A proven lower bound on the regions of the first layer with shared weights and biases: the
 * formula where it is exact for them, else the better of two constructions.
 * - Axis-aligned filters: filter k has one non-zero weight, at offset q_k of its window, so at
 *   position p it reads the single coordinate p s + q_k; its hyperplanes are x_c = -b_k. A
 *   coordinate read by m_c (filter, position) pairs carries m_c parallel hyperplanes (distinct
 *   biases), so the arrangement has prod_c (1 + m_c) regions. Offsets are chosen greedily (each
 *   filter where it adds most).
 * - Disjoint positions: the positions of a sub-grid whose fields do not overlap (step ceil(f/s))
 *   alone give (sum_{t<=fh fw d0} C(d1, t))^{count}; the other hyperplanes only add regions.
 * Either is a particular choice of weights; regions of an arrangement survive a small generic
 * perturbation, so the generic (maximal) count is at least as large.
 */
export function convSingleLowerBound(conv: ConvArchitecture): SingleLowerBound {
  const shape = convShapes(conv)[0];
  if (exactForSharedWeights(conv)) return { value: xiongSingleCount(conv).value as bigint, method: "formula (exact for shared weights)" };
  const aligned = axisAlignedRegions(conv, shape);
  const stepH = Math.ceil(shape.filterHeight / shape.strideHeight);
  const stepW = Math.ceil(shape.filterWidth / shape.strideWidth);
  const count = Math.ceil(shape.height / stepH) * Math.ceil(shape.width / stepW);
  const disjoint = ipow(binomialSum(shape.channels, shape.filterHeight * shape.filterWidth * conv.d0), count);
  return aligned >= disjoint ? { value: aligned, method: "axis-aligned filters" } : { value: disjoint, method: "disjoint positions" };
}

function axisAlignedRegions(conv: ConvArchitecture, shape: ConvLayerShape): bigint {
  const W = shape.inWidth;
  const d0 = conv.d0;
  const reads = new Int32Array(convInputSize(conv)); // m_c
  const coordinate = (i: number, j: number, a: number, b: number, c: number) => ((i * shape.strideHeight + a) * W + j * shape.strideWidth + b) * d0 + c;
  for (let k = 0; k < shape.channels; k++) {
    let best = -1;
    let bestOffset = [0, 0, 0];
    for (let a = 0; a < shape.filterHeight; a++) {
      for (let b = 0; b < shape.filterWidth; b++) {
        for (let c = 0; c < d0; c++) {
          // Gain in log prod (1 + m_c): each position reads a distinct coordinate at a fixed offset.
          let gain = 0;
          for (let i = 0; i < shape.height; i++) for (let j = 0; j < shape.width; j++) gain += Math.log1p(1 / (1 + reads[coordinate(i, j, a, b, c)]));
          if (gain > best + 1e-12) {
            best = gain;
            bestOffset = [a, b, c];
          }
        }
      }
    }
    const [a, b, c] = bestOffset;
    for (let i = 0; i < shape.height; i++) for (let j = 0; j < shape.width; j++) reads[coordinate(i, j, a, b, c)]++;
  }
  let product = 1n;
  for (const m of reads) product *= BigInt(1 + m);
  return product;
}

/** Every conv bound for a conv architecture. */
export function xiong2020Bounds(conv: ConvArchitecture, budget = XIONG_NODE_BUDGET): BoundResult[] {
  const c = CITATIONS.xiong2020;
  const shapes = convShapes(conv);
  const L = shapes.length;
  const single = xiongSingleCount(conv, budget);
  const singleUpper = xiongSingleUpperValue(conv);
  const exactShared = exactForSharedWeights(conv);
  const out: BoundResult[] = [];
  const singleTitle = exactShared
    ? "one conv layer: sum_{t in K} prod_p C(d1, t_p), exact here (disjoint fields or d1 <= d0)"
    : "one conv layer: sum_{t in K} prod_p C(d1, t_p), exact for independent weights per position, an upper bound with shared weights";
  const singleKind = exactShared ? "exact" : "upper";
  if (L !== 1) {
    out.push(notApplicable("xiong2020-single", singleKind, singleTitle, c, `needs exactly one conv layer, the network has ${L}`));
  } else if (single.value === null) {
    out.push(
      notApplicable(
        "xiong2020-single",
        singleKind,
        singleTitle,
        c,
        `evaluating K exceeded the budget of ${budget} search nodes (${describeConv(conv)}); see xiong2020-single-upper`,
      ),
    );
  } else {
    out.push(applies("xiong2020-single", singleKind, singleTitle, c, single.value, { method: single.method, nodes: single.nodes }));
  }
  out.push(applies("xiong2020-single-upper", "upper", "first conv layer: min(per-position product, sum_{j<=H W d0} C(N1, j))", c, singleUpper));

  const r1 = single.value ?? singleUpper;
  const firstLayer = single.value === null ? "upper bound (search budget exceeded)" : "formula";
  const inputSize = convInputSize(conv);
  const later = shapes.slice(1).map((s) => s.units);
  let upper = r1;
  for (const units of later) upper *= binomialSum(units, inputSize);
  // Layers 2..L see at most min(H W d0, N_1) dimensions (N_l itself does not change the sum).
  const bottleneck = r1 * bottleneckProduct(Math.min(inputSize, shapes[0].units), later);
  out.push(applies("xiong2020-upper", "upper", "R_N'' * prod_{l>=2} sum_{i<=H W d0} C(N_l, i) (Theorem 5)", c, upper, { firstLayer }));
  out.push(applies("xiong2020-upper-bottleneck", "upper", "R_N'' * prod_{l>=2} sum_{i<=D_l} C(N_l, i), D_l = min(H W d0, N_1..N_{l-1})", c, bottleneck, { firstLayer }));
  out.push(xiong2020Lower(conv, shapes, budget, single.value));
  const first = convSingleLowerBound(conv);
  out.push(
    applies("conv-first-layer-lower", "lower", "the first layer's proven count, kept by later layers that stay active", CITATIONS.convFirstLayer, first.value, {
      method: first.method,
    }),
  );
  return out;
}

/** `firstFormula`: the first layer's formula, already searched (N' is that layer when L = 1). */
function xiong2020Lower(conv: ConvArchitecture, shapes: ConvLayerShape[], budget: number, firstFormula: bigint | null): BoundResult {
  const c = CITATIONS.xiong2020;
  const title = "R_N' * prod_{l<L} floor(d_l/d0)^{H_l W_l d0} (Theorem 5; R_N' proven for shared weights)";
  const L = shapes.length;
  const d0 = conv.d0;
  for (let l = 0; l < L - 1; l++) {
    if (shapes[l].channels < d0)
      return notApplicable("xiong2020-lower", "lower", title, c, `needs d_l >= d0 = ${d0} filters in every layer but the last; layer ${l + 1} has ${shapes[l].channels}`);
  }
  let folds = 1n;
  for (let l = 0; l < L - 1; l++) folds *= ipow(BigInt(Math.floor(shapes[l].channels / d0)), shapes[l].height * shapes[l].width * d0);
  const last = singleLayerOf(conv, L - 1, d0);
  const proven = convSingleLowerBound(last);
  const formula = L === 1 ? firstFormula : xiongSingleCount(last, budget).value;
  const details: NonNullable<BoundResult["details"]> = { lastLayer: proven.method };
  if (formula !== null && formula !== proven.value) details.paperValue = new Rational(formula * folds);
  return applies("xiong2020-lower", "lower", title, c, proven.value * folds, details);
}
