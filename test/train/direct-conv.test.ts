import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { windowOutput2d } from "../../src/model/window.ts";
import { directConv } from "../../src/train/wasm/direct-conv.ts";
import { wasmGemmStaged } from "../../src/train/wasm/gemm.ts";

interface Shape {
  channels: number;
  height: number;
  width: number;
  cout: number;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: [number, number, number, number];
  batch: number;
}

/** im2col in plain loops: col[n][t] (N x K), the window numbers of every output position n. */
function im2col(s: Shape, x: Float64Array): { col: Float64Array; N: number; K: number; P: number } {
  const [oh, ow] = windowOutput2d({ kernel: s.kernel, stride: s.stride, dilation: s.dilation, padding: s.padding }, s.height, s.width);
  const P = oh * ow;
  const K = s.channels * s.kernel[0] * s.kernel[1];
  const N = s.batch * P;
  const col = new Float64Array(N * K);
  for (let n = 0; n < N; n++) {
    const b = Math.floor(n / P);
    const oy = Math.floor((n % P) / ow);
    const ox = n % ow;
    for (let t = 0; t < K; t++) {
      const ic = Math.floor(t / (s.kernel[0] * s.kernel[1]));
      const ky = Math.floor(t / s.kernel[1]) % s.kernel[0];
      const kx = t % s.kernel[1];
      const iy = oy * s.stride[0] - s.padding[0] + ky * s.dilation[0];
      const ix = ox * s.stride[1] - s.padding[1] + kx * s.dilation[1];
      if (iy >= 0 && iy < s.height && ix >= 0 && ix < s.width) col[n * K + t] = x[((b * s.channels + ic) * s.height + iy) * s.width + ix];
    }
  }
  return { col, N, K, P };
}

/** C = A B^T by the staged GEMM kernel (the trainer's product before the direct kernel), A rows x k, B cols x k. */
function gemmNT(a: Float64Array, b: Float64Array, rows: number, cols: number, k: number): Float64Array {
  const gemm = wasmGemmStaged;
  assert.ok(gemm);
  const fill = (m: Float64Array, count: number) => (st: { heap: Float64Array }, offset: number, kp: number) => {
    for (let r = 0; r < count; r++) for (let j = 0; j < kp; j++) st.heap[offset + r * kp + j] = j < k ? m[r * k + j] : 0;
  };
  const z = gemm(rows, cols, k, fill(a, rows), fill(b, cols));
  const c = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) c[r * cols + q] = z.heap[z.offset + r * z.stride + q];
  return c;
}

/** The reference forward: the GEMM of W and the windows, then + bias and max(., 0), as ops/conv.ts did. */
function viaGemm(s: Shape, x: Float64Array, weight: Float64Array, bias: Float64Array, relu: boolean): Float64Array {
  const { col, N, K, P } = im2col(s, x);
  const z = gemmNT(weight, col, s.cout, N, K);
  const y = new Float64Array(s.batch * s.cout * P);
  for (let c = 0; c < s.cout; c++)
    for (let n = 0; n < N; n++) {
      const v = z[c * N + n] + bias[c];
      y[(Math.floor(n / P) * s.cout + c) * P + (n % P)] = relu ? Math.max(v, 0) : v;
    }
  return y;
}

const SHAPES: Shape[] = [
  { channels: 1, height: 28, width: 28, cout: 8, kernel: [5, 5], stride: [2, 2], dilation: [1, 1], padding: [2, 2, 2, 2], batch: 3 },
  { channels: 3, height: 7, width: 6, cout: 11, kernel: [3, 2], stride: [1, 2], dilation: [2, 1], padding: [1, 0, 2, 1], batch: 3 },
  { channels: 2, height: 5, width: 5, cout: 3, kernel: [2, 2], stride: [1, 1], dilation: [1, 1], padding: [0, 0, 0, 0], batch: 1 },
  { channels: 4, height: 6, width: 6, cout: 16, kernel: [1, 1], stride: [3, 3], dilation: [1, 1], padding: [0, 0, 0, 0], batch: 5 },
];

/** The direct kernel for a shape (room for 2 images more than used), random weights, biases with a zero and a -0, inputs. */
function setUp(s: Shape, seed: number) {
  const rng = createRandom(seed);
  const [oh, ow] = windowOutput2d({ kernel: s.kernel, stride: s.stride, dilation: s.dilation, padding: s.padding }, s.height, s.width);
  const maxBatch = s.batch + 2;
  const conv = directConv({
    channels: s.channels,
    height: s.height,
    width: s.width,
    outHeight: oh,
    outWidth: ow,
    outChannels: s.cout,
    kernel: s.kernel,
    stride: s.stride,
    dilation: s.dilation,
    padding: [s.padding[0], s.padding[1]],
    maxBatch,
  });
  assert.ok(conv);
  const K = s.channels * s.kernel[0] * s.kernel[1];
  const weight = Float64Array.from({ length: s.cout * K }, () => rng.normal());
  // A zero bias and a -0 bias among them: a degenerate input, and the relu's sign rule.
  const bias = Float64Array.from({ length: s.cout }, (_, c) => (c === 0 ? 0 : c === 1 ? -0 : rng.normal()));
  // Inputs with exact zeros (as MNIST's background), which make some sums exactly zero.
  const x = Float64Array.from({ length: maxBatch * s.channels * s.height * s.width }, () => (rng.uniform(0, 1) < 0.3 ? 0 : rng.normal()));
  return { conv, x, weight, bias, P: oh * ow };
}

test("the direct conv kernel gives the staged GEMM's outputs to the last bit (odd taps, channels not a multiple of 4, padding, stride, dilation, odd positions)", () => {
  for (const [i, s] of SHAPES.entries()) {
    const { conv, x, weight, bias, P } = setUp(s, 3 + i);
    for (const relu of [true, false]) {
      const y = new Float64Array((s.batch + 2) * s.cout * P).fill(Number.NaN);
      conv.forward(x, s.batch, weight, bias, relu, y);
      const expected = viaGemm(s, x, weight, bias, relu);
      for (let k = 0; k < expected.length; k++) assert.ok(Object.is(y[k], expected[k]), `shape ${i}, relu ${relu}, output ${k}: ${y[k]} against ${expected[k]}`);
      // Nothing written past the batch.
      assert.ok(Number.isNaN(y[expected.length]), `shape ${i}: wrote past the batch`);
    }
  }
});

test("the direct weight gradient gives the staged GEMM's dZ^T col, the bias sums and the relu-masked dZ to the last bit", () => {
  for (const [i, s] of SHAPES.entries()) {
    const { conv, x, weight, bias, P } = setUp(s, 13 + i);
    const rng = createRandom(20 + i);
    const { col, N, K } = im2col(s, x);
    const colT = new Float64Array(K * N);
    for (let n = 0; n < N; n++) for (let t = 0; t < K; t++) colT[t * N + n] = col[n * K + t];
    for (const relu of [true, false]) {
      const y = new Float64Array((s.batch + 2) * s.cout * P);
      conv.forward(x, s.batch, weight, bias, relu, y);
      const dy = Float64Array.from({ length: y.length }, () => rng.normal());
      // The reference: dZ masked where the output is not > 0, dZ^T (cout x N), its GEMM with col^T.
      const dz = Float64Array.from(dy, (v, k) => (relu && !(y[k] > 0) ? 0 : v));
      const dzT = new Float64Array(s.cout * N);
      for (let n = 0; n < N; n++) for (let c = 0; c < s.cout; c++) dzT[c * N + n] = dz[(Math.floor(n / P) * s.cout + c) * P + (n % P)];
      const dw = gemmNT(dzT, colT, s.cout, K, N);
      // Accumulated onto nonzero gradients, as the trainer does over a step.
      const start = Float64Array.from({ length: s.cout * K }, () => rng.normal());
      const biasStart = Float64Array.from({ length: s.cout }, () => rng.normal());
      const gw = Float64Array.from(start);
      const gb = Float64Array.from(biasStart);
      const dzOut = new Float64Array(y.length).fill(Number.NaN);
      conv.weightGrad(dy, s.batch, relu, dzOut, gw, gb);
      for (let k = 0; k < gw.length; k++) assert.ok(Object.is(gw[k], start[k] + dw[k]), `shape ${i}, relu ${relu}, weight gradient ${k}: ${gw[k]} against ${start[k] + dw[k]}`);
      for (let c = 0; c < s.cout; c++) {
        let sum = 0;
        for (let b = 0; b < s.batch; b++) for (let p = 0; p < P; p++) sum += dz[(b * s.cout + c) * P + p];
        assert.ok(Object.is(gb[c], biasStart[c] + sum), `shape ${i}, relu ${relu}, bias gradient ${c}`);
      }
      if (relu) for (let k = 0; k < s.batch * s.cout * P; k++) assert.ok(Object.is(dzOut[k], dz[k]), `shape ${i}: dZ ${k}`);
    }
  }
});
