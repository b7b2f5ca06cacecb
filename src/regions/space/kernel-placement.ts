/**
 * Where the space engine's arrays are in its affine kernel's memory (space/kernel.ts): every
 * step's map and bounds, each affine step's operands, an elementwise step's states and box test,
 * placed once when a walk starts (space/engine.ts's constructor).
 */
import { transposedWeights } from "../../model/dense-kernel.ts";
import type { Step } from "../../model/steps.ts";
import type { SpaceKernel } from "./kernel.ts";
import type { PieceLists } from "./piece-lists.ts";

/** Where an affine step's operands are in the kernel's memory (offsets in doubles; -1: none). */
export interface KernelOffsets {
  map: number;
  err: number;
  wt: number;
  bias: number;
  abs: number;
  input: number;
  list: number;
  before: number;
  after: number;
  famErr: number;
}

/** An elementwise step's breakpoints in the kernel's memory (offset in doubles) and its box test's sides there (n T bytes). */
export interface KernelSides {
  t: number;
  sides: Int8Array;
}

/** An elementwise step's slopes and intercepts (per state) and applyElementwise's scratch (n doubles) in the kernel's memory (offsets in doubles). */
export interface KernelStates {
  slopes: number;
  intercepts: number;
  scratch: number;
}

/** The space engine's per-step arrays that `placeInKernel` fills or replaces by views of the kernel's memory. */
export interface KernelArrays {
  maps: Float64Array[];
  errs: Float64Array[];
  scratch: (PieceLists | null)[];
  statesAt: (KernelStates | null)[];
  sidesAt: (KernelSides | null)[];
  at: (KernelOffsets | null)[];
  sums: Float64Array[];
  inputs: Float64Array[];
  famBefore: Float64Array[];
  famAfter: Float64Array[];
  famErr: Float64Array[];
}

/** What `placeInKernel` placed besides the arrays: the input's stats (4 per channel), the box test's arguments (8 doubles), the domain's radius, and where (offsets in doubles). */
export interface KernelScalars {
  stats: Float64Array;
  statsAt: number;
  boxArgs: Float64Array;
  boxArgsAt: number;
  radiusAt: number;
}

/**
 * Every step's map and bounds, and each affine step's operands (transposed weights, bias, the
 * sums of |terms|, a copy of its input when that is not in the kernel, family references), in
 * the kernel's memory: the engine's arrays (`arrays`, by reference) become views of it; returns
 * where the input's stats, the box test's arguments and the domain's radius are there.
 */
export function placeInKernel(kernel: SpaceKernel, steps: readonly Step[], C: number, radius: number, inFamily: Set<number>, arrays: KernelArrays): KernelScalars {
  const { maps, errs, scratch, statesAt, sidesAt: sidesOf, at: offsetsAt, sums, inputs, famBefore, famAfter, famErr } = arrays;
  let stats: Float64Array = new Float64Array(0);
  let boxArgs: Float64Array = new Float64Array(0);
  steps.forEach((step, s) => {
    if (maps[s].length === 0) return;
    if (step.kind === "elementwise") {
      // The piece's states (the step's lists' `full`) and what applyElementwise reads, there.
      const lists = scratch[s] as PieceLists;
      const n = step.size;
      statesAt[s] = {
        slopes: kernel.place(step.slopes.length, (v) => v.set(step.slopes)),
        intercepts: kernel.place(step.intercepts.length, (v) => v.set(step.intercepts)),
        scratch: kernel.place(n, () => {}),
      };
      kernel.place(Math.ceil(n / 8), (v) => {
        lists.full = new Uint8Array(v.buffer, v.byteOffset, n);
      });
    }
    if (step.kind === "elementwise" && C === 4) {
      const bytes = step.size * step.breakpoints.length;
      const sidesAt: KernelSides = { t: kernel.place(step.breakpoints.length, (v) => v.set(step.breakpoints)), sides: new Int8Array(0) };
      // n T bytes, placed in doubles.
      kernel.place(Math.ceil(bytes / 8), (v) => {
        sidesAt.sides = new Int8Array(v.buffer, v.byteOffset, bytes);
      });
      sidesOf[s] = sidesAt;
    }
    kernel.place(maps[s].length, (v) => {
      maps[s] = v;
    });
    kernel.place(errs[s].length, (v) => {
      errs[s] = v;
    });
    if (step.kind !== "affine" || !step.weight) return;
    const n = step.inSize;
    const m = step.outSize;
    const WT = transposedWeights(step);
    const fam = inFamily.has(s);
    const offsets: KernelOffsets = {
      map: 0,
      err: 0,
      wt: kernel.place(n * m, (v) => v.set(WT)),
      bias: kernel.place(m, (v) => v.set(step.bias)),
      abs: kernel.place(C * m, (v) => {
        sums[s] = v;
      }),
      input: kernel.place(C * n, (v) => {
        inputs[s] = v;
      }),
      list: kernel.place(2 * n, () => {}),
      before: fam ? kernel.place(C * n, (v) => (famBefore[s] = v)) : -1,
      after: fam ? kernel.place(C * m, (v) => (famAfter[s] = v)) : -1,
      famErr: fam ? kernel.place(C * m, (v) => (famErr[s] = v)) : -1,
    };
    offsetsAt[s] = offsets;
  });
  const statsAt = kernel.place(4 * C, (v) => {
    stats = v;
  });
  const boxArgsAt = kernel.place(8, (v) => {
    boxArgs = v;
  });
  const radiusAt = kernel.place(1, (v) => {
    v[0] = radius;
  });
  kernel.commit();
  steps.forEach((_, s) => {
    const at = offsetsAt[s];
    if (!at) return;
    at.map = maps[s].byteOffset / 8;
    at.err = errs[s].byteOffset / 8;
  });
  return { stats, statsAt, boxArgs, boxArgsAt, radiusAt };
}
