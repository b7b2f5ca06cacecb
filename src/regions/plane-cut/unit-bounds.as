// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// Per-unit bounds (unit-error.ts's fused bound and plane-elementwise-cut.ts's unitBound).

import { EPS, GROW } from "./constants";
import { ld, gi, gd } from "./memory";
import { S_N, S_M, S_WT, S_BIAS, S_Z, S_ZERR, S_CARRIED, S_UPDATES, S_SLOPEMAX, S_ICPTMAX, STEP_BYTES, steps } from "./steps";

// ---- per-unit bounds (unit-error.ts's fused bound and plane-elementwise-cut.ts's unitBound) ---------------------
//
// The channel bounds (S_ZERR) are the largest unit's; where they leave a vertex of a unit's line
// undecided, plane.ts tries the unit's own bound: its local part from its own row of the dense
// step before it (unit-error.ts `unit`, a fused step: |bias| plus the row's |w| times the largest
// |output| each input can have in any state, times (n + 3 + 16 updates) u) plus the carried part
// of the channel's (the step above's S_CARRIED), at most the channel's. The kernel's steps after
// the first are all such fused maps; the first step's map comes from the domain's affine walk
// (unit-error.ts's affine bound, not here: the kernel gives up there as before).

export const MARGIN: f64 = 1 + 9.5367431640625e-7; // unit-error.ts's 1 + 2^-20
/** unitLocal's out: unit-error.ts's `unit` (the local bound, at most the channel's). */
export let ul0: f64 = 0;
export let ul1: f64 = 0;
export let ul2: f64 = 0;
/** unitBound's out (plane.ts's unitErr), lowered in place by adjointLower. */
export let ue0: f64 = 0;
export let ue1: f64 = 0;
export let ue2: f64 = 0;

/**
 * unit-error.ts's `unit` for a fused elementwise step with three channels: unit j of step st's
 * map (made by the step above and its dense step from the map it cut), into ul0..2. The same
 * float64 operations in the same order (the row of the dense weight is a column of S_WT).
 */
export function unitLocal(st: i32, j: i32): void {
  const p = st - STEP_BYTES;
  const n = gi(p, S_N);
  const m = gi(p, S_M);
  const WT = gi(p, S_WT);
  const x = gi(p, S_Z);
  const slope = gd(p, S_SLOPEMAX);
  const icpt = gd(p, S_ICPTMAX);
  let a0 = Math.abs(ld(gi(p, S_BIAS), j));
  let a1: f64 = 0;
  let a2: f64 = 0;
  for (let k = 0; k < n; k++) {
    const w = Math.abs(ld(WT, k * m + j));
    if (w == 0) continue;
    a0 += w * (slope * Math.abs(ld(x, k)) + icpt);
    a1 += w * slope * Math.abs(ld(x, n + k));
    a2 += w * slope * Math.abs(ld(x, 2 * n + k));
  }
  const factor = <f64>(n + 3 + 16 * gi(p, S_UPDATES)) * EPS * MARGIN;
  const zErr = gi(st, S_ZERR);
  ul0 = min<f64>(ld(zErr, 0), factor * a0);
  ul1 = min<f64>(ld(zErr, 1), factor * a1);
  ul2 = min<f64>(ld(zErr, 2), factor * a2);
}

/** plane-elementwise-cut.ts's unitBound: unit j's local bound plus the carried part of the channel's, at most the channel's (ue0..2). */
export function unitBound(st: i32, j: i32): void {
  unitLocal(st, j);
  const zErr = gi(st, S_ZERR);
  const carried = gi(st - STEP_BYTES, S_CARRIED);
  ue0 = min<f64>(ld(zErr, 0), (ul0 + ld(carried, 0)) * GROW);
  ue1 = min<f64>(ld(zErr, 1), (ul1 + ld(carried, 1)) * GROW);
  ue2 = min<f64>(ld(zErr, 2), (ul2 + ld(carried, 2)) * GROW);
}

/** Whether step st's units have their own bounds (plane.ts units.known): every step after the first. */
@inline export function unitsKnown(st: i32): bool {
  return st != steps;
}
