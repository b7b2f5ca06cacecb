/**
 * When an exact engine cannot serve an input numerically, it says so: one clear message, no
 * count. `NumericalRefusal` is what it throws (the CLI prints it as one line and exits 1): maps
 * that overflow float64, values or a domain below float64's normal range.
 */
import { NumericalRefusal } from "../model/numerical-refusal.ts";
import type { Step } from "../model/steps.ts";

export { NumericalRefusal };

/** The smallest positive normal float64, 2^-1022: below it, products lose relative precision. */
export const MIN_NORMAL = 2 ** -1022;

/** Whether x is subnormal (non-zero and below 2^-1022 in magnitude). */
export function isSubnormal(x: number): boolean {
  return x !== 0 && Math.abs(x) < MIN_NORMAL;
}

/**
 * Refuse when a map (or its error bounds) holds a value that is not finite or is subnormal. A
 * network whose values overflow float64 (weights near 1e300) has no exact regions to count, and
 * comparisons with NaN or infinity decide nothing while looking like decisions. Below 2^-1022
 * (weights near 1e-310, a box of 1e-320) float64 rounds absolutely, not relatively, so the
 * engines' error bounds, which are relative, would not hold. (Error bounds themselves may be
 * subnormal: pass subnormalToo = false.)
 */
export function refuseOutOfRange(values: Float64Array, length: number, where: string, subnormalToo = true): void {
  // Non-finite: x - x is NaN for infinities and NaN, 0 otherwise. Both tests are branches that
  // (nearly) never go the other way: no chain of additions, no branch on the sign of x.
  let nonFinite = false;
  let tiny = 0;
  for (let i = 0; i < length; i++) {
    const x = values[i];
    if (!(x - x === 0)) nonFinite = true;
    else if (Math.abs(x) < MIN_NORMAL && x !== 0) tiny++;
  }
  if (nonFinite) throw new NumericalRefusal(`the network's values overflow float64 ${where} (infinite or NaN): its regions cannot be computed exactly; rescale the weights`);
  if (tiny > 0 && subnormalToo)
    throw new NumericalRefusal(
      `the network's values fall below float64's normal range ${where} (subnormal numbers, under 2^-1022): its regions cannot be computed exactly; rescale the weights or the domain`,
    );
}

/** Refuse a domain with a coordinate that is not finite or is subnormal (see refuseOutOfRange). */
export function refuseDomain(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new NumericalRefusal(`${what} has a coordinate that is not finite (${x})`);
    if (isSubnormal(x)) throw new NumericalRefusal(`${what} has a coordinate below float64's normal range (${x}, under 2^-1022): its regions cannot be computed exactly`);
  }
}

/**
 * Refuse a network with a subnormal parameter (a weight of 1e-310): every product with it rounds
 * absolutely, so a unit's map could vanish or lose its slope unseen (two linear pieces became one).
 * Checked once per step list.
 */
export function refuseSubnormalParameters(steps: readonly Step[]): void {
  if (checked.has(steps)) return;
  steps.forEach((step, s) => {
    const arrays: [string, Float64Array | null][] =
      step.kind === "affine"
        ? [
            ["weight", step.weight],
            ["bias", step.bias],
          ]
        : step.kind === "elementwise"
          ? [
              ["breakpoint", step.breakpoints],
              ["slope", step.slopes],
              ["intercept", step.intercepts],
            ]
          : [];
    for (const [name, values] of arrays) {
      if (!values) continue;
      for (let i = 0; i < values.length; i++) {
        if (isSubnormal(values[i]))
          throw new NumericalRefusal(
            `step ${s + 1} (${step.kind}) has a ${name} below float64's normal range (${values[i]}, under 2^-1022): its regions cannot be computed exactly; rescale the weights`,
          );
      }
    }
  });
  checked.add(steps);
}

const checked = new WeakSet<readonly Step[]>();
