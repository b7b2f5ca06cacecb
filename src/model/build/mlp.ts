/**
 * Multilayer perceptrons with the initialisations the literature compares.
 * `widths` = [inputs, hidden..., outputs]; every hidden layer is followed by the activation.
 */
import type { DenseLayer, Layer, Network } from "../layers.ts";
import { createRandom, type Random } from "../random.ts";

/** The weight initialisations `mlp()` knows, from the literature (docs/training.md). */
export const INITS = ["he", "glorot", "uniform", "zero-bias", "looks-linear"] as const;
/** One of `INITS`. */
export type Init = (typeof INITS)[number];

/** The hidden activation of an `mlp()`. */
export type Activation = { type: "relu" } | { type: "leaky-relu"; slope: number } | { type: "abs" } | { type: "hard-tanh"; lo: number; hi: number } | { type: "maxout"; k: number };

/** How `mlp()` initialises and activates its layers. */
export interface MlpOptions {
  init?: Init;
  seed?: number;
  activation?: Activation;
}

/**
 * - he: weights N(0, 2/fan_in) (Kaiming normal), biases U(+-1/sqrt(fan_in)) as PyTorch's default.
 * - glorot: weights U(+-sqrt(6/(fan_in+fan_out))), biases as PyTorch's default.
 * - uniform: PyTorch's default for nn.Linear: weights and biases U(+-1/sqrt(fan_in)).
 * - zero-bias: he weights, zero biases (every first-layer hyperplane through the origin).
 * - looks-linear (Balduzzi et al. 2017): mirrored weights [W; -W] so that
 *   relu(Wx + b) - relu(-(Wx + b)) = Wx + b; the network is an affine function at initialisation
 *   (one linear piece), while its units still switch. Needs even hidden widths and relu.
 */
export function mlp(widths: readonly number[], options: MlpOptions = {}): Network {
  const init = options.init ?? "uniform";
  const rng = createRandom(options.seed ?? 0);
  const activation = options.activation ?? { type: "relu" };
  if (widths.length < 2) throw new Error("mlp needs at least an input and an output width");
  for (const w of widths) if (!Number.isInteger(w) || w < 1) throw new Error(`mlp widths must be positive integers, got ${w}`);
  if (!INITS.includes(init)) throw new Error(`unknown init "${init}" (choose one of ${INITS.join(", ")})`);
  if (init === "looks-linear") return looksLinear(widths, rng, activation);
  const k = activation.type === "maxout" ? activation.k : 1;
  const layers: Layer[] = [];
  let inSize = widths[0];
  for (let l = 1; l < widths.length; l++) {
    const hidden = l < widths.length - 1;
    const outSize = hidden ? widths[l] * k : widths[l];
    layers.push(initDense(inSize, outSize, init, rng));
    if (hidden) layers.push(activationLayer(activation));
    inSize = widths[l];
  }
  return { inputSize: widths[0], layers };
}

function activationLayer(a: Activation): Layer {
  return { ...a } as Layer;
}

function initDense(inSize: number, outSize: number, init: Init, rng: Random): DenseLayer {
  const weight = new Float64Array(outSize * inSize);
  const bias = new Float64Array(outSize);
  const bound = 1 / Math.sqrt(inSize);
  for (let i = 0; i < weight.length; i++) {
    switch (init) {
      case "he":
      case "zero-bias":
        weight[i] = rng.normal() * Math.sqrt(2 / inSize);
        break;
      case "glorot": {
        const g = Math.sqrt(6 / (inSize + outSize));
        weight[i] = rng.uniform(-g, g);
        break;
      }
      default:
        weight[i] = rng.uniform(-bound, bound);
    }
  }
  if (init !== "zero-bias") for (let i = 0; i < outSize; i++) bias[i] = rng.uniform(-bound, bound);
  return { type: "dense", inSize, outSize, weight, bias };
}

function looksLinear(widths: readonly number[], rng: Random, activation: Activation): Network {
  if (activation.type !== "relu") throw new Error("looks-linear init needs relu units");
  const L = widths.length - 1;
  for (let l = 1; l < L; l++) {
    if (widths[l] % 2 !== 0) throw new Error(`looks-linear init needs even hidden widths, layer ${l} has ${widths[l]}`);
  }
  const layers: Layer[] = [];
  // Effective (unmirrored) widths: input, half of each hidden width, output.
  const half = widths.map((w, l) => (l === 0 || l === L ? w : w / 2));
  for (let l = 1; l <= L; l++) {
    const core = initDense(half[l - 1], half[l], "he", rng);
    const mirrorIn = l > 1; // the input side holds [relu(u); relu(-u)]
    const mirrorOut = l < L; // the output side feeds [u; -u] to the next relu
    const inSize = mirrorIn ? 2 * half[l - 1] : half[l - 1];
    const outSize = mirrorOut ? 2 * half[l] : half[l];
    const weight = new Float64Array(outSize * inSize);
    const bias = new Float64Array(outSize);
    for (let i = 0; i < outSize; i++) {
      const ci = i % half[l];
      const si = i < half[l] ? 1 : -1;
      bias[i] = si * core.bias[ci];
      for (let j = 0; j < inSize; j++) {
        const cj = j % half[l - 1];
        const sj = j < half[l - 1] ? 1 : -1;
        weight[i * inSize + j] = si * sj * core.weight[ci * half[l - 1] + cj];
      }
    }
    layers.push({ type: "dense", inSize, outSize, weight, bias });
    if (l < L) layers.push({ type: "relu" });
  }
  return { inputSize: widths[0], layers };
}
