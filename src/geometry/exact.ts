/**
 * Exact signs of small determinants of float64 numbers: a floating-point evaluation with a
 * forward error bound decides almost every call; only when the value is within the bound of
 * zero do we recompute it exactly with BigInt (every double is m * 2^e with integer m).
 *
 * This is what makes degenerate configurations count right: three lines through one point
 * (zero biases), a breakpoint through an existing vertex, coincident or parallel lines.
 */

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** x = m * 2^e exactly. */
export function decompose(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const bits = u64[0];
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  let e: number;
  if (exponent === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = exponent - 1075;
  }
  if (bits >> 63n) m = -m;
  return { m, e };
}

/** Exact sign of a sum of products of float64 factors: sum_k prod_i terms[k][i]. */
export function exactSignOfProducts(terms: readonly (readonly number[])[]): number {
  const parts: { m: bigint; e: number }[] = [];
  for (const factors of terms) {
    let m = 1n;
    let e = 0;
    for (const x of factors) {
      if (x === 0) {
        m = 0n;
        break;
      }
      const d = decompose(x);
      m *= d.m;
      e += d.e;
    }
    if (m !== 0n) parts.push({ m, e });
  }
  if (parts.length === 0) return 0;
  let minE = Number.POSITIVE_INFINITY;
  for (const p of parts) minE = Math.min(minE, p.e);
  let sum = 0n;
  for (const p of parts) sum += p.m << BigInt(p.e - minE);
  return sum > 0n ? 1 : sum < 0n ? -1 : 0;
}

const EPS = 2 ** -53;
// Error bounds in the style of Shewchuk's predicates, rounded up generously: the filter only
// has to be safe, not tight.
const DET2_BOUND = 4 * EPS;
const DET3_BOUND = 10 * EPS;
const TINY = 1e-280; // below this, products may underflow: go exact

/** Sign of a*d - b*c. */
export function det2Sign(a: number, b: number, c: number, d: number): number {
  const ad = a * d;
  const bc = b * c;
  const det = ad - bc;
  const bound = DET2_BOUND * (Math.abs(ad) + Math.abs(bc));
  if (det > bound && bound > TINY) return 1;
  if (-det > bound && bound > TINY) return -1;
  return exactSignOfProducts([
    [a, d],
    [-b, c],
  ]);
}

/** Sign of det [[a1, b1, c1], [a2, b2, c2], [a3, b3, c3]]. */
export function det3Sign(a1: number, b1: number, c1: number, a2: number, b2: number, c2: number, a3: number, b3: number, c3: number): number {
  const m1 = b2 * c3 - b3 * c2;
  const m2 = a2 * c3 - a3 * c2;
  const m3 = a2 * b3 - a3 * b2;
  const det = a1 * m1 - b1 * m2 + c1 * m3;
  const permanent =
    Math.abs(a1) * (Math.abs(b2 * c3) + Math.abs(b3 * c2)) + Math.abs(b1) * (Math.abs(a2 * c3) + Math.abs(a3 * c2)) + Math.abs(c1) * (Math.abs(a2 * b3) + Math.abs(a3 * b2));
  const bound = DET3_BOUND * permanent;
  if (det > bound && bound > TINY) return 1;
  if (-det > bound && bound > TINY) return -1;
  return exactSignOfProducts([
    [a1, b2, c3],
    [-a1, b3, c2],
    [-b1, a2, c3],
    [b1, a3, c2],
    [c1, a2, b3],
    [-c1, a3, b2],
  ]);
}
