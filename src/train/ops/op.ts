/**
 * One layer of the differentiable program (trainable.ts). Each op owns its output and
 * input-gradient buffers, sized for the largest batch, so a training step allocates nothing.
 * `training` selects the training form of layers that have two (batch norm: batch statistics
 * and running averages, against the stored inference form the engines count).
 */

/** A trainable tensor and its gradient (same length). Weights decay, biases do not. */
export interface Param {
  value: Float64Array;
  grad: Float64Array;
  decay: boolean;
  name: string;
}

export interface Op {
  inSize: number;
  outSize: number;
  /** Returns the op's output buffer (rows 0..batch-1 valid). */
  forward(x: Float64Array, batch: number, training: boolean): Float64Array;
  /** Accumulates parameter gradients; returns dL/dx when `needInput` (else null). */
  backward(dy: Float64Array, batch: number, needInput: boolean): Float64Array | null;
}

/** A Float64Array of at least `size` numbers: `buf` itself when large enough. */
export function atLeast(buf: Float64Array, size: number): Float64Array {
  return buf.length >= size ? buf : new Float64Array(size);
}

/** y = max(y, 0), as reluOp computes it. */
export function reluInPlace(y: Float64Array, length: number): void {
  for (let k = 0; k < length; k++) y[k] = Math.max(y[k], 0);
}

/** The gradient through a relu whose output is y: dz = dy where y > 0, else 0 (as reluOp). Returns dz. */
export function reluMask(y: Float64Array, dy: Float64Array, dz: Float64Array, length: number): Float64Array {
  for (let k = 0; k < length; k++) dz[k] = y[k] > 0 ? dy[k] : 0;
  return dz;
}
