/**
 * The plane engine's descent in WebAssembly for the common case (plane-cut.as, an AssemblyScript
 * source compiled by scripts/build-engine-wasm.ts): networks whose piecewise steps are all
 * elementwise (relu, leaky relu, hard tanh, ...) and each followed by a dense step, the last one
 * ending the network. Why: a count's first call in a fresh process otherwise runs plane.ts's
 * JavaScript cold (interpreted, then optimised while it runs: about 50 ms for 848 cells, against
 * 2 ms warm); WebAssembly runs compiled from its first instruction.
 *
 * The kernel does plane.ts's float64 operations in the same order, so its cells, lines, maps and
 * patterns are the JavaScript engine's to the bit. It decides only what the JavaScript decides by
 * its first float tests: when a vertex falls within a rounding bound (where plane.ts goes on to
 * per-unit bounds, exact predicates and tie settling) or a map leaves float64's normal range, it
 * gives up and plane.ts counts from the start, so exactness is plane.ts's. WebAssembly is
 * standard in browsers and Node, so the core stays portable; without it, plane.ts runs.
 */

import type { LineTable } from "../geometry/polygon.ts";
import type { PatternLayout } from "../model/pattern.ts";
import type { AffineStep, ElementwiseStep, Step } from "../model/steps.ts";
import { instantiateEmbedded } from "../model/wasm-module.ts";
import { type Growable, growableFloat64, growableInt32, growableUint32 } from "./buffers.ts";
import type { PlanePartition } from "./partition.ts";
import type { PlaneOutput } from "./plane.ts";
import type { PlaneAdjointProbe } from "./plane-adjoint.ts";
import { PLANE_CUT_WASM_BASE64 } from "./plane-cut-wasm.ts";

interface Kernel {
  memory: WebAssembly.Memory;
  reset(): void;
  alloc(bytes: number): number;
  /** A step struct's derived inputs (transposed weight, column maxima, norms) from its weight and bias. */
  deriveStep(step: number): void;
  run(
    steps: number,
    count: number,
    lines: number,
    lineCount: number,
    root: number,
    vn: number,
    z: number,
    zErr: number,
    words: number,
    reach: number,
    handover: number,
    parts: number,
    part: number,
    chunk: number,
    claims: number,
  ): number;
  resume(): number;
  /** A share's record (i32 triples: top piece, cells and lines before it), its bytes, and the lines before any descent. */
  shareRecordAt(): number;
  shareRecordBytes(): number;
  shareLinesBefore(): number;
  /** Why the last run gave up (plane-cut.as `bad`), at which step's cut, after how many cells. */
  giveUpReason(): number;
  giveUpStep(): number;
  giveUpCells(): number;
  /** For the next runs: whether the kernel makes adjoint bounds, and whether it logs them (adjointLogAt, adjointLogBytes). */
  adjointOptions(on: number, log: number): void;
  adjointLogAt(): number;
  adjointLogBytes(): number;
}

/** The running share's claim (plane.ts's PlaneShare.claim), which the kernel calls per chunk of top pieces. */
let claimOfRun: ((chunk: number) => boolean) | null = null;
const kernelImports = { env: { claimChunk: (chunk: number): number => ((claimOfRun as (chunk: number) => boolean)(chunk) ? 1 : 0) } };

let kernel = instantiateEmbedded<Kernel>(PLANE_CUT_WASM_BASE64, kernelImports);

/**
 * Memory beyond which a count's instance is replaced by a fresh one (the compiled module is
 * cached, so instantiating costs little): a WebAssembly memory never shrinks, and a large
 * count's lines and scratch would otherwise stay allocated for the life of the process.
 */
const KEEP_MEMORY_BYTES = 32 << 20;

/**
 * Runs of the kernel that made the cells, that gave up, and the parts the cells came in (for
 * tests: the kernel was used), and the size of its memory at the end of the last run (bytes; for
 * bench/plane-kernel-memory.ts).
 */
export const kernelRuns = { made: 0, gaveUp: 0, parts: 0, memoryBytes: 0, lastGiveUp: { reason: 0, step: -1, cells: 0 } };

/**
 * Vertex bytes per part of the kernel's cells (see plane-cut.as's handoverBytes); tests make it
 * small to have many parts. 256 KB: the module's output vectors (about 3x this with the cells'
 * patterns and maps, doubled as they fill) are a part of its memory, which a large count drops
 * after the run but V8 frees only at its next collection; 4x more parts cost nothing measurable.
 */
export const kernelParts = { handoverBytes: 1 << 18 };

/** Bytes per step struct, and its input fields' byte offsets (plane-cut.as: S_N ... S_BIASMAX). */
const STEP_BYTES = 320;
const EPS = 2 ** -53;

/** What the kernel hands back: the partition's raw arrays (its lines went into the engine's line table). */
export interface KernelCells extends Pick<PlanePartition, "cellStart" | "vertices" | "edgeLine" | "patterns" | "outputMaps" | "areas"> {
  cellCount: number;
  /** For a share: the top pieces it descended into, and per piece (i32 triples) the piece, the cells and the lines before it. */
  shareRecord: Int32Array | null;
  /** For a share: the lines made before any descent (the domain's and the first step's cut). */
  shareLinesBefore: number;
}

/**
 * One share of the first step's pieces (plane.ts's PlaneShare, with its chunk and claim), and
 * the growable arrays to write its cells into (emptied; default new ones).
 */
export interface KernelShare {
  parts: number;
  part: number;
  chunk: number;
  claim?: (chunk: number) => boolean;
  output?: PlaneOutput;
}

/** No share: the whole count (plane-cut.as's run takes parts 0 as that). */
const WHOLE_COUNT: KernelShare = { parts: 0, part: 0, chunk: 0 };

/** The domain polygon as plane.ts built it (one polygon of its root arena). */
export interface RootPolygon {
  uv: Float64Array;
  err: Float64Array;
  line: Int32Array;
  side: Uint8Array;
  start: number;
  size: number;
}

/**
 * Whether steps[first ..] are elementwise steps each followed by a dense (explicit weight) step,
 * to the end: what the kernel runs. Breakpoints at most 254 (states are bytes). No limit on the
 * units: up to Dec 7 the kernel ran only up to 1,024 units, because on bench/memory.bench.ts's
 * 2-512x3-1 (1,536 units, 903,000 cells) its peak RSS was above the JavaScript engine's (811-951
 * MB against 780-819); with its memory given back and reused (plane-cut.as: the free list, state
 * records and line chunks) it is below (753-770 MB), and faster (docs/performance-history.md, "Issue 17,
 * plane kernel memory, Dec 7 second round"). Both paths give the same partition to the bit.
 */
export function kernelCovers(steps: readonly Step[], first: number): boolean {
  if (kernel === null || first >= steps.length) return false;
  for (let s = first; s < steps.length; s += 2) {
    const step = steps[s];
    const next = steps[s + 1];
    if (step.kind !== "elementwise" || step.breakpoints.length > 254) return false;
    if (next === undefined || next.kind !== "affine" || next.weight === null || next.inSize !== step.size) return false;
  }
  return true;
}

/**
 * Run the kernel from the first elementwise step `first` (map z, channel bounds zErr: what
 * plane.ts's walk reached from the domain) on the root polygon, with the engine's line table
 * (the domain's lines), to which the kernel's lines are appended as its cells come. Null when it
 * gave up (plane.ts then counts; the line table is as it was). `probe`: a test's (plane-adjoint.ts).
 */
export function kernelCells(
  steps: readonly Step[],
  first: number,
  layout: PatternLayout,
  lines: LineTable,
  root: RootPolygon,
  z: Float64Array,
  zErr: Float64Array,
  reach: number,
  share: KernelShare | null = null,
  probe: PlaneAdjointProbe | null = null,
): KernelCells | null {
  const k = kernel as Kernel;
  const count = (steps.length - first) / 2;
  k.reset();
  // Room first (the memory may grow), then one set of views to write through.
  const stepsAt = k.alloc(count * STEP_BYTES);
  const arrays: { at: number; data: Float64Array }[] = [];
  const place = (data: Float64Array): number => {
    const at = k.alloc(8 * data.length);
    arrays.push({ at, data });
    return at;
  };
  const fields: number[][] = [];
  const doubles: number[][] = [];
  for (let p = 0; p < count; p++) {
    const step = steps[first + 2 * p] as ElementwiseStep;
    const next = steps[first + 2 * p + 1] as AffineStep;
    const s = first + 2 * p;
    fields.push([
      step.size,
      step.breakpoints.length,
      place(step.breakpoints),
      place(step.slopes),
      place(step.intercepts),
      next.outSize,
      place(next.weight as Float64Array), // row-major: deriveStep transposes it
      place(next.bias),
      0, // column maxima: deriveStep
      layout.stepBit[s],
      layout.stepBits[s],
    ]);
    doubles.push([0, (next.inSize + 2) * EPS, 0]); // norm and largest |bias|: deriveStep
  }
  const lineCount = lines.count;
  const linesAt = place(lines.coef.subarray(0, 3 * lineCount));
  const vn = root.size;
  const rootAt = k.alloc(24 * vn + 8 * vn);
  const zAt = place(z);
  const zErrAt = place(zErr);
  const heap = new Float64Array(k.memory.buffer);
  const heapI32 = new Int32Array(k.memory.buffer);
  for (const { at, data } of arrays) heap.set(data, at / 8);
  for (let p = 0; p < count; p++) {
    const at = stepsAt + p * STEP_BYTES;
    const f = fields[p];
    for (let i = 0; i < f.length; i++) heapI32[at / 4 + i] = f[i];
    for (let i = 0; i < 3; i++) heap[(at + 48) / 8 + i] = doubles[p][i];
  }
  for (let v = 0; v < vn; v++) {
    const i = root.start + v;
    heap[rootAt / 8 + 3 * v] = root.uv[2 * i];
    heap[rootAt / 8 + 3 * v + 1] = root.uv[2 * i + 1];
    heap[rootAt / 8 + 3 * v + 2] = root.err[i];
    heapI32[(rootAt + 24 * vn) / 4 + 2 * v] = root.line[i];
    heapI32[(rootAt + 24 * vn) / 4 + 2 * v + 1] = root.side[i];
  }
  // After every write through the views above: deriveStep allocates (the memory may grow).
  for (let p = 0; p < count; p++) k.deriveStep(stepsAt + p * STEP_BYTES);
  // The cells come in parts (plane-cut.as hands them over every kernelParts.handoverBytes of
  // vertices and reuses its output vectors): each part is appended to growable arrays, as the
  // JavaScript engine writes its cells (parts copied out and joined at the end took 2x the
  // result: peak RSS 1,132 MB against 780 MB on the 903,000 cells of bench/memory.bench.ts).
  const out = share?.output ?? {
    vertices: growableFloat64(),
    edgeLine: growableInt32(),
    cellStart: growableUint32(),
    patterns: growableUint32(),
    outputMaps: growableFloat64(),
    areas: growableFloat64(),
  };
  let header: number;
  let shareRecord: Int32Array | null = null;
  let shareLinesBefore = 0;
  claimOfRun = share?.claim ?? null;
  // plane.ts makes no adjoint bound when a test's probe switches it off, and when it watches
  // every one plane.ts makes: the kernel makes none either (it gives up where one is needed, and
  // plane.ts makes them). The kernel logs its own where the probe asks for them.
  const logBounds = probe?.kernelBounds;
  k.adjointOptions(probe !== null && (probe.off === true || probe.seen !== undefined) ? 0 : 1, logBounds ? 1 : 0);
  try {
    const handover = Math.max(16, kernelParts.handoverBytes);
    const of = share ?? WHOLE_COUNT;
    header = k.run(stepsAt, count, linesAt, lineCount, rootAt, vn, zAt, zErrAt, layout.words, reach, handover, of.parts, of.part, of.chunk, of.claim ? 1 : 0);
    while (header !== 0) {
      appendPart(out, k.memory.buffer, header);
      appendLines(lines, k.memory.buffer, header);
      kernelRuns.parts++;
      if (new Int32Array(k.memory.buffer, header, 16)[15] === 0) break;
      header = k.resume();
    }
    if (header !== 0 && share) {
      shareRecord = new Int32Array(k.memory.buffer, k.shareRecordAt(), k.shareRecordBytes() / 4).slice();
      shareLinesBefore = k.shareLinesBefore();
    }
  } catch {
    header = 0; // out of memory
  } finally {
    claimOfRun = null;
  }
  if (logBounds) logBounds(new Float64Array(k.memory.buffer, k.adjointLogAt(), k.adjointLogBytes() / 8).slice());
  kernelRuns.memoryBytes = k.memory.buffer.byteLength;
  if (header === 0) kernelRuns.lastGiveUp = { reason: k.giveUpReason(), step: k.giveUpStep(), cells: k.giveUpCells() };
  if (k.memory.buffer.byteLength > KEEP_MEMORY_BYTES) kernel = instantiateEmbedded<Kernel>(PLANE_CUT_WASM_BASE64, kernelImports);
  if (header === 0) {
    lines.count = lineCount; // the lines of the parts before it gave up
    kernelRuns.gaveUp++;
    return null; // plane.ts counts
  }
  kernelRuns.made++;
  const h = new Int32Array(k.memory.buffer, header, 16);
  return {
    cellCount: h[14],
    vertices: out.vertices.toArray(),
    edgeLine: out.edgeLine.toArray(),
    cellStart: out.cellStart.toArray(),
    patterns: out.patterns.toArray(),
    outputMaps: out.outputMaps.toArray(),
    areas: out.areas.toArray(),
    shareRecord,
    shareLinesBefore,
  };
}

/** Append one part's cell arrays (header: plane-cut.as's writeHeader) to the output. */
function appendPart(out: PlaneOutput, buffer: ArrayBuffer, header: number): void {
  const h = new Int32Array(buffer, header, 16);
  const append = <T extends Float64Array | Int32Array | Uint32Array>(to: Growable<T>, part: T): void => {
    to.reserve(part.length);
    to.data.set(part as never, to.length);
    to.length += part.length;
  };
  append(out.vertices, new Float64Array(buffer, h[0], h[1] / 8));
  append(out.edgeLine, new Int32Array(buffer, h[2], h[3] / 4));
  append(out.cellStart, new Uint32Array(buffer, h[4], h[5] / 4));
  append(out.patterns, new Uint32Array(buffer, h[6], h[7] / 4));
  append(out.outputMaps, new Float64Array(buffer, h[8], h[9] / 8));
  append(out.areas, new Float64Array(buffer, h[10], h[11] / 8));
}

/**
 * Append the lines the kernel made since the last part (plane-cut.as's newLines, in id order) to
 * the engine's table, as the JavaScript cut would have added them. The kernel keeps only the
 * lines live polygons use, so each part carries its new ones; and nothing keeps a view of the
 * kernel's memory after the run, so the instance of a large count can be collected as soon as it
 * is dropped (a view of the lines had kept 277 MB of it alive through adjacency on 2-512x3-1).
 */
function appendLines(lines: LineTable, buffer: ArrayBuffer, header: number): void {
  const h = new Int32Array(buffer, header, 16);
  const made = new Float64Array(buffer, h[12], h[13] / 8);
  // In one copy (a line at a time, add() was a quarter of a millisecond of a small count's first call).
  const count = lines.count + made.length / 3;
  lines.reserve(count);
  lines.coef.set(made, 3 * lines.count);
  lines.meta.fill(-1, 2 * lines.count, 2 * count);
  lines.count = count;
}
