/**
 * PROTOTYPE, NOT EXACT: a float64 vertex walk along segments, written only to measure the design
 * the line engine's "relaxed rule" would allow (docs/performance-history.md, "Issue 17, line engine: a
 * vertex walk measured"). It has no certification, no tie handling and no refusals; its counts
 * can differ from the exact ones and it must never be used to count anything.
 *
 * The design (Regioncam's): each segment's partition is a sorted list of vertices (parameters t
 * in [0, 1]) with the current layer's pre-activations at every vertex (one column per vertex).
 * Where a unit's sign differs between neighbouring vertices, a vertex is inserted at the linear
 * interpolation of t and of the values (exact in exact arithmetic: the pre-activations are affine
 * between neighbouring vertices); then the next layer's pre-activations at all vertices come from
 * one product, three vertices per call of the project's float64 kernel (denseColumns3: each
 * weight read once for three vertices, over the union of their active units). Pieces of a
 * segment = vertices - 1 after the last hidden layer.
 *
 * Against `countSegments` on the engines bench's 1,000 segments through 2-128x4-1, alternated in
 * one process, CPU time per call:
 *   npx tsx bench/line-vertex-walk.ts [rounds, default 12]
 */
import { loadavg } from "node:os";
import { mlp } from "../src/model/build/mlp.ts";
import { denseColumns3, transposedWeights } from "../src/model/dense-kernel.ts";
import { type Compiled, prepare } from "../src/model/forward.ts";
import type { AffineStep } from "../src/model/steps.ts";
import { countSegments } from "../src/regions/line-segments.ts";

interface Layer {
  step: AffineStep;
  W: Float64Array;
  WT: Float64Array;
  n: number;
  m: number;
}

/** The affine steps of a plain ReLU MLP (refuses anything else: the prototype knows only that). */
function layersOf(compiled: Compiled): Layer[] {
  const layers: Layer[] = [];
  for (const step of compiled.steps) {
    if (step.kind === "affine" && step.weight) {
      layers.push({ step, W: step.weight, WT: transposedWeights(step), n: step.inSize, m: step.outSize });
    } else if (step.kind === "elementwise") {
      const relu = step.breakpoints.length === 1 && step.breakpoints[0] === 0 && step.slopes[0] === 0 && step.slopes[1] === 1;
      if (!relu || step.intercepts[0] !== 0 || step.intercepts[1] !== 0) throw new Error("prototype: ReLU only");
    } else throw new Error(`prototype: step ${step.kind} not handled`);
  }
  return layers;
}

/** The walk's buffers (grown as needed) and its operation counts. */
class VertexWalk {
  private cap = 1024;
  private t = new Float64Array(this.cap);
  private t2 = new Float64Array(this.cap);
  private z: Float64Array;
  private z2: Float64Array;
  private readonly lam: Float64Array;
  private readonly unit: Int32Array;
  private readonly active: Int32Array;
  private readonly xs: Float64Array[];
  private readonly block: Float64Array;
  /** Multiply-adds in products (first layer included) and in interpolations. */
  productMadds = 0;
  interpolationMadds = 0;
  /** Vertices entering the product into each layer after the first (summed over segments). */
  readonly verticesInto: number[];

  constructor(
    private readonly layers: Layer[],
    private readonly width: number,
  ) {
    this.z = new Float64Array(this.cap * width);
    this.z2 = new Float64Array(this.cap * width);
    this.lam = new Float64Array(width);
    this.unit = new Int32Array(width);
    this.active = new Int32Array(width);
    this.xs = [0, 1, 2].map(() => new Float64Array(width));
    this.block = new Float64Array(3 * width);
    this.verticesInto = layers.map(() => 0);
  }

  /** Pieces of the segment from p to q (2-D points), per the hidden layers' sign changes. */
  pieces(px: number, py: number, qx: number, qy: number): number {
    const hidden = this.layers.length - 1;
    const first = this.layers[0];
    let n = first.m;
    // First layer's pre-activations at the two ends.
    this.t[0] = 0;
    this.t[1] = 1;
    for (let v = 0; v < 2; v++) {
      const x = v === 0 ? px : qx;
      const y = v === 0 ? py : qy;
      for (let i = 0; i < n; i++) this.z[v * n + i] = first.step.bias[i] + first.W[2 * i] * x + first.W[2 * i + 1] * y;
    }
    this.productMadds += 4 * n;
    let V = this.split(2, n);
    for (let l = 1; l < hidden; l++) {
      this.product(this.layers[l], V);
      this.verticesInto[l] += V;
      n = this.layers[l].m;
      V = this.split(V, n);
    }
    return V - 1;
  }

  /** Inserts a vertex wherever a unit's sign differs between neighbours; returns the new count. */
  private split(V: number, n: number): number {
    let out = 0;
    const { z, t, lam, unit } = this;
    for (let a = 0; a < V; a++) {
      out = this.emit(out, t[a], a, a, 0, n);
      if (a === V - 1) break;
      const b = a + 1;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const za = z[a * n + i];
        const zb = z[b * n + i];
        if ((za > 0 && zb < 0) || (za < 0 && zb > 0)) {
          // Insertion by λ: crossings in one interval are few (about one).
          const l = za / (za - zb);
          let k = c++;
          while (k > 0 && lam[k - 1] > l) {
            lam[k] = lam[k - 1];
            unit[k] = unit[k - 1];
            k--;
          }
          lam[k] = l;
          unit[k] = i;
        }
      }
      for (let k = 0; k < c; k++) {
        out = this.emit(out, t[a] + lam[k] * (t[b] - t[a]), a, b, lam[k], n);
        this.z2[(out - 1) * n + unit[k]] = 0;
      }
      this.interpolationMadds += c * (n + 1);
    }
    [this.t, this.t2] = [this.t2, this.t];
    [this.z, this.z2] = [this.z2, this.z];
    return out;
  }

  /** Writes vertex `at` of the next list: t, and z(a) + λ (z(b) - z(a)) (a copy when λ = 0). */
  private emit(at: number, tv: number, a: number, b: number, l: number, n: number): number {
    if (at === this.cap) this.grow();
    this.t2[at] = tv;
    const { z, z2 } = this;
    if (l === 0) z2.set(z.subarray(a * n, (a + 1) * n), at * n);
    else for (let i = 0; i < n; i++) z2[at * n + i] = z[a * n + i] + l * (z[b * n + i] - z[a * n + i]);
    return at + 1;
  }

  private grow(): void {
    const cap = 2 * this.cap;
    const more = (old: Float64Array, size: number): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size);
      next.set(old);
      return next;
    };
    this.t = more(this.t, cap);
    this.t2 = more(this.t2, cap);
    this.z = more(this.z, cap * this.width);
    this.z2 = more(this.z2, cap * this.width);
    this.cap = cap;
  }

  /** z (V x m) = layer(relu(z (V x n))), three vertices per kernel call over their active units' union. */
  private product(layer: Layer, V: number): void {
    const { n, m, WT } = layer;
    const bias = layer.step.bias;
    const { z, z2, active, xs, block } = this;
    for (let v = 0; v < V; v += 3) {
      const w = Math.min(3, V - v);
      let count = 0;
      for (let j = 0; j < n; j++) {
        const a0 = z[v * n + j];
        const a1 = w > 1 ? z[(v + 1) * n + j] : 0;
        const a2 = w > 2 ? z[(v + 2) * n + j] : 0;
        if (a0 > 0 || a1 > 0 || a2 > 0) {
          active[count] = j;
          xs[0][count] = Math.max(a0, 0);
          xs[1][count] = Math.max(a1, 0);
          xs[2][count] = Math.max(a2, 0);
          count++;
        }
      }
      denseColumns3(WT, m, bias, active, count, xs[0], xs[1], xs[2], block);
      this.productMadds += 3 * count * m;
      for (let c = 0; c < w; c++) {
        const row = (v + c) * m;
        for (let i = 0; i < m; i++) z2[row + i] = block[c * m + i] + (c > 0 ? bias[i] : 0);
      }
    }
    [this.z, this.z2] = [this.z2, this.z];
  }
}

function segmentsOfEnginesBench(): Float64Array {
  // The generator of bench/engines.bench.ts: 1,000 random segments in [-1, 1]^2.
  let s = 1;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  };
  const flat = new Float64Array(4000);
  for (let g = 0; g < 1000; g++) flat.set([rnd(), rnd(), rnd(), rnd()], 4 * g);
  return flat;
}

function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs: number[]): number => Math.min(...xs);

const rounds = Number(process.argv[2] ?? 12);
const compiled = prepare(mlp([2, 128, 128, 128, 128, 1], { init: "uniform", seed: 0 }));
const layers = layersOf(compiled);
const flat = segmentsOfEnginesBench();
const count = flat.length / 4;
const walk = new VertexWalk(layers, compiled.maxWidth);
const walkCounts = new Uint32Array(count);
const walkAll = (): void => {
  for (let g = 0; g < count; g++) walkCounts[g] = walk.pieces(flat[4 * g], flat[4 * g + 1], flat[4 * g + 2], flat[4 * g + 3]);
};
let exact = countSegments(compiled, flat);
const loadStart = loadavg()[0];

// One call of each for the operation counts, then warm-up.
walkAll();
const madds = { product: walk.productMadds, interpolation: walk.interpolationMadds, into: [...walk.verticesInto] };
for (let w = 0; w < 3; w++) {
  walkAll();
  exact = countSegments(compiled, flat);
}
const tExact: number[] = [];
const tWalk: number[] = [];
const ratios: number[] = [];
const countExact = (): void => {
  exact = countSegments(compiled, flat);
};
for (let r = 0; r < rounds; r++) {
  // The order swapped every round.
  const a = r % 2 === 0 ? cpuSeconds(countExact) : 0;
  const b = cpuSeconds(walkAll);
  const a2 = r % 2 === 0 ? a : cpuSeconds(countExact);
  tExact.push(a2);
  tWalk.push(b);
  ratios.push(b / a2);
}
const loadEnd = loadavg()[0];

const diffs = Array.from(walkCounts, (c, g) => Math.abs(c - exact.perSegment[g]));
const differ = diffs.filter((d) => d > 0).length;
const absDiff = diffs.reduce((x, d) => x + d, 0);
const maxDiff = Math.max(...diffs);
const walkTotal = walkCounts.reduce((x, c) => x + c, 0);
const G = (x: number): string => (x / 1e9).toFixed(3);
const lines = [
  `vertex walk (prototype, not exact) against countSegments, 1,000 segments through 2-128x4-1, ${rounds} alternated rounds, CPU s per call`,
  `load average (1 min): ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end`,
  `countSegments: median ${median(tExact).toFixed(4)}, min ${min(tExact).toFixed(4)}`,
  `vertex walk:   median ${median(tWalk).toFixed(4)}, min ${min(tWalk).toFixed(4)}`,
  `walk / countSegments: median of the per-round ratios ${median(ratios).toFixed(3)}; min / min ${(min(tWalk) / min(tExact)).toFixed(3)}`,
  `regions: exact ${exact.activationRegions}, walk ${walkTotal}; segments whose counts differ: ${differ} (sum |difference| ${absDiff}, largest ${maxDiff})`,
  `multiply-adds: products ${G(madds.product)} G, interpolations ${G(madds.interpolation)} G (the engine: 1.576 G)`,
  `vertices entering the products into layers 2..4: ${madds.into.slice(1, layers.length - 1).join(", ")}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
