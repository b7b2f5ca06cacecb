/**
 * What the engines see of a network: a flat list of steps acting on a vector of activations.
 *
 * Every engine (forward pass, line, plane, space) carries an *affine map* of the region's
 * coordinates instead of a single vector: for a k-dimensional slice, k+1 channels of the
 * activation vector (channel 0 the constant term, channel c the coefficient of coordinate c),
 * stored channel-major: `map[c * size + i]`. A forward pass is the case k = 0.
 *
 * - `affine`: y = A x + b. Engines call `applyLinear` once per channel and add the bias to
 *   channel 0 only. A convolution implements `applyLinear` as a convolution, so it is never
 *   densified. `weight` is present when A is an explicit dense matrix (fast paths use columns).
 * - `elementwise`: every unit applies the same scalar piecewise-linear function, given by its
 *   sorted breakpoints t_1 < ... < t_m and, on each of the m+1 pieces, slope and intercept.
 *   A unit's state is the number of breakpoints strictly below its input (relu: 0 off, 1 on).
 * - `max`: output j is the maximum of inputs `indices[offsets[j] .. offsets[j+1])` (maxout,
 *   max-pool). A unit's state is the position of the argmax in its group; ties go to the first.
 * - Branches (residual blocks, Add or Concat of two branches, max over branches) use a stack:
 *   `save` pushes a copy of the current vector; `swap` exchanges the current vector with the top;
 *   `drop` replaces the current vector by the popped top; `add-saved` pops and adds;
 *   `concat-saved` pops s and makes the current vector [s; current].
 *   A residual block is save, f..., add-saved; Add(f(x), g(x)) is save, f..., swap, g..., add-saved.
 */

export interface AffineStep {
  kind: "affine";
  label: string;
  inSize: number;
  outSize: number;
  bias: Float64Array;
  /** Row-major outSize x inSize when the linear part is an explicit matrix. */
  weight: Float64Array | null;
  /** y[yOff + i] = sum_j A[i, j] x[xOff + j], for i < outSize (no bias). */
  applyLinear(x: Float64Array, xOff: number, y: Float64Array, yOff: number): void;
}

export interface ElementwiseStep {
  kind: "elementwise";
  label: string;
  size: number;
  breakpoints: Float64Array;
  slopes: Float64Array;
  intercepts: Float64Array;
}

export interface MaxStep {
  kind: "max";
  label: string;
  inSize: number;
  outSize: number;
  offsets: Int32Array;
  indices: Int32Array;
}

export interface SaveStep {
  kind: "save";
  size: number;
}

export interface AddSavedStep {
  kind: "add-saved";
  size: number;
}

/** Exchange the current vector (size) with the top of the stack (savedSize). */
export interface SwapStep {
  kind: "swap";
  size: number;
  savedSize: number;
}

/** Discard the current vector (size); the popped top (savedSize) becomes current. */
export interface DropStep {
  kind: "drop";
  size: number;
  savedSize: number;
}

/** Pop s (savedSize); current (size) becomes [s; current]. */
export interface ConcatSavedStep {
  kind: "concat-saved";
  size: number;
  savedSize: number;
}

export type StackStep = SaveStep | AddSavedStep | SwapStep | DropStep | ConcatSavedStep;
export type PiecewiseStep = ElementwiseStep | MaxStep;
export type Step = AffineStep | PiecewiseStep | StackStep;

export function isPiecewise(step: Step): step is PiecewiseStep {
  return step.kind === "elementwise" || step.kind === "max";
}

/** Number of state-carrying units of a piecewise step (its outputs). */
export function unitCount(step: PiecewiseStep): number {
  return step.kind === "elementwise" ? step.size : step.outSize;
}

/** Number of states a unit of the step can take. */
export function maxStates(step: PiecewiseStep): number {
  if (step.kind === "elementwise") return step.breakpoints.length + 1;
  let most = 1;
  for (let j = 0; j < step.outSize; j++) most = Math.max(most, step.offsets[j + 1] - step.offsets[j]);
  return most;
}

export function stepInSize(step: Step): number {
  switch (step.kind) {
    case "affine":
    case "max":
      return step.inSize;
    case "elementwise":
      return step.size;
    default:
      return step.size;
  }
}

export function stepOutSize(step: Step): number {
  switch (step.kind) {
    case "affine":
    case "max":
      return step.outSize;
    case "swap":
    case "drop":
      return step.savedSize;
    case "concat-saved":
      return step.savedSize + step.size;
    default:
      return step.size;
  }
}

/**
 * Apply a stack step to per-cell k-channel maps. `cur` is the current map (channels x size); the
 * stack holds maps of the same channel count. Returns the new current map. Maps on the stack are
 * never mutated after being pushed, so engines can share them between sibling cells.
 */
export function applyStack(step: StackStep, cur: Float64Array, stack: Float64Array[], channels: number): Float64Array {
  switch (step.kind) {
    case "save":
      stack.push(cur.slice());
      return cur;
    case "swap": {
      const top = stack.pop() as Float64Array;
      stack.push(cur.slice());
      return top.slice();
    }
    case "drop":
      return (stack.pop() as Float64Array).slice();
    case "add-saved": {
      const top = stack.pop() as Float64Array;
      const out = cur.slice();
      for (let i = 0; i < out.length; i++) out[i] += top[i];
      return out;
    }
    case "concat-saved": {
      const top = stack.pop() as Float64Array;
      const a = step.savedSize;
      const b = step.size;
      const out = new Float64Array(channels * (a + b));
      concatChannels(out, top, cur, a, b, channels);
      return out;
    }
  }
}

/**
 * The stack steps that only move maps (save, swap, drop) on maps never mutated once pushed: the
 * new current map and a new stack, the old one left as it was; null for the steps that combine
 * two maps (add-saved, concat-saved), which each representation writes itself. The exact and
 * near-exact maps of the line engine (exact-maps.ts, line-double.ts, line-triple.ts,
 * line-rounded.ts) share it.
 */
export function moveStack<M>(step: Step, cur: M, stack: M[]): { z: M; stack: M[] } | null {
  switch (step.kind) {
    case "save":
      return { z: cur, stack: [...stack, cur] };
    case "swap":
      return { z: stack[stack.length - 1], stack: [...stack.slice(0, -1), cur] };
    case "drop":
      return { z: stack[stack.length - 1], stack: stack.slice(0, -1) };
    default:
      return null;
  }
}

/** concat-saved on one array of `channels` channels: each channel the saved map's a entries, then the current's b. */
export function concatChannels(out: Float64Array, saved: Float64Array, cur: Float64Array, a: number, b: number, channels: number): void {
  for (let c = 0; c < channels; c++) {
    out.set(saved.subarray(c * a, (c + 1) * a), c * (a + b));
    out.set(cur.subarray(c * b, (c + 1) * b), c * (a + b) + a);
  }
}

/** A dense affine step from a row-major matrix. */
export function denseStep(label: string, inSize: number, outSize: number, weight: Float64Array, bias: Float64Array): AffineStep {
  return {
    kind: "affine",
    label,
    inSize,
    outSize,
    bias,
    weight,
    applyLinear(x, xOff, y, yOff) {
      for (let i = 0; i < outSize; i++) {
        let acc = 0;
        const row = i * inSize;
        for (let j = 0; j < inSize; j++) acc += weight[row + j] * x[xOff + j];
        y[yOff + i] = acc;
      }
    },
  };
}

/** A diagonal affine step y_i = scale_i x_i + shift_i (batch norm in inference form). */
export function diagonalStep(label: string, scale: Float64Array, shift: Float64Array): AffineStep {
  const n = scale.length;
  return {
    kind: "affine",
    label,
    inSize: n,
    outSize: n,
    bias: shift,
    weight: null,
    applyLinear(x, xOff, y, yOff) {
      for (let i = 0; i < n; i++) y[yOff + i] = scale[i] * x[xOff + i];
    },
  };
}

/**
 * The explicit row-major matrix of an affine step: its weight when it has one, otherwise
 * (convolutions, pooling) column j is the image of the j-th unit vector. O(inSize) pushes:
 * for analysis and densified references, never for the engines' hot paths.
 */
export function affineMatrix(step: AffineStep): Float64Array {
  if (step.weight) return step.weight;
  const n = step.inSize;
  const m = step.outSize;
  const matrix = new Float64Array(m * n);
  const e = new Float64Array(n);
  const col = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    step.applyLinear(e, 0, col, 0);
    e[j] = 0;
    for (let i = 0; i < m; i++) matrix[i * n + j] = col[i];
  }
  return matrix;
}
