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

/**
 * The reference: im2col in plain loops, the staged GEMM kernel (the trainer's product before the
 * direct kernel), then + bias and max(., 0), as ops/conv.ts did.
 */
function viaGemm(s: Shape, x: Float64Array, weight: Float64Array, bias: Float64Array, relu: boolean): Float64Array {
  const gemm = wasmGemmStaged;
  assert.ok(gemm);
  const [oh, ow] = windowOutput2d({ kernel: s.kernel, stride: s.stride, dilation: s.dilation, padding: s.padding }, s.height, s.width);
  const P = oh * ow;
  const K = s.channels * s.kernel[0] * s.kernel[1];
  const N = s.batch * P;
  const z = gemm(
    s.cout,
    N,
    K,
    (st, offset, kp) => {
      for (let c = 0; c < s.cout; c++) for (let t = 0; t < kp; t++) st.heap[offset + c * kp + t] = t < K ? weight[c * K + t] : 0;
    },
    (st, offset, kp) => {
      for (let n = 0; n < N; n++) {
        const b = Math.floor(n / P);
        const oy = Math.floor((n % P) / ow);
        const ox = n % ow;
        for (let t = 0; t < kp; t++) {
          let v = 0;
          if (t < K) {
            const ic = Math.floor(t / (s.kernel[0] * s.kernel[1]));
            const ky = Math.floor(t / s.kernel[1]) % s.kernel[0];
            const kx = t % s.kernel[1];
            const iy = oy * s.stride[0] - s.padding[0] + ky * s.dilation[0];
            const ix = ox * s.stride[1] - s.padding[1] + kx * s.dilation[1];
            if (iy >= 0 && iy < s.height && ix >= 0 && ix < s.width) v = x[((b * s.channels + ic) * s.height + iy) * s.width + ix];
          }
          st.heap[offset + n * kp + t] = v;
        }
      }
    },
  );
  const y = new Float64Array(s.batch * s.cout * P);
  for (let c = 0; c < s.cout; c++)
    for (let n = 0; n < N; n++) {
      const v = z.heap[z.offset + c * z.stride + n] + bias[c];
      y[(Math.floor(n / P) * s.cout + c) * P + (n % P)] = relu ? Math.max(v, 0) : v;
    }
  return y;
}

test("the direct conv kernel gives the staged GEMM's outputs to the last bit (odd taps, channels not a multiple of 4, padding, stride, dilation, odd positions)", () => {
  const shapes: Shape[] = [
    { channels: 1, height: 28, width: 28, cout: 8, kernel: [5, 5], stride: [2, 2], dilation: [1, 1], padding: [2, 2, 2, 2], batch: 3 },
    { channels: 3, height: 7, width: 6, cout: 11, kernel: [3, 2], stride: [1, 2], dilation: [2, 1], padding: [1, 0, 2, 1], batch: 3 },
    { channels: 2, height: 5, width: 5, cout: 3, kernel: [2, 2], stride: [1, 1], dilation: [1, 1], padding: [0, 0, 0, 0], batch: 1 },
    { channels: 4, height: 6, width: 6, cout: 16, kernel: [1, 1], stride: [3, 3], dilation: [1, 1], padding: [0, 0, 0, 0], batch: 5 },
  ];
  const rng = createRandom(3);
  for (const [i, s] of shapes.entries()) {
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
    for (const relu of [true, false]) {
      const y = new Float64Array(maxBatch * s.cout * oh * ow).fill(Number.NaN);
      conv.forward(x, s.batch, weight, bias, relu, y);
      const expected = viaGemm(s, x, weight, bias, relu);
      for (let k = 0; k < expected.length; k++) assert.ok(Object.is(y[k], expected[k]), `shape ${i}, relu ${relu}, output ${k}: ${y[k]} against ${expected[k]}`);
      // Nothing written past the batch.
      assert.ok(Number.isNaN(y[expected.length]), `shape ${i}: wrote past the batch`);
    }
  }
});
