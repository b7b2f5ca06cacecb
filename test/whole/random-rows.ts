/**
 * Random LP problems over U (the box's image in the reduced space) for the tests of the engine's
 * LP shortcuts: K unit rows in random directions, each offset at a random fraction of U's extent
 * along it (`from` + `span` × uniform; a negative `from` puts some offsets beyond U's near side).
 */
import type { createRandom } from "../../src/model/random.ts";
import { type Reduction, supportRange } from "../../src/regions/whole/reduce.ts";

export interface RandomRows {
  K: number;
  A: Float64Array;
  b: Float64Array;
  nu: Float64Array;
  eq: Uint8Array;
}

export function randomRows(red: Reduction, random: ReturnType<typeof createRandom>, from: number, span: number): RandomRows {
  const r = red.r;
  const K = 3 + Math.floor(random.next() * 8);
  const A = new Float64Array(K * r);
  const b = new Float64Array(K);
  const nu = new Float64Array(K).fill(1);
  const eq = new Uint8Array(K);
  for (let k = 0; k < K; k++) {
    let norm = 0;
    for (let c = 0; c < r; c++) {
      A[k * r + c] = random.next() - 0.5;
      norm += A[k * r + c] ** 2;
    }
    for (let c = 0; c < r; c++) A[k * r + c] /= Math.sqrt(norm);
    const range = supportRange(red, A, k * r);
    b[k] = range.min + (range.max - range.min) * (random.next() * span + from);
  }
  return { K, A, b, nu, eq };
}
