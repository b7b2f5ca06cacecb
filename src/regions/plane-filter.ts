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
  vertexTests(z: number, n: number, t: number, pairs: number, count: number, poly: number, vn: number, c: number, out: number): void;
  classifyLines(lines: number, list: number, count: number, poly: number, vn: number, out: number): void;
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
  const tAt = cAt + 10;
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
  last.z = zAt;
  last.n = n;
  last.t = tAt;
  last.c = cAt;
  last.pairs = undecidedAt;
  last.count = count;
  last.free = (undecidedAt + n * tn + 2) & ~1;
  return count;
}

/** Where the last filterUnits call left its arrays in the kernel's memory (doubles), and its pair count. */
const last = { z: 0, n: 0, t: 0, c: 0, pairs: 0, count: 0, free: 0 };
/** The cut's lines (sextuples a, b, c, ea, eb, ec), its line lists and codes, and the polygon tested (doubles). */
const cut = { lines: 0, list: 0, codes: 0, poly: 0 };

/** The kernel's memory as i32: the codes of vertexTests and classifyLines are read from it. */
export function kernelCodes(): Int32Array {
  return heapI32;
}

/** Polygon vertices start .. start + vn (uv, err of an arena) into the kernel's memory at `at` (doubles). */
function placePolygon(at: number, uv: Float64Array, err: Float64Array, start: number, vn: number): void {
  reserve(at + 3 * vn);
  const h = heap;
  for (let k = 0; k < vn; k++) {
    h[at + 3 * k] = uv[2 * (start + k)];
    h[at + 3 * k + 1] = uv[2 * (start + k) + 1];
    h[at + 3 * k + 2] = err[start + k];
  }
}

/**
 * The vertex tests of plane.ts's first pass (channel bounds e1, e2) for the pairs the last
 * filterUnits call left undecided, on the polygon it filtered: code p at kernelCodes()[returned
 * + p] (1: a vertex above, 2: below, 4: within its bound; see plane-filter.wat), or -1 where
 * WebAssembly is unavailable (plane.ts then tests every pair itself).
 */
export function vertexTests(uv: Float64Array, err: Float64Array, start: number, vn: number, e1: number, e2: number): number {
  if (wasm === null) return -1;
  const poly = last.free;
  const codes = poly + 3 * vn;
  placePolygon(poly, uv, err, start, vn);
  reserve(codes + last.count);
  heap[last.c + 7] = e1;
  heap[last.c + 8] = e2;
  (wasm as Kernel).vertexTests(8 * last.z, last.n, 8 * last.t, 8 * last.pairs, last.count, 8 * poly, vn, 8 * last.c, 8 * codes);
  return 2 * codes;
}

/** The cut's lines (plane.ts's la .. lec, L of them) into the kernel's memory, after the last filter's arrays; false without WebAssembly. */
export function placeCutLines(la: Float64Array, lb: Float64Array, lc: Float64Array, lea: Float64Array, leb: Float64Array, lec: Float64Array, L: number): boolean {
  if (wasm === null) return false;
  cut.lines = last.free;
  cut.list = cut.lines + 6 * L;
  cut.codes = cut.list + ((L + 2) >> 1);
  cut.poly = cut.codes + ((L + 2) >> 1);
  reserve(cut.poly);
  const h = heap;
  for (let k = 0; k < L; k++) {
    const at = cut.lines + 6 * k;
    h[at] = la[k];
    h[at + 1] = lb[k];
    h[at + 2] = lc[k];
    h[at + 3] = lea[k];
    h[at + 4] = leb[k];
    h[at + 5] = lec[k];
  }
  return true;
}

/** Line k's rounding bounds changed in plane.ts (its unit's own, or none once found exact): the same in the kernel's copy. */
export function updateCutLine(k: number, ea: number, eb: number, ec: number): void {
  const at = cut.lines + 6 * k + 3;
  heap[at] = ea;
  heap[at + 1] = eb;
  heap[at + 2] = ec;
}

/**
 * A polygon against the cut's lines list[from .. to) (placed by placeCutLines): code i at
 * kernelCodes()[returned + i], classify's answer (WHOLE_PLUS 1, WHOLE_MINUS 2, SPLIT 4) where
 * the float tests decide every vertex, else 0 (plane.ts classifies that line itself).
 */
export function classifyCutLines(uv: Float64Array, err: Float64Array, start: number, vn: number, list: Int32Array, from: number, to: number): number {
  placePolygon(cut.poly, uv, err, start, vn);
  const codes = heapI32;
  const at = 2 * cut.list;
  for (let w = from; w < to; w++) codes[at + w - from] = list[w];
  (wasm as Kernel).classifyLines(8 * cut.lines, 8 * cut.list, to - from, 8 * cut.poly, vn, 8 * cut.codes);
  return 2 * cut.codes;
}
