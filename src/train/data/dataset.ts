/**
 * A data set in memory: inputs as one row-major Float64Array, and either class labels or
 * regression targets. Every built-in set is generated from a seed, so a run is reproducible.
 */

export interface Dataset {
  /** Short name used in run directories and reports ("moons", "mnist-pca10", "data.csv"). */
  name: string;
  inputSize: number;
  count: number;
  /** count x inputSize, row-major. */
  x: Float64Array;
  task: "classification" | "regression";
  /** Classification: number of classes and the class of each row (0..classes-1). */
  classes: number;
  labels: Int32Array | null;
  /** Regression: count x targetSize, row-major. */
  targetSize: number;
  targets: Float64Array | null;
  /** Bounding box of the inputs with a margin, per input: [lo0, hi0, lo1, hi1, ...]. */
  box: Float64Array;
}

/** Output width a network needs for this data set. */
export function outputWidth(data: Dataset): number {
  return data.task === "classification" ? data.classes : data.targetSize;
}

/** Row i of the inputs (a view, no copy). */
export function row(data: Dataset, i: number): Float64Array {
  return data.x.subarray(i * data.inputSize, (i + 1) * data.inputSize);
}

/** Per-input bounding box of `x`, widened by `margin` times its extent on each side. */
export function boundingBox(x: Float64Array, count: number, inputSize: number, margin = 0.1): Float64Array {
  const box = new Float64Array(2 * inputSize);
  for (let d = 0; d < inputSize; d++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const v = x[i * inputSize + d];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 0;
    }
    const pad = hi > lo ? margin * (hi - lo) : 1;
    box[2 * d] = lo - pad;
    box[2 * d + 1] = hi + pad;
  }
  return box;
}

export function classificationSet(name: string, x: Float64Array, inputSize: number, labels: Int32Array, classes: number): Dataset {
  const count = labels.length;
  return {
    name,
    inputSize,
    count,
    x,
    task: "classification",
    classes,
    labels,
    targetSize: 0,
    targets: null,
    box: boundingBox(x, count, inputSize),
  };
}

export function regressionSet(name: string, x: Float64Array, inputSize: number, targets: Float64Array, targetSize: number): Dataset {
  const count = targets.length / targetSize;
  return {
    name,
    inputSize,
    count,
    x,
    task: "regression",
    classes: 0,
    labels: null,
    targetSize,
    targets,
    box: boundingBox(x, count, inputSize),
  };
}

/** The rows `indices` of a data set, as a new data set (used for subsets and splits). */
export function subset(data: Dataset, indices: ArrayLike<number>, name = data.name): Dataset {
  const n = indices.length;
  const d = data.inputSize;
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) x.set(data.x.subarray(indices[r] * d, (indices[r] + 1) * d), r * d);
  if (data.task === "classification") {
    const labels = new Int32Array(n);
    for (let r = 0; r < n; r++) labels[r] = (data.labels as Int32Array)[indices[r]];
    return {
      ...classificationSet(name, x, d, labels, data.classes),
      box: data.box,
    };
  }
  const t = data.targetSize;
  const targets = new Float64Array(n * t);
  for (let r = 0; r < n; r++) targets.set((data.targets as Float64Array).subarray(indices[r] * t, (indices[r] + 1) * t), r * t);
  return { ...regressionSet(name, x, d, targets, t), box: data.box };
}
