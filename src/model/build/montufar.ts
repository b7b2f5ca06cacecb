/**
 * The folding construction of Montufar, Pascanu, Cho and Bengio (2014), which reaches their lower
 * bound exactly on the domain [0, 1]^n0:
 *     (prod_{l<L} floor(n_l / n0)^n0) * sum_{j<=n0} C(n_L, j).
 *
 * Each hidden layer l < L splits its units into n0 groups of p = floor(n_l / n0) (the rest are
 * dead: zero weights and bias). Group d computes h_j = relu(p * g_d - j), j = 0..p-1, from the
 * previous layer's folded coordinate g_d (g = x for the first layer); the alternating sum
 * g'_d = h_0 - 2 h_1 + 2 h_2 - ... is a zig-zag that maps each of p intervals onto [0, 1], so the
 * layer folds the unit cube onto itself p^n0 times. The last hidden layer is an arrangement of
 * n_L hyperplanes in general position whose every region meets the open unit cube of the folded
 * coordinates, so it is replicated in every fold. Some unit breakpoints land exactly on existing
 * cell boundaries (g = 0 at fold points): a good degenerate test for the engines.
 */
import type { Layer, Network } from "../layers.ts";
import { createRandom } from "../random.ts";

/** Montufar et al.'s folding construction: a relu network with the most regions known for its widths (docs/bounds.md). */
export function montufar(inputSize: number, hiddenWidths: readonly number[]): Network {
  const n0 = inputSize;
  if (!Number.isInteger(n0) || n0 < 1) throw new Error(`montufar needs a positive input size, got ${n0}`);
  if (hiddenWidths.length < 1) throw new Error("montufar needs at least one hidden width");
  for (const w of hiddenWidths) {
    if (!Number.isInteger(w) || w < n0) throw new Error(`montufar needs hidden widths of at least n0 = ${n0}, got ${w}`);
  }
  const L = hiddenWidths.length;
  const layers: Layer[] = [];
  // Coefficients expressing the folded coordinates g_d as a linear map of the previous layer's
  // outputs: fold[d][i] (previous size), plus a constant foldBias[d].
  let prevSize = n0;
  let fold: Float64Array[] = [];
  for (let d = 0; d < n0; d++) {
    const row = new Float64Array(n0);
    row[d] = 1;
    fold.push(row);
  }
  for (let l = 0; l < L; l++) {
    const n = hiddenWidths[l];
    const weight = new Float64Array(n * prevSize);
    const bias = new Float64Array(n);
    if (l < L - 1) {
      const p = Math.floor(n / n0);
      for (let d = 0; d < n0; d++) {
        for (let j = 0; j < p; j++) {
          const unit = d * p + j;
          for (let i = 0; i < prevSize; i++) weight[unit * prevSize + i] = p * fold[d][i];
          bias[unit] = -j;
        }
      }
      const next: Float64Array[] = [];
      for (let d = 0; d < n0; d++) {
        const row = new Float64Array(n);
        for (let j = 0; j < p; j++) row[d * p + j] = j === 0 ? 1 : 2 * (j % 2 === 0 ? 1 : -1);
        next.push(row);
      }
      fold = next;
    } else {
      const { normals, offsets } = generalArrangement(n0, n);
      for (let u = 0; u < n; u++) {
        for (let i = 0; i < prevSize; i++) {
          let acc = 0;
          for (let d = 0; d < n0; d++) acc += normals[u * n0 + d] * fold[d][i];
          weight[u * prevSize + i] = acc;
        }
        bias[u] = offsets[u];
      }
    }
    layers.push({ type: "dense", inSize: prevSize, outSize: n, weight, bias });
    layers.push({ type: "relu" });
    prevSize = n;
  }
  layers.push({ type: "dense", inSize: prevSize, outSize: 1, weight: new Float64Array(prevSize).fill(1), bias: new Float64Array(1) });
  return { inputSize: n0, layers };
}

/**
 * n hyperplanes a_u . g + b_u = 0 in general position in R^n0 with every vertex inside the open
 * cube (0.1, 0.9)^n0, so every region of the arrangement meets the cube (each region of a simple
 * arrangement whose normals span R^n0 has a vertex). For n0 = 1: points evenly spaced in (0, 1).
 * For n0 = 2: lines tangent to a circle about the centre at evenly spread angles. For n0 >= 3:
 * seeded random normals and offsets a_u . (g - c) = s r_u, with s scaled so that the farthest
 * vertex stays inside (the vertices move linearly with s); random directions keep the cells well
 * shaped, which evenly spread parameters on a curve do not.
 */
export function generalArrangement(n0: number, n: number): { normals: Float64Array; offsets: Float64Array } {
  const normals = new Float64Array(n * n0);
  const offsets = new Float64Array(n);
  if (n0 === 1) {
    for (let u = 0; u < n; u++) {
      normals[u] = 1;
      offsets[u] = -(u + 0.5) / n;
    }
    return { normals, offsets };
  }
  const rng = createRandom(1000 * n0 + n);
  const shifts = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    let norm = 0;
    for (let d = 0; d < n0; d++) {
      const v = n0 === 2 ? (d === 0 ? Math.cos((Math.PI * u) / n) : Math.sin((Math.PI * u) / n)) : rng.normal();
      normals[u * n0 + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < n0; d++) normals[u * n0 + d] /= norm;
    shifts[u] = n0 === 2 ? 1 : rng.uniform(0.2, 1) * (rng.next() < 0.5 ? -1 : 1);
  }
  const far = farthestVertex(normals, shifts, n0, n);
  const scale = far > 0 ? 0.4 / far : 0.1;
  for (let u = 0; u < n; u++) {
    let dot = 0;
    for (let d = 0; d < n0; d++) dot += normals[u * n0 + d] * 0.5;
    offsets[u] = -dot - scale * shifts[u]; // a . (g - c) = scale * shift
  }
  return { normals, offsets };
}

/** Largest max-norm of a vertex of the arrangement a_u . x = shift_u about the origin. */
function farthestVertex(normals: Float64Array, shifts: Float64Array, n0: number, n: number): number {
  let far = 0;
  const idx = new Int32Array(n0);
  const visit = (start: number, depth: number): void => {
    if (depth === n0) {
      const x = solveTangent(normals, shifts, idx, n0);
      if (x) for (const v of x) far = Math.max(far, Math.abs(v));
      return;
    }
    for (let u = start; u < n; u++) {
      idx[depth] = u;
      visit(u + 1, depth + 1);
    }
  };
  visit(0, 0);
  return far;
}

/** Solve a_i . x = shift_i for the chosen rows (Gaussian elimination with partial pivoting). */
function solveTangent(normals: Float64Array, shifts: Float64Array, idx: Int32Array, n0: number): Float64Array | null {
  const m = new Float64Array(n0 * (n0 + 1));
  for (let r = 0; r < n0; r++) {
    for (let c = 0; c < n0; c++) m[r * (n0 + 1) + c] = normals[idx[r] * n0 + c];
    m[r * (n0 + 1) + n0] = shifts[idx[r]];
  }
  for (let c = 0; c < n0; c++) {
    let piv = c;
    for (let r = c + 1; r < n0; r++) if (Math.abs(m[r * (n0 + 1) + c]) > Math.abs(m[piv * (n0 + 1) + c])) piv = r;
    if (Math.abs(m[piv * (n0 + 1) + c]) < 1e-12) return null;
    for (let k = 0; k <= n0; k++) {
      const t = m[c * (n0 + 1) + k];
      m[c * (n0 + 1) + k] = m[piv * (n0 + 1) + k];
      m[piv * (n0 + 1) + k] = t;
    }
    for (let r = 0; r < n0; r++) {
      if (r === c) continue;
      const f = m[r * (n0 + 1) + c] / m[c * (n0 + 1) + c];
      for (let k = c; k <= n0; k++) m[r * (n0 + 1) + k] -= f * m[c * (n0 + 1) + k];
    }
  }
  const x = new Float64Array(n0);
  for (let r = 0; r < n0; r++) x[r] = m[r * (n0 + 1) + n0] / m[r * (n0 + 1) + r];
  return x;
}
