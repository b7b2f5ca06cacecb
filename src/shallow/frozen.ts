/**
 * A network frozen to one activation pattern S: every unit keeps its state's affine piece
 * everywhere, so the network becomes an affine map f_S of the input.
 *
 * One pass over the compiled steps with (1 + n0 + U) channels gives everything the construction
 * needs at once. Channels 0..n0 carry the affine map of the input (constant, d/dx_1, ...); channel
 * 1 + n0 + u carries the derivative with respect to an amount injected at the output of unit u,
 * which is added right after the unit's frozen activation. Then, for the frozen network:
 * - the output's input channels are f_S, its injection channels are the sensitivities m_S;
 * - the input channels of unit v's pre-activation are z_v^S, its injection channels the
 *   unit-to-unit Jacobian J_S[v][u] (zero unless u comes before v: strictly lower triangular).
 * Stack steps (residual blocks, branches) act on all channels alike, so no layer type is
 * special-cased.
 *
 * Why injections: the true unit output is phi_s(z) + delta with delta = phi(z) - phi_s(z), so the
 * true network is the frozen one with delta injected at every unit, and everything downstream
 * is affine in the injections. Hence, exactly, f = f_S + sum_u m_u delta_u and
 * z_v = z_v^S + sum_u J[v][u] delta_u (docs/shallow.md).
 */
import { applyStates, type Compiled, pushAffine } from "../model/forward.ts";
import { getState } from "../model/pattern.ts";
import { applyStack } from "../model/steps.ts";
import type { Hinges } from "./hinges.ts";

export interface FrozenRegion {
  inputSize: number;
  outputSize: number;
  /** f_S: outputSize x (n0 + 1), row o = [constant, d/dx_1, ..., d/dx_n0]. */
  affine: Float64Array;
  /** Per hinge h of unit u: the affine map a_h = -sigma_h (z_u^S - t_h), H x (n0 + 1). */
  hingeMaps: Float64Array;
  /** Per hinge: kink_h * m_{S,u}, H x outputSize. */
  sensitivity: Float64Array;
  /**
   * |J_S[v][u] * kink_h| for hinge row h' (of unit v) and hinge column h (of unit u), H x H
   * row-major: how much hinge h's rectified term can move hinge h''s argument.
   */
  coupling: Float64Array;
  /** Per hinge: sigma_h = +1 when its breakpoint lies below the unit's state on S, else -1. */
  sigma: Int8Array;
}

/** Freeze `compiled` to the pattern at `patterns[offset ..]` (layout: compiled.layout). */
export function freezeRegion(compiled: Compiled, hinges: Hinges, patterns: Uint32Array, offset: number): FrozenRegion {
  const n0 = compiled.inputSize;
  const U = hinges.units;
  const C = 1 + n0 + U;
  const inject = 1 + n0;
  // The identity map of the input: channel 1 + i is e_i.
  let cur: Float64Array = new Float64Array(C * n0);
  for (let i = 0; i < n0; i++) cur[(1 + i) * n0 + i] = 1;
  const stack: Float64Array[] = [];
  /** Each unit's pre-activation map over all channels, U x C. */
  const pre = new Float64Array(U * C);
  const unitState = new Uint8Array(U);
  let states = new Uint8Array(compiled.maxWidth);
  compiled.steps.forEach((step, s) => {
    switch (step.kind) {
      case "affine": {
        const next = new Float64Array(C * step.outSize);
        pushAffine(step, cur, next, C);
        cur = next;
        break;
      }
      case "elementwise": {
        const n = step.size;
        const first = hinges.stepFirstUnit[s];
        if (states.length < n) states = new Uint8Array(n);
        for (let j = 0; j < n; j++) {
          for (let c = 0; c < C; c++) pre[(first + j) * C + c] = cur[c * n + j];
          states[j] = getState(compiled.layout, patterns, offset, s, j);
          unitState[first + j] = states[j];
        }
        const next = new Float64Array(C * n);
        applyStates(step, states, cur, next, C);
        for (let j = 0; j < n; j++) next[(inject + first + j) * n + j] += 1;
        cur = next;
        break;
      }
      case "max":
        throw new Error(`internal: max step "${step.label}" reached freezeRegion (hingesOf rejects it)`);
      default:
        cur = applyStack(step, cur, stack, C);
    }
  });
  const m = compiled.outputSize;
  const H = hinges.count;
  const affine = new Float64Array(m * (n0 + 1));
  for (let o = 0; o < m; o++) for (let c = 0; c <= n0; c++) affine[o * (n0 + 1) + c] = cur[c * m + o];
  const hingeMaps = new Float64Array(H * (n0 + 1));
  const sensitivity = new Float64Array(H * m);
  const coupling = new Float64Array(H * H);
  const sigma = new Int8Array(H);
  for (let h = 0; h < H; h++) {
    const u = hinges.unit[h];
    const sg = unitState[u] > hinges.breakpoint[h] ? 1 : -1;
    sigma[h] = sg;
    hingeMaps[h * (n0 + 1)] = -sg * (pre[u * C] - hinges.position[h]);
    for (let c = 1; c <= n0; c++) hingeMaps[h * (n0 + 1) + c] = -sg * pre[u * C + c];
    const kink = hinges.kink[h];
    for (let o = 0; o < m; o++) sensitivity[h * m + o] = kink * cur[(inject + u) * m + o];
  }
  for (let row = 0; row < H; row++) {
    const v = hinges.unit[row];
    for (let col = 0; col < H; col++) {
      const j = pre[v * C + inject + hinges.unit[col]];
      if (j !== 0) coupling[row * H + col] = Math.abs(j * hinges.kink[col]);
    }
  }
  return { inputSize: n0, outputSize: m, affine, hingeMaps, sensitivity, coupling, sigma };
}
