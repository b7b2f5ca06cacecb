/**
 * The activation pattern of one point in exact arithmetic: the point and every weight, bias,
 * breakpoint, slope and intercept are dyadic rationals, so each unit's value is too (BigInt
 * times a power of two), and its state is decided exactly with the engine's convention: a unit
 * exactly on a breakpoint is in the state below it ("not above"), a max group's tie goes to its
 * first member. A float64 forward pass can put a unit that is exactly on its breakpoint on a
 * whole region (a unit minus its own multiple, 3 h0 - h1 with h1 = 3 h0 exactly) either side of
 * it by rounding; this pass cannot. For the self-check (check.ts), only where the float64 pass
 * disagrees with a region's pattern.
 *
 * On the network the traversal ran on (a slice folded in: its exact weights are the slice's own,
 * exact-rows.ts `exactWeights`), at a point of its inputs.
 */
import type { Compiled } from "../../model/forward.ts";
import { setState } from "../../model/pattern.ts";
import { unitCount } from "../../model/steps.ts";
import { applyStackExact, type Dyadic, dyadicOf, lift } from "../exact-maps.ts";
import { exactAffine, exactWeights } from "./exact-rows.ts";

export function exactPattern(compiled: Compiled, x: ArrayLike<number>): Uint32Array {
  const pattern = new Uint32Array(compiled.layout.words);
  let z: Dyadic = dyadicOf(x);
  let stack: Dyadic[] = [];
  compiled.steps.forEach((step, s) => {
    if (step.kind === "affine") z = exactAffine(exactWeights(step), step, z, 1);
    else if (step.kind === "elementwise") {
      const t = dyadicOf(step.breakpoints);
      const slopes = dyadicOf(step.slopes);
      const intercepts = dyadicOf(step.intercepts);
      const e = Math.min(z.e, t.e);
      const eOut = Math.min(z.e + slopes.e, intercepts.e);
      const v: bigint[] = new Array(step.size);
      for (let j = 0; j < step.size; j++) {
        // State st: t[st - 1] < z <= t[st], as unitState decides in float64.
        const value = lift(z.v[j], z.e, e);
        let st = 0;
        while (st < t.v.length && value > lift(t.v[st], t.e, e)) st++;
        setState(compiled.layout, pattern, 0, s, j, st);
        v[j] = lift(slopes.v[st] * z.v[j], z.e + slopes.e, eOut) + lift(intercepts.v[st], intercepts.e, eOut);
      }
      z = { e: eOut, v };
    } else if (step.kind === "max") {
      const units = unitCount(step);
      const v: bigint[] = new Array(units);
      for (let j = 0; j < units; j++) {
        const start = step.offsets[j];
        let best = 0;
        for (let p = start + 1; p < step.offsets[j + 1]; p++) if (z.v[step.indices[p]] > z.v[step.indices[start + best]]) best = p - start;
        setState(compiled.layout, pattern, 0, s, j, best);
        v[j] = z.v[step.indices[start + best]];
      }
      z = { e: z.e, v };
    } else ({ z, stack } = applyStackExact(step, z, stack, 1));
  });
  return pattern;
}
