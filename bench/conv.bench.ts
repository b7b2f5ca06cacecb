/**
 * Convolutional networks: exact regions in a plane through three MNIST digits for a small CNN
 * (conv 3x3 -> 8 channels, relu, conv 3x3 -> 8 channels, relu, max-pool 2x2, dense 10), with
 * the conv layers run natively (convolution over the coefficient channels, max-pool as index
 * groups) against the same network densified into dense layers and maxout, in the same run.
 *
 * The plane is the parallelogram through the three digits, shrunk about their centroid by a
 * factor (the full parallelogram has far more regions than a benchmark can wait for); both
 * networks get the same plane, so their region counts must agree. Weights: He-initialised,
 * seeded (region structure, not accuracy, is what is timed).
 */
import { densify } from "../src/model/densify.ts";
import { prepare } from "../src/model/forward.ts";
import type { Layer, Network } from "../src/model/layers.ts";
import { createRandom } from "../src/model/random.ts";
import { parallelogramSlice, planePartition } from "../src/regions/plane.ts";
import { MNIST_PIXELS, mnistDigits } from "../src/train/data/mnist.ts";
import { fmt, table } from "./timing.ts";

export function mnistCnn(seed = 1): Network {
  const rng = createRandom(seed);
  const conv = (inChannels: number, outChannels: number): Layer => ({
    type: "conv2d",
    inChannels,
    outChannels,
    groups: 1,
    kernel: [3, 3],
    stride: [1, 1],
    padding: [0, 0, 0, 0],
    dilation: [1, 1],
    weight: Float64Array.from({ length: outChannels * inChannels * 9 }, () => rng.normal() * Math.sqrt(2 / (inChannels * 9))),
    bias: Float64Array.from({ length: outChannels }, () => rng.uniform(-0.1, 0.1)),
  });
  const flat = 8 * 12 * 12;
  return {
    inputSize: MNIST_PIXELS,
    inputShape: [1, 28, 28],
    layers: [
      conv(1, 8),
      { type: "relu" },
      conv(8, 8),
      { type: "relu" },
      {
        type: "max-pool",
        kernel: [2, 2],
        stride: [2, 2],
        padding: [0, 0, 0, 0],
        dilation: [1, 1],
        ceilMode: false,
      },
      { type: "flatten" },
      {
        type: "dense",
        inSize: flat,
        outSize: 10,
        weight: Float64Array.from({ length: 10 * flat }, () => rng.normal() * Math.sqrt(2 / flat)),
        bias: new Float64Array(10),
      },
    ],
  };
}

export default async function (): Promise<string> {
  const { x } = await mnistDigits();
  const digit = (i: number): Float64Array => x.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
  const points = [digit(0), digit(1500), digit(3000)];
  const net = mnistCnn();
  const rows: (string | number)[][] = [];
  for (const factor of [0.01, 0.02]) {
    const c = new Float64Array(MNIST_PIXELS);
    for (const p of points) for (let i = 0; i < MNIST_PIXELS; i++) c[i] += p[i] / 3;
    const [p1, p2, p3] = points.map((p) => p.map((v, i) => c[i] + factor * (v - c[i])));
    const { slice, domain } = parallelogramSlice(p1, p2, p3);
    const run = (n: Network): { seconds: number; regions: number; prepare: number } => {
      const t0 = performance.now();
      const compiled = prepare(n);
      const t1 = performance.now();
      const part = planePartition(compiled, slice, { domain });
      return {
        seconds: (performance.now() - t1) / 1000,
        regions: part.activationRegions,
        prepare: (t1 - t0) / 1000,
      };
    };
    const native = run(net);
    const t0 = performance.now();
    const denseNet = densify(net);
    const densifySeconds = (performance.now() - t0) / 1000;
    const dense = run(denseNet);
    if (dense.regions !== native.regions) throw new Error(`conv bench: native ${native.regions} regions, densified ${dense.regions}`);
    rows.push([factor, native.regions, fmt(native.seconds), fmt(dense.seconds), `${fmt(densifySeconds + dense.prepare)}`, `${fmt(dense.seconds / native.seconds)}x`]);
  }
  return [
    "## Convolutional networks",
    "",
    "Plane through three MNIST digits (0, 1500, 3000 of the `mnist` package), shrunk about their centroid by the factor, for a CNN conv3x3(8)-relu-conv3x3(8)-relu-maxpool2-dense(10) on 1x28x28 (10,160 relu and max units). Native: conv and max-pool steps; dense: the same network with conv as explicit matrices (5,408 x 784 and 4,608 x 5,408) and max-pool as gather + maxout. Region counts are checked equal.",
    "",
    table(["shrink", "regions", "native s", "densified s", "densify + prepare s", "dense / native"], rows),
  ].join("\n");
}
