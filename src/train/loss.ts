/**
 * Losses over a batch, each returning the mean loss and writing dLoss/dOutput.
 * - cross-entropy: softmax over the outputs, mean of -log p(label) (computed stably).
 * - mse: mean over the batch and outputs of (output - target)^2 (PyTorch's MSELoss).
 */

export const LOSSES = ["cross-entropy", "mse"] as const;
export type LossName = (typeof LOSSES)[number];

/** Batch targets: class labels (cross-entropy) or a batch x outputs matrix (mse). */
export interface BatchTargets {
  labels: Int32Array | null;
  values: Float64Array | null;
}

export function crossEntropy(logits: Float64Array, labels: Int32Array, batch: number, classes: number, grad: Float64Array | null): number {
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const o = b * classes;
    let max = logits[o];
    for (let c = 1; c < classes; c++) if (logits[o + c] > max) max = logits[o + c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
    const logSum = Math.log(sum) + max;
    const label = labels[b];
    total += logSum - logits[o + label];
    if (grad) {
      for (let c = 0; c < classes; c++) grad[o + c] = Math.exp(logits[o + c] - logSum) / batch;
      grad[o + label] -= 1 / batch;
    }
  }
  return total / batch;
}

export function meanSquaredError(output: Float64Array, target: Float64Array, batch: number, size: number, grad: Float64Array | null): number {
  const n = batch * size;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const d = output[k] - target[k];
    total += d * d;
    if (grad) grad[k] = (2 * d) / n;
  }
  return total / n;
}

/** Rows of the batch whose largest output is the label (ties count for the first maximum). */
export function correctCount(logits: Float64Array, labels: Int32Array, batch: number, classes: number): number {
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[b * classes + c] > logits[b * classes + best]) best = c;
    if (best === labels[b]) correct++;
  }
  return correct;
}
