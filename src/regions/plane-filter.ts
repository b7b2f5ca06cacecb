/**
 * The plane engine's first test of a polygon against all breakpoint lines of an elementwise
 * step, at once: a line whose value at the polygon's centroid exceeds the bound below has one
 * sign on the whole polygon; the rest are left to the vertex tests (plane.ts). It runs for every
 * unit of every cell, so it is done in WebAssembly (plane-filter.wat) where available, with z
 * copied in bulk; the JavaScript loop below does the same operations (same decisions) elsewhere.
 * WebAssembly is standard in browsers and Node, so the core stays portable.
 */
import { growMemory, instantiateEmbedded } from "../model/wasm-module.ts";
import { PLANE_FILTER_WASM_BASE64 } from "./plane-filter-wasm.ts";

interface Kernel {
  memory: WebAssembly.Memory;
  filter(z: number, n: number, t: number, tn: number, c: number, full: number, undecided: number): number;
}

const wasm = instantiateEmbedded<Kernel>(PLANE_FILTER_WASM_BASE64);
let heap = new Float64Array(wasm ? wasm.memory.buffer : new ArrayBuffer(0));
let heapI32 = new Int32Array(heap.buffer);
/** The `full` output's view by unit count: it sits at 0, so it is copied out in one piece. */
const fullViews = new Map<number, Uint8Array>();

function reserve(doubles: number): void {
  if (doubles <= heap.length) return; // heap views the whole memory: the common, cheap case
  const memory = (wasm as Kernel).memory;
  growMemory(memory, 8 * doubles);
  heap = new Float64Array(memory.buffer);
  heapI32 = new Int32Array(memory.buffer);
  fullViews.clear();
}

const EPS = 2 ** -53;
/** Absolute slack of the regrouped bound, far below any coefficient the engines meet. */
const TINY = 2 ** -1000;

/**
 * For the lines a + b u + c v = 0, a = z0[j] - t[bp], b = z1[j], c = z2[j] (z: 3 channels of n):
 * full[j] = the breakpoints decided below unit j's input on the whole polygon, and the
 * undecided (j, bp) pairs go to `undecided`, in order; returns their count. A line is decided
 * when its value fc at the polygon's centroid (cu, cv) exceeds
 *   bound = (|b| pu + |c| pv + base + K |a| + ea) (1 + 64 eps) + TINY,
 * ea = e0 (t = 0) or e0 + 2 eps |z0[j]| (e0: channel 0's error bound). This is the centroid
 * bound of plane.ts with its per-polygon terms (pu, pv, base, K) gathered there; summed in that
 * order it can round below the ungathered sum by a few eps relative: 64 eps and TINY cover that,
 * so whatever it decides, the vertex tests would decide the same (a larger bound only leaves
 * more lines to them).
 */
export function filterUnits(
  z: Float64Array,
  n: number,
  t: Float64Array,
  cu: number,
  cv: number,
  pu: number,
  pv: number,
  base: number,
  K: number,
  e0: number,
  full: Uint8Array,
  undecided: Int32Array,
): number {
  const tn = t.length;
  if (wasm === null) {
    let count = 0;
    for (let j = 0; j < n; j++) {
      let state = 0;
      const b = z[n + j];
      const c = z[2 * n + j];
      const unitBound = Math.abs(b) * pu + Math.abs(c) * pv + base;
      for (let bp = 0; bp < tn; bp++) {
        const a = z[j] - t[bp];
        const ea = t[bp] === 0 ? e0 : e0 + 2 * EPS * Math.abs(z[j]);
        const fc = a + b * cu + c * cv;
        const bound = (unitBound + K * Math.abs(a) + ea) * (1 + 64 * EPS) + TINY;
        if (Math.abs(fc) > bound) {
          // No branch on the sign: it would be mispredicted for half the units.
          state += +(fc > 0);
        } else {
          undecided[2 * count] = j;
          undecided[2 * count + 1] = bp;
          count++;
        }
      }
      full[j] = state;
    }
    return count;
  }
  // Layout (in doubles, kept even): full (n bytes), constants, breakpoints, z, undecided pairs (i32).
  const cAt = ((n + 15) >> 4) << 1;
  const tAt = cAt + 8;
  const zAt = tAt + ((tn + 1) & ~1);
  const undecidedAt = zAt + ((z.length + 1) & ~1);
  reserve(undecidedAt + n * tn + 1);
  const h = heap;
  h[cAt] = cu;
  h[cAt + 1] = cv;
  h[cAt + 2] = pu;
  h[cAt + 3] = pv;
  h[cAt + 4] = base;
  h[cAt + 5] = K;
  h[cAt + 6] = e0;
  for (let bp = 0; bp < tn; bp++) h[tAt + bp] = t[bp];
  h.set(z, zAt);
  const count = (wasm as Kernel).filter(8 * zAt, n, 8 * tAt, tn, 8 * cAt, 0, 8 * undecidedAt);
  let view = fullViews.get(n);
  if (view === undefined) {
    view = new Uint8Array(heap.buffer, 0, n);
    fullViews.set(n, view);
  }
  full.set(view);
  const pairs = heapI32;
  for (let k = 0; k < 2 * count; k++) undecided[k] = pairs[2 * undecidedAt + k];
  return count;
}
