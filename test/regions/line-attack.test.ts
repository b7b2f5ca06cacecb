/**
 * The second reading of the line engine's carried bound (docs/numerics.md, "Second reading of the
 * carried bound"): adversarial families against the exact oracle (exact rationals), each segment's
 * count, patterns and uncertain decisions from linePartition, and its count from countSegments.
 * Twin chains (units exactly equal, computed with different roundings) through leaky relu, abs and
 * hard tanh, scaled by 2^+-300, through the origin, in max groups and residual blocks, compared with
 * exact offsets, crossing at a segment end or one point inside a deep piece; random deep zero-bias
 * integer networks. LINE_ATTACK_N (default 2) sets the cases per family (30 gave 960 segments);
 * LINE_ATTACK_POS=1 also compares the pieces' ends with the oracle's (to 1e-9; known to fail for
 * crossFrame, numerics.md).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";
import { countSegments } from "../../src/regions/line-segments.ts";
import { denseLayer } from "../invariance/networks.ts";
import { type Affine, cutLayers, evalAt } from "../oracles/affine.ts";
import { exactSegmentRegions } from "../oracles/exact-partition.ts";
import { ONE, Q, ZERO } from "../oracles/rational.ts";

function clip1(poly: Q[][], f: Affine, strict = false): Q[][] | null {
  const vals = poly.map((p) => evalAt(f, p));
  if (vals.every((v) => v.sign() === 0)) return strict ? null : poly;
  const [a, b] = poly;
  const [fa, fb] = vals;
  if (fa.sign() >= 0 && fb.sign() >= 0) return poly;
  if (fa.sign() <= 0 && fb.sign() <= 0) return null;
  const t = a[0].add(b[0].sub(a[0]).mul(fa.div(fa.sub(fb))));
  return fa.sign() > 0 ? [a, [t]] : [[t], b];
}
function exactCells(net: Network, a: number[], b: number[]): { lo: number; hi: number; pattern: string }[] {
  const acts: Affine[] = a.map((x, i) => [Q.of(x), Q.of(b[i]).sub(Q.of(x))]);
  return cutLayers(net.layers, [{ poly: [[ZERO], [ONE]], acts, stack: [], pattern: "" }], 1, clip1)
    .map((c) => ({ lo: c.poly[0][0].toNumber(), hi: c.poly[1][0].toNumber(), pattern: c.pattern }))
    .sort((x, y) => x.lo - y.lo);
}

const N = Number(process.env.LINE_ATTACK_N ?? 2);
const POS = process.env.LINE_ATTACK_POS === "1";

type Act = Layer;
const zeros = (n: number) => new Array(n).fill(0);
const failures: string[] = [];
const stats: Record<string, [number, number]> = {};
function check(fam: string, net: Network, A: number[], B: number[], patterns = true) {
  stats[fam] ??= [0, 0];
  stats[fam][0]++;
  const t0 = Date.now();
  const exact = exactSegmentRegions(net, A, B);
  const compiled = prepare(net);
  const path = Float64Array.of(...A, ...B);
  const problems: string[] = [];
  let line: ReturnType<typeof linePartition> | undefined;
  try {
    line = linePartition(compiled, path);
  } catch (e) {
    problems.push(`linePartition threw ${String(e)}`);
  }
  if (line) {
    if (line.activationRegions !== exact.regions) problems.push(`line ${line.activationRegions} vs exact ${exact.regions}`);
    if (line.uncertain !== undefined) problems.push(`uncertain ${line.uncertain}`);
    if (patterns) {
      const found = new Set<string>();
      for (let k = 0; k < line.cellCount; k++) found.add(`|${patternString(compiled.layout, line.patterns, k * compiled.layout.words)}`);
      const want = new Set(exact.patterns);
      const a = [...found].sort().join(","),
        b = [...want].sort().join(",");
      if (POS && a === b) {
        const cells = exactCells(net, A, B);
        let worst = 0;
        for (let k = 0; k < line.cellCount && k < cells.length; k++) {
          const p = `|${patternString(compiled.layout, line.patterns, k * compiled.layout.words)}`;
          if (p !== cells[k].pattern) {
            worst = Infinity;
            break;
          }
          worst = Math.max(worst, Math.abs(line.tStart[k] - cells[k].lo), Math.abs(line.tEnd[k] - cells[k].hi));
        }
        if (worst > 1e-9) problems.push(`positions off by ${worst}`);
      }
      if (a !== b) problems.push(`patterns differ: engine ${[...found].filter((x) => !want.has(x)).slice(0, 2)} / oracle ${[...want].filter((x) => !found.has(x)).slice(0, 2)}`);
    }
  }
  try {
    const cs = countSegments(compiled, path);
    if (cs.perSegment[0] !== exact.regions) problems.push(`countSegments ${cs.perSegment[0]} vs exact ${exact.regions}`);
    if (cs.uncertain !== undefined) problems.push(`cs uncertain ${cs.uncertain}`);
  } catch (e) {
    problems.push(`countSegments threw ${String(e)}`);
  }
  const ms = Date.now() - t0;
  if (problems.length) {
    failures.push(`${fam} #${stats[fam][0] - 1} A=${JSON.stringify(A)} B=${JSON.stringify(B)} ${problems.join("; ")} (${ms} ms)`);
  }
}

/** Twin chains (as the deep-bounds test) with a chosen activation and optional scale per layer. */
function twin(depth: number, seed: number, act: () => Act, scale: (l: number) => number, lastAct: () => Act = act, bias = 0): Network {
  const rng = createRandom(seed);
  const draw = () => 2 + Math.floor(rng.uniform(0, 14));
  const layers: Layer[] = [
    denseLayer(
      [
        [1, 0],
        [1, 0],
        [1, 0],
        [1, 0],
        [0, 1],
        [0, -1],
      ],
      zeros(6),
    ),
    act(),
  ];
  for (let l = 0; l < depth - 2; l++) {
    const a = draw(),
      b = draw(),
      k = scale(l);
    const rows = [
      [a + 1, -a, 0, 0, 0, 0],
      [0, 1, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0],
      [0, 0, -b, b + 1, 0, 0],
      [0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 1],
    ].map((r) => r.map((x) => x * k));
    layers.push(denseLayer(rows, zeros(6)), act());
  }
  layers.push(
    denseLayer(
      [
        [1, 0, 0, -1, 0, 0],
        [-1, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 1],
      ],
      [bias, bias, 0, 0],
    ),
    lastAct(),
    denseLayer([[1, 1, 1, 1]], [0]),
  );
  return { inputSize: 2, layers };
}

function seg(rng: ReturnType<typeof createRandom>): [number[], number[]] {
  return [
    [rng.uniform(0.1, 2), rng.uniform(-1, 1)],
    [rng.uniform(0.1, 2), rng.uniform(-1, 1)],
  ];
}

const fams: Record<string, () => void> = {
  // Twin chains, other activations (positive values pass with slope 1 in every one).
  twinLeaky: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(300 + s);
      const [A, B] = seg(r);
      check(
        "twinLeaky",
        twin(
          20 + s,
          s,
          () => ({ type: "leaky-relu", slope: 0.125 * (1 + (s % 5)) }),
          () => 1,
        ),
        A,
        B,
      );
    }
  },
  twinAbs: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(400 + s);
      const [A, B] = seg(r);
      check(
        "twinAbs",
        twin(
          20 + s,
          s,
          () => ({ type: "abs" }),
          () => 1,
        ),
        A,
        B,
      );
    }
  },
  twinHT: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(500 + s);
      const [A, B] = seg(r);
      check(
        "twinHT",
        twin(
          20 + s,
          s,
          () => ({ type: "hard-tanh", lo: -1e300, hi: 1e300 }),
          () => 1,
        ),
        A,
        B,
      );
    }
  },
  // Twin differences exactly at a hard-tanh corner: relu(p - s + c) compared with the corner -c... uses bias on the last layer with hard tanh lo = bias
  twinHTcorner: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(600 + s);
      const [A, B] = seg(r);
      check(
        "twinHTcorner",
        twin(
          20 + s,
          s,
          () => ({ type: "relu" }),
          () => 1,
          () => ({ type: "hard-tanh", lo: 0.5, hi: 3 }),
          0.5,
        ),
        A,
        B,
      );
    }
  },
  twinLeakyLast: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(700 + s);
      const [A, B] = seg(r);
      check(
        "twinLeakyLast",
        twin(
          20 + s,
          s,
          () => ({ type: "relu" }),
          () => 1,
          () => ({ type: "leaky-relu", slope: -3 }),
        ),
        A,
        B,
      );
    }
  },
  twinAbsLast: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(800 + s);
      const [A, B] = seg(r);
      check(
        "twinAbsLast",
        twin(
          20 + s,
          s,
          () => ({ type: "relu" }),
          () => 1,
          () => ({ type: "abs" }),
        ),
        A,
        B,
      );
    }
  },
  // Scales 2^+-k per layer (zero biases: the function scales by the product).
  twinScale: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(900 + s);
      const [A, B] = seg(r);
      const e = [300, -300, 150, -150][s % 4];
      check(
        "twinScale",
        twin(
          12 + s,
          s,
          () => ({ type: "relu" }),
          (l) => (l === 0 ? 2 ** e : l === 1 ? 2 ** -e : 1),
        ),
        A,
        B,
      );
    }
  },
  twinScaleDrift: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(950 + s);
      const [A, B] = seg(r);
      const e = [40, -40, 60, -60][s % 4];
      check(
        "twinScaleDrift",
        twin(
          10 + s,
          s,
          () => ({ type: "relu" }),
          (l) => 2 ** (l % 2 ? -e : e),
        ),
        A,
        B,
      );
    }
  },
  // Segments through the origin (the vertex of every zero-bias unit) and ending at it.
  twinOrigin: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(1000 + s);
      const A = [r.uniform(-2, -0.1), r.uniform(-1, 1)];
      const B = s % 2 ? [-A[0] * 3, -A[1] * 3] : [0, 0];
      check(
        "twinOrigin",
        twin(
          20 + s,
          s,
          () => ({ type: "relu" }),
          () => 1,
        ),
        A,
        B,
      );
    }
  },
  // Maxout twin: max(p, s) where p == s exactly.
  twinMax: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(1100 + s);
      const [A, B] = seg(r);
      const base = twin(
        20 + s,
        s,
        () => ({ type: "relu" }),
        () => 1,
      );
      const L = base.layers.slice(0, -3);
      L.push(
        denseLayer(
          [
            [1, 0, 0, 0, 0, 0],
            [0, 0, 0, 1, 0, 0],
            [0, 0, 0, 1, 0, 0],
            [1, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1],
          ],
          zeros(6),
        ),
        { type: "maxout", k: 2 },
        denseLayer([[1, -1, 1]], [0]),
        { type: "relu" },
        denseLayer([[1]], [0]),
      );
      check("twinMax", { inputSize: 2, layers: L }, A, B, false);
    }
  },
  // Residual: twin chains inside residual blocks.
  twinRes: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(1200 + s);
      const [A, B] = seg(r);
      const rng = createRandom(s);
      const layers: Layer[] = [
        denseLayer(
          [
            [1, 0],
            [1, 0],
            [1, 0],
            [1, 0],
          ],
          zeros(4),
        ),
        { type: "relu" },
      ];
      for (let l = 0; l < 10 + s; l++) {
        const a = 2 + Math.floor(rng.uniform(0, 14)),
          b = 2 + Math.floor(rng.uniform(0, 14));
        // p += a (p - q) ; s += b (s - r): zero exactly, computed nearly
        layers.push({
          type: "residual",
          layers: [
            denseLayer(
              [
                [a, -a, 0, 0],
                [0, 0, 0, 0],
                [0, 0, 0, 0],
                [0, 0, -b, b],
              ],
              zeros(4),
            ),
            { type: "relu" },
            denseLayer(
              [
                [1, 0, 0, 0],
                [0, 0, 0, 0],
                [0, 0, 0, 0],
                [0, 0, 0, 1],
              ],
              zeros(4),
            ),
          ],
        });
        layers.push(
          denseLayer(
            [
              [a + 1, -a, 0, 0],
              [0, 1, 0, 0],
              [0, 0, 1, 0],
              [0, 0, -b, b + 1],
            ],
            zeros(4),
          ),
          { type: "relu" },
        );
      }
      layers.push(
        denseLayer(
          [
            [1, 0, 0, -1],
            [-1, 0, 0, 1],
          ],
          zeros(2),
        ),
        { type: "relu" },
        denseLayer([[1, 1]], [0]),
      );
      check("twinRes", { inputSize: 2, layers }, A, B);
    }
  },
  // Random deep integer zero-bias networks, width 3-4, segments through the origin or generic.
  intChain: () => {
    for (let s = 0; s < N * 4; s++) {
      const rng = createRandom(2000 + s);
      const w = 3 + (s % 2),
        depth = 15 + (s % 20);
      const layers: Layer[] = [];
      let inS = 2;
      for (let l = 0; l < depth; l++) {
        const rows = Array.from({ length: w }, () => Array.from({ length: inS }, () => Math.round(rng.uniform(-3.49, 3.49))));
        layers.push(denseLayer(rows, zeros(w)), [{ type: "relu" } as Layer, { type: "leaky-relu", slope: 0.5 } as Layer, { type: "abs" } as Layer][s % 3]);
        inS = w;
      }
      layers.push(denseLayer([Array.from({ length: inS }, () => 1)], [0]));
      const A = [rng.uniform(-2, 2), rng.uniform(-2, 2)];
      const B = s % 2 ? [-A[0] * rng.uniform(0.5, 2), -A[1] * rng.uniform(0.5, 2)] : [rng.uniform(-2, 2), rng.uniform(-2, 2)];
      check("intChain", { inputSize: 2, layers }, A, B);
    }
  },
  // Flips exactly at a piece end: two twins whose difference is c (exact) compared against the segment's end coordinate.
  endFlip: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(1300 + s);
      const x1 = 0.5 + Math.floor(r.uniform(0, 8)) / 4; // exact dyadic
      const A = [0.25, r.uniform(-1, 1)],
        B = [x1, r.uniform(-1, 1)];
      // twin p == x; last layer relu(p - x1) at the end of the segment: unit flips exactly at B; relu(x1 - s) too.
      const base = twin(
        20 + s,
        s,
        () => ({ type: "relu" }),
        () => 1,
      );
      const L = base.layers.slice(0, -3);
      L.push(
        denseLayer(
          [
            [1, 0, 0, 0, 0, 0],
            [0, 0, 0, -1, 0, 0],
            [1, 0, 0, -1, 0, 0],
          ],
          [-x1, x1, 0],
        ),
        { type: "relu" },
        denseLayer([[1, 1, 1]], [0]),
      );
      check("endFlip", { inputSize: 2, layers: L }, A, B);
      check("endFlip", { inputSize: 2, layers: L }, B, A);
    }
  },
  // Twins compared with an exact relative offset delta = 2^-k: relu(p - (1 - delta) s) is delta x, exactly, computed off by ulps.
  twinDelta: () => {
    for (let s = 0; s < N * 2; s++) {
      const r = createRandom(1400 + s);
      const [A, B] = seg(r);
      const k = 30 + (s % 24);
      const d = 2 ** -k;
      const base = twin(
        15 + (s % 25),
        s,
        () => ({ type: "relu" }),
        () => 1,
      );
      const L = base.layers.slice(0, -3);
      L.push(
        denseLayer(
          [
            [1, 0, 0, -(1 - d), 0, 0],
            [-(1 - d), 0, 0, 1, 0, 0],
            [1, 0, 0, -(1 - d), 0.5, 0],
            [0, 0, 0, 0, 0, 1],
          ],
          [0, 0, 0, 0],
        ),
        { type: "relu" },
        denseLayer([[1, 1, 1, 1]], [0]),
      );
      check("twinDelta", { inputSize: 2, layers: L }, A, B);
    }
  },
  // Max groups carried through every layer: max((a+1) p - a q, -q) is x for x > 0.
  maxChain: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(1500 + s);
      const [A, B] = seg(r);
      const rng = createRandom(s);
      const layers: Layer[] = [
        denseLayer(
          [
            [1, 0],
            [1, 0],
            [1, 0],
            [1, 0],
            [0, 1],
            [0, -1],
          ],
          zeros(6),
        ),
        { type: "relu" },
      ];
      for (let l = 0; l < 15 + s; l++) {
        const a = 2 + Math.floor(rng.uniform(0, 14)),
          b = 2 + Math.floor(rng.uniform(0, 14));
        // 12 candidates, pairs: (A, -q) (q, -q) (r, -r) (B, -r) (y+, -y+) (y-, -y-)
        layers.push(
          denseLayer(
            [
              [a + 1, -a, 0, 0, 0, 0],
              [0, -1, 0, 0, 0, 0],
              [0, 1, 0, 0, 0, 0],
              [0, -1, 0, 0, 0, 0],
              [0, 0, 1, 0, 0, 0],
              [0, 0, -1, 0, 0, 0],
              [0, 0, -b, b + 1, 0, 0],
              [0, 0, -1, 0, 0, 0],
              [0, 0, 0, 0, 1, 0],
              [0, 0, 0, 0, -1, 0],
              [0, 0, 0, 0, 0, 1],
              [0, 0, 0, 0, 0, -1],
            ],
            zeros(12),
          ),
          { type: "maxout", k: 2 },
        );
      }
      layers.push(
        denseLayer(
          [
            [1, 0, 0, -1, 0, 0],
            [-1, 0, 0, 1, 0, 0],
            [0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1],
          ],
          zeros(4),
        ),
        { type: "relu" },
        denseLayer([[1, 1, 1, 1]], [0]),
      );
      check("maxChain", { inputSize: 2, layers }, A, B, false);
    }
  },
  // Leaky twin chains whose negative side is used: inputs x < 0, p = x through leaky slope, compared.
  leakyNeg: () => {
    for (let s = 0; s < N; s++) {
      const r = createRandom(1600 + s);
      const A = [-r.uniform(0.1, 2), r.uniform(-1, 1)],
        B = [-r.uniform(0.1, 2), r.uniform(-1, 1)];
      check(
        "leakyNeg",
        twin(
          15 + s,
          s,
          () => ({ type: "leaky-relu", slope: 0.5 }),
          () => 1,
          () => ({ type: "relu" }),
        ),
        A,
        B,
      );
      check(
        "leakyNeg",
        twin(
          15 + s,
          s,
          () => ({ type: "abs" }),
          () => 1,
          () => ({ type: "relu" }),
        ),
        A,
        B,
      );
    }
  },
  // Twin chains fed at every layer by twin units that cross along the segment (y = 0): rank-one updates at every step.
  crossChain: () => {
    for (let s = 0; s < N * 2; s++) {
      const r = createRandom(1700 + s);
      const rng = createRandom(50 + s);
      const act = (): Layer => [{ type: "relu" } as Layer, { type: "leaky-relu", slope: 0.25 } as Layer, { type: "relu" } as Layer][s % 3];
      const layers: Layer[] = [
        denseLayer(
          [
            [1, 0],
            [1, 0],
            [1, 0],
            [1, 0],
            [0, 1],
            [0, 1],
            [0, -1],
            [0, -1],
          ],
          zeros(8),
        ),
        act(),
      ];
      const depth = 10 + (s % 20);
      for (let l = 0; l < depth; l++) {
        const d = () => 2 + Math.floor(rng.uniform(0, 14));
        const a = d(),
          b = d(),
          e = d(),
          f = d(),
          c = 1 + Math.floor(rng.uniform(0, 3));
        layers.push(
          denseLayer(
            [
              [a + 1, -a, 0, 0, c, 0, c, 0],
              [0, 1, 0, 0, c, 0, c, 0],
              [0, 0, 1, 0, c, 0, c, 0],
              [0, 0, -b, b + 1, c, 0, c, 0],
              [0, 0, 0, 0, e + 1, -e, 0, 0],
              [0, 0, 0, 0, 0, 1, 0, 0],
              [0, 0, 0, 0, 0, 0, f + 1, -f],
              [0, 0, 0, 0, 0, 0, 0, 1],
            ],
            zeros(8),
          ),
          act(),
        );
      }
      layers.push(
        denseLayer(
          [
            [1, 0, 0, -1, 0, 0, 0, 0],
            [-1, 0, 0, 1, 0, 0, 0, 0],
            [0, 0, 0, 0, 1, -1, 0, 0],
            [0, 0, 0, 0, 0, 0, -1, 1],
            [0, 0, 0, 0, 1, 0, 0, 0],
          ],
          zeros(5),
        ),
        { type: "relu" },
        denseLayer([[1, 1, 1, 1, 1]], [0]),
      );
      const A = [r.uniform(0.5, 2), r.uniform(-1, -0.1)],
        B = [r.uniform(0.5, 2), r.uniform(0.1, 1)];
      check("crossChain", { inputSize: 2, layers }, A, B, s % 3 !== 1);
    }
  },
  // Twins p == s that cross beta inside a deep frame: relu(p - beta), relu(s - beta), then their difference (0 exactly).
  crossFrame: () => {
    for (let s = 0; s < N * 2; s++) {
      const r = createRandom(1800 + s);
      const beta = [0.75, 1, 1.25, 1.5][s % 4];
      const A = [r.uniform(0.3, 0.7), r.uniform(-1, 1)],
        B = [r.uniform(1.6, 2.5), r.uniform(-1, 1)];
      const act = (): Layer =>
        [{ type: "relu" } as Layer, { type: "leaky-relu", slope: 0.25 } as Layer, { type: "abs" } as Layer, { type: "hard-tanh", lo: -8, hi: 1e300 } as Layer][s % 4];
      const base = twin(
        15 + (s % 30),
        s,
        () => ({ type: "relu" }),
        () => 1,
      );
      const L = base.layers.slice(0, -3);
      L.push(
        denseLayer(
          [
            [1, 0, 0, 0, 0, 0],
            [0, 0, 0, 1, 0, 0],
            [0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1],
          ],
          [-beta, -beta, 0, 0],
        ),
        act(),
      );
      L.push(
        denseLayer(
          [
            [1, -1, 0, 0],
            [-1, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
          ],
          zeros(4),
        ),
        { type: "relu" },
        denseLayer([[1, 1, 1, 1]], [0]),
      );
      check("crossFrame", { inputSize: 2, layers: L }, A, B);
      check("crossFrame", { inputSize: 2, layers: L }, B, A);
    }
  },
  // As crossFrame through max groups: max(p, beta) and max(s, beta) switch at the same point inside a deep piece.
  crossMax: () => {
    for (let s = 0; s < N * 2; s++) {
      const r = createRandom(1900 + s);
      const beta = [0.75, 1, 1.25, 1.5][s % 4];
      const A = [r.uniform(0.3, 0.7), r.uniform(-1, 1)],
        B = [r.uniform(1.6, 2.5), r.uniform(-1, 1)];
      const base = twin(
        15 + (s % 30),
        s,
        () => ({ type: "relu" }),
        () => 1,
      );
      const L = base.layers.slice(0, -3);
      L.push(
        denseLayer(
          [
            [1, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 1, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1],
          ],
          [0, beta, 0, beta, 0, 0],
        ),
        { type: "maxout", k: 2 },
      );
      L.push(
        denseLayer(
          [
            [1, -1, 0],
            [-1, 1, 0],
            [0, 0, 1],
          ],
          zeros(3),
        ),
        { type: "relu" },
        denseLayer([[1, 1, 1]], [0]),
      );
      check("crossMax", { inputSize: 2, layers: L }, A, B, false);
      check("crossMax", { inputSize: 2, layers: L }, B, A, false);
    }
  },
};
describe('line engine against the exact oracle: adversarial families for the carried bound (docs/numerics.md, "Second reading of the carried bound")', () => {
  for (const [name, run] of Object.entries(fams)) {
    it(`${name}: the exact count, patterns, no uncertain decision (linePartition and countSegments)`, () => {
      failures.length = 0;
      run();
      assert.deepEqual(failures, [], failures.join("\n"));
    });
  }
});
