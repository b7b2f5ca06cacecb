/**
 * Built-in data sets by name, from a small spec that a run directory stores so a resumed run
 * rebuilds exactly the same data. CSV files are read by the Node side (node/load-data.ts).
 */
import type { Dataset } from "./dataset.ts";
import { mnist } from "./mnist.ts";
import { regression1d, TARGETS_1D, type Target1d } from "./regression1d.ts";
import { TOY_2D, type Toy2d, toy2d } from "./toy2d.ts";

export interface DataSpec {
  /** A built-in name (moons, sine, mnist, ...) or a CSV file path. */
  source: string;
  count?: number;
  noise?: number;
  seed?: number;
  /** MNIST: project to this many principal components. */
  pca?: number;
  /** 1D targets: periods or steps. */
  frequency?: number;
  /** spirals, blobs: number of classes. */
  classes?: number;
  /** CSV: target column (name or index). */
  target?: string;
  /** Hold out this many rows (the last ones of the shuffled set) for test loss and accuracy. */
  holdout?: number;
}

/** The C x H x W shape of a built-in image set (MNIST without PCA), or null. */
export function imageShape(spec: DataSpec): [number, number, number] | null {
  return spec.source === "mnist" && spec.pca === undefined ? [1, 28, 28] : null;
}

export const BUILTIN_DATA: readonly string[] = [...TOY_2D, ...TARGETS_1D, "mnist"];

export function isBuiltin(source: string): boolean {
  return BUILTIN_DATA.includes(source);
}

/** The built-in data set of a spec (throws for unknown names; CSV paths are not built in). */
export async function builtinDataset(spec: DataSpec): Promise<Dataset> {
  const seed = spec.seed ?? 0;
  if ((TOY_2D as readonly string[]).includes(spec.source)) {
    return toy2d(spec.source as Toy2d, {
      count: spec.count,
      noise: spec.noise,
      seed,
      classes: spec.classes,
    });
  }
  if ((TARGETS_1D as readonly string[]).includes(spec.source)) {
    return regression1d(spec.source as Target1d, {
      count: spec.count,
      noise: spec.noise,
      seed,
      frequency: spec.frequency,
    });
  }
  if (spec.source === "mnist") return mnist({ count: spec.count, pca: spec.pca, seed });
  throw new Error(`unknown data set "${spec.source}" (built in: ${BUILTIN_DATA.join(", ")}; or a .csv file)`);
}
