/**
 * Sliding-window geometry shared by convolution and pooling: how many positions a window of
 * `kernel` taps (spaced `dilation` apart) takes along one axis of `size` cells with
 * `padBefore` / `padAfter` cells of padding, moving `stride` at a time.
 *
 * With ceil mode (PyTorch's `ceil_mode=True`, ONNX's `ceil_mode=1`) a last, partial window is
 * kept, but only if it starts inside the input or the leading padding (PyTorch's rule, which
 * onnxruntime follows), so no window lies entirely in the trailing padding.
 */
export function windowPositions(size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation: number, ceilMode = false): number {
  const span = dilation * (kernel - 1) + 1;
  const room = size + padBefore + padAfter - span;
  if (room < 0) return 0;
  let out = (ceilMode ? Math.ceil(room / stride) : Math.floor(room / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= size + padBefore) out--;
  return out;
}

/** Window geometry of a 2D layer: kernel, stride, padding (top, left, bottom, right), dilation. */
export interface Window2d {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number, number, number];
  dilation: [number, number];
}

/** Output height and width of a 2D window layer on an H x W input. */
export function windowOutput2d(w: Window2d, height: number, width: number, ceilMode = false): [number, number] {
  return [
    windowPositions(height, w.kernel[0], w.stride[0], w.padding[0], w.padding[2], w.dilation[0], ceilMode),
    windowPositions(width, w.kernel[1], w.stride[1], w.padding[1], w.padding[3], w.dilation[1], ceilMode),
  ];
}
