/**
 * Data augmentation for images: the set with copies of every image translated by whole pixels
 * (zero filled), the cheapest augmentation that helps a small CNN generalise from few digits.
 * Labels are copied; the copies follow the originals block by block.
 */
import { classificationSet, type Dataset } from "./dataset.ts";

/** `data` (C x H x W images) followed by one translated copy per (dy, dx) in `shifts`. */
export function withShiftedCopies(data: Dataset, shape: readonly [number, number, number], shifts: readonly (readonly [number, number])[]): Dataset {
  const [channels, height, width] = shape;
  const n = data.inputSize;
  if (channels * height * width !== n) throw new Error(`images of ${channels}x${height}x${width} do not match ${n} inputs`);
  if (data.task !== "classification" || !data.labels) throw new Error("shifted copies need a classification set");
  const count = data.count * (1 + shifts.length);
  const x = new Float64Array(count * n);
  const labels = new Int32Array(count);
  x.set(data.x.subarray(0, data.count * n));
  labels.set(data.labels);
  shifts.forEach(([dy, dx], s) => {
    const base = (s + 1) * data.count;
    for (let r = 0; r < data.count; r++) {
      labels[base + r] = data.labels?.[r] ?? 0;
      const src = r * n;
      const dst = (base + r) * n;
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < height; y++) {
          const sy = y - dy;
          if (sy < 0 || sy >= height) continue;
          for (let xx = 0; xx < width; xx++) {
            const sx = xx - dx;
            if (sx >= 0 && sx < width) x[dst + (c * height + y) * width + xx] = data.x[src + (c * height + sy) * width + sx];
          }
        }
      }
    }
  });
  return { ...classificationSet(`${data.name}+shifts`, x, n, labels, data.classes), box: data.box };
}
