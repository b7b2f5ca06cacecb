/**
 * Points on a classifier's decision boundary, found on the segment between two inputs the
 * network classifies differently (the region-migration study, local-complexity-migration.ts).
 *
 * Along x(t) = a + t (b - a) the predicted class (the top logit) starts as a's class. The first
 * place where it stops being a's class is found in two steps: the exact line partition of the
 * segment gives the pieces on which the network is affine, and the first piece whose end is not
 * classified as a's class brackets the crossing; inside that piece a's logit minus each other
 * logit is affine in t, so the set where a's class is on top is one interval and the crossing in
 * the piece is unique. Bisection on the network's own output then narrows the bracket to
 * adjacent floats (at most 64 halvings), and the point returned is where the two top logits tie
 * up to rounding: a point of the boundary, not an estimate.
 */
import { type Compiled, forward } from "../src/model/forward.ts";
import type { LinePartition } from "../src/regions/partition.ts";

/** Index of the largest output (the lowest index among equal ones). */
export function topClass(output: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < output.length; j++) if (output[j] > output[best]) best = j;
  return best;
}

/** x(t) = a + t (b - a) into `out`. */
function along(a: ArrayLike<number>, b: ArrayLike<number>, t: number, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + t * (b[i] - a[i]);
  return out;
}

export interface Crossing {
  /** Position on the segment, 0 at a, 1 at b. */
  t: number;
  /** The boundary point x(t). */
  point: Float64Array;
  /** a's class, and the class that takes over just after t. */
  from: number;
  to: number;
  /** Top logit minus the runner-up at the point (0 up to rounding on a boundary). */
  gap: number;
}

/**
 * The first crossing of the decision boundary from a towards b, or null when the whole segment
 * keeps a's class. `pieces` (the line partition of [a, b], optional) only narrows the bracket to
 * the first affine piece that leaves a's class, which makes the crossing the first one; without
 * it the bisection runs on [0, 1] and finds a crossing, the first only when there is one.
 */
export function firstCrossing(compiled: Compiled, a: ArrayLike<number>, b: ArrayLike<number>, pieces?: LinePartition): Crossing | null {
  const n0 = compiled.inputSize;
  if (a.length !== n0 || b.length !== n0) throw new Error(`segment ends have ${a.length} and ${b.length} numbers, the network expects ${n0}`);
  const x = new Float64Array(n0);
  const from = topClass(forward(compiled, a).output);
  let lo = 0;
  let hi = 1;
  if (pieces) {
    // Piece ends in order along the segment; the first one not of a's class closes the bracket.
    const ends = Array.from(pieces.tEnd).sort((p, q) => p - q);
    let found = false;
    for (const t of ends) {
      if (topClass(forward(compiled, along(a, b, t, x)).output) !== from) {
        hi = t;
        found = true;
        break;
      }
      lo = t;
    }
    if (!found) return null;
  } else if (topClass(forward(compiled, b).output) === from) return null;
  for (let k = 0; k < 64; k++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break; // adjacent floats: the bracket cannot shrink further
    if (topClass(forward(compiled, along(a, b, mid, x)).output) === from) lo = mid;
    else hi = mid;
  }
  const point = along(a, b, lo, new Float64Array(n0));
  const output = forward(compiled, point).output;
  const to = topClass(forward(compiled, along(a, b, hi, x)).output);
  return { t: lo, point, from, to, gap: output[from] - output[to] };
}
