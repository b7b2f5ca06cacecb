/**
 * The second reading of the line engine's carried bound (docs/numerics.md, "Second reading of the
 * carried bound"): adversarial families against the exact oracle (exact rationals), each segment's
 * count, patterns and uncertain decisions from linePartition, and its count from countSegments.
 * Twin chains (units exactly equal, computed with different roundings) through leaky relu, abs and
 * hard tanh, scaled by 2^+-300, through the origin, in max groups and residual blocks, compared with
 * exact offsets, crossing at a segment end or one point inside a deep piece; random deep zero-bias
 * integer networks. LINE_ATTACK_N (default 2) sets the cases per family (30 gave 960 segments);
 * LINE_ATTACK_POS=1 also compares the pieces' ends with the oracle's (to 1e-9; 31 crossFrame
 * segments of 120 failed before piece ends were placed from exact lines, none since; numerics.md).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom, type Random } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";
import { countSegments } from "../../src/regions/line-segments.ts";
import { denseLayer } from "../invariance/networks.ts";
import { type Affine, cutLayers } from "../oracles/affine.ts";
import { clip, exactSegmentRegions } from "../oracles/exact-partition.ts";
import { ONE, Q, ZERO } from "../oracles/rational.ts";
import { splitInput, twinChains, twinCrossing, twinMaxCrossing, twinTrunk, zeros } from "./twin-chains.ts";

function exactCells(net: Network, a: number[], b: number[]): { lo: number; hi: number; pattern: string }[] {
  const acts: Affine[] = a.map((x, i) => [Q.of(x), Q.of(b[i]).sub(Q.of(x))]);
  return cutLayers(net.layers, [{ poly: [[ZERO], [ONE]], acts, stack: [], pattern: "" }], 1, clip)
    .map((c) => ({ lo: c.poly[0][0].toNumber(), hi: c.poly[1][0].toNumber(), pattern: c.pattern }))
    .sort((x, y) => x.lo - y.lo);
}

const N = Number(process.env.LINE_ATTACK_N ?? 2);
const POS = process.env.LINE_ATTACK_POS === "1";

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

function seg(rng: Random): [number[], number[]] {
  return [
    [rng.uniform(0.1, 2), rng.uniform(-1, 1)],
    [rng.uniform(0.1, 2), rng.uniform(-1, 1)],
  ];
}

/** One checked case: the network, the segment from A to B; `patterns` false checks the counts only; `both` also checks B to A. */
interface Case {
  net: Network;
  A: number[];
  B: number[];
  patterns?: boolean;
  both?: boolean;
}

const fams: Record<string, () => void> = {};
/** A family: for s < count, its cases from build(s, createRandom(base + s)), each checked in order. */
function family(name: string, count: number, base: number, build: (s: number, r: Random) => Case | Case[]): void {
  fams[name] = () => {
    for (let s = 0; s < count; s++) {
      for (const c of [build(s, createRandom(base + s))].flat()) {
        check(name, c.net, c.A, c.B, c.patterns);
        if (c.both) check(name, c.net, c.B, c.A, c.patterns);
      }
    }
  };
}
const relu = (): Layer => ({ type: "relu" });
/** The relu twin chains' trunk, then `tail`. */
const trunkThen = (depth: number, seed: number, ...tail: Layer[]): Network => ({ inputSize: 2, layers: [...twinTrunk(depth, seed), ...tail] });

// Twin chains, other activations (positive values pass with slope 1 in every one).
family("twinLeaky", N, 300, (s, r) => {
  const [A, B] = seg(r);
  return { net: twinChains(20 + s, s, { act: () => ({ type: "leaky-relu", slope: 0.125 * (1 + (s % 5)) }) }), A, B };
});
family("twinAbs", N, 400, (s, r) => {
  const [A, B] = seg(r);
  return { net: twinChains(20 + s, s, { act: () => ({ type: "abs" }) }), A, B };
});
family("twinHT", N, 500, (s, r) => {
  const [A, B] = seg(r);
  return { net: twinChains(20 + s, s, { act: () => ({ type: "hard-tanh", lo: -1e300, hi: 1e300 }) }), A, B };
});
// Twin differences exactly at a hard-tanh corner: relu chains, then hard tanh with lo = the comparing units' bias.
family("twinHTcorner", N, 600, (s, r) => {
  const [A, B] = seg(r);
  return { net: twinChains(20 + s, s, { lastAct: () => ({ type: "hard-tanh", lo: 0.5, hi: 3 }), bias: 0.5 }), A, B };
});
family("twinLeakyLast", N, 700, (s, r) => {
  const [A, B] = seg(r);
  return { net: twinChains(20 + s, s, { lastAct: () => ({ type: "leaky-relu", slope: -3 }) }), A, B };
});
family("twinAbsLast", N, 800, (s, r) => {
  const [A, B] = seg(r);
  return { net: twinChains(20 + s, s, { lastAct: () => ({ type: "abs" }) }), A, B };
});
// Scales 2^+-k per layer (zero biases: the function scales by the product).
family("twinScale", N, 900, (s, r) => {
  const [A, B] = seg(r);
  const e = [300, -300, 150, -150][s % 4];
  return { net: twinChains(12 + s, s, { scale: (l) => (l === 0 ? 2 ** e : l === 1 ? 2 ** -e : 1) }), A, B };
});
family("twinScaleDrift", N, 950, (s, r) => {
  const [A, B] = seg(r);
  const e = [40, -40, 60, -60][s % 4];
  return { net: twinChains(10 + s, s, { scale: (l) => 2 ** (l % 2 ? -e : e) }), A, B };
});
// Segments through the origin (the vertex of every zero-bias unit) and ending at it.
family("twinOrigin", N, 1000, (s, r) => {
  const A = [r.uniform(-2, -0.1), r.uniform(-1, 1)];
  const B = s % 2 ? [-A[0] * 3, -A[1] * 3] : [0, 0];
  return { net: twinChains(20 + s, s), A, B };
});
// Maxout twin: max(p, s) where p == s exactly.
family("twinMax", N, 1100, (s, r) => {
  const [A, B] = seg(r);
  const net = trunkThen(
    20 + s,
    s,
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
    relu(),
    denseLayer([[1]], [0]),
  );
  return { net, A, B, patterns: false };
});
// Residual: twin chains inside residual blocks.
family("twinRes", N, 1200, (s, r) => {
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
    relu(),
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
        relu(),
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
      relu(),
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
    relu(),
    denseLayer([[1, 1]], [0]),
  );
  return { net: { inputSize: 2, layers }, A, B };
});
// Random deep integer zero-bias networks, width 3-4, segments through the origin or generic (network and segment from one generator).
family("intChain", N * 4, 2000, (s, rng) => {
  const w = 3 + (s % 2),
    depth = 15 + (s % 20);
  const layers: Layer[] = [];
  let inS = 2;
  for (let l = 0; l < depth; l++) {
    const rows = Array.from({ length: w }, () => Array.from({ length: inS }, () => Math.round(rng.uniform(-3.49, 3.49))));
    layers.push(denseLayer(rows, zeros(w)), [relu(), { type: "leaky-relu", slope: 0.5 } as Layer, { type: "abs" } as Layer][s % 3]);
    inS = w;
  }
  layers.push(denseLayer([Array.from({ length: inS }, () => 1)], [0]));
  const A = [rng.uniform(-2, 2), rng.uniform(-2, 2)];
  const B = s % 2 ? [-A[0] * rng.uniform(0.5, 2), -A[1] * rng.uniform(0.5, 2)] : [rng.uniform(-2, 2), rng.uniform(-2, 2)];
  return { net: { inputSize: 2, layers }, A, B };
});
// Flips exactly at a piece end: two twins whose difference is c (exact) compared against the segment's end coordinate.
family("endFlip", N, 1300, (s, r) => {
  const x1 = 0.5 + Math.floor(r.uniform(0, 8)) / 4; // exact dyadic
  const A = [0.25, r.uniform(-1, 1)],
    B = [x1, r.uniform(-1, 1)];
  // twin p == x; last layer relu(p - x1) at the end of the segment: unit flips exactly at B; relu(x1 - s) too.
  const net = trunkThen(
    20 + s,
    s,
    denseLayer(
      [
        [1, 0, 0, 0, 0, 0],
        [0, 0, 0, -1, 0, 0],
        [1, 0, 0, -1, 0, 0],
      ],
      [-x1, x1, 0],
    ),
    relu(),
    denseLayer([[1, 1, 1]], [0]),
  );
  return { net, A, B, both: true };
});
// Twins compared with an exact relative offset delta = 2^-k: relu(p - (1 - delta) s) is delta x, exactly, computed off by ulps.
family("twinDelta", N * 2, 1400, (s, r) => {
  const [A, B] = seg(r);
  const d = 2 ** -(30 + (s % 24));
  const net = trunkThen(
    15 + (s % 25),
    s,
    denseLayer(
      [
        [1, 0, 0, -(1 - d), 0, 0],
        [-(1 - d), 0, 0, 1, 0, 0],
        [1, 0, 0, -(1 - d), 0.5, 0],
        [0, 0, 0, 0, 0, 1],
      ],
      [0, 0, 0, 0],
    ),
    relu(),
    denseLayer([[1, 1, 1, 1]], [0]),
  );
  return { net, A, B };
});
// Max groups carried through every layer: max((a+1) p - a q, -q) is x for x > 0.
family("maxChain", N, 1500, (s, r) => {
  const [A, B] = seg(r);
  const rng = createRandom(s);
  const layers: Layer[] = [splitInput(), relu()];
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
    relu(),
    denseLayer([[1, 1, 1, 1]], [0]),
  );
  return { net: { inputSize: 2, layers }, A, B, patterns: false };
});
// Leaky (then abs) twin chains whose negative side is used: inputs x < 0, p = x through leaky slope, compared.
family("leakyNeg", N, 1600, (s, r) => {
  const A = [-r.uniform(0.1, 2), r.uniform(-1, 1)],
    B = [-r.uniform(0.1, 2), r.uniform(-1, 1)];
  return [
    { net: twinChains(15 + s, s, { act: () => ({ type: "leaky-relu", slope: 0.5 }), lastAct: relu }), A, B },
    { net: twinChains(15 + s, s, { act: () => ({ type: "abs" }), lastAct: relu }), A, B },
  ];
});
// Twin chains fed at every layer by twin units that cross along the segment (y = 0): rank-one updates at every step.
family("crossChain", N * 2, 1700, (s, r) => {
  const rng = createRandom(50 + s);
  const act = (): Layer => [relu(), { type: "leaky-relu", slope: 0.25 } as Layer, relu()][s % 3];
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
    relu(),
    denseLayer([[1, 1, 1, 1, 1]], [0]),
  );
  const A = [r.uniform(0.5, 2), r.uniform(-1, -0.1)],
    B = [r.uniform(0.5, 2), r.uniform(0.1, 1)];
  return { net: { inputSize: 2, layers }, A, B, patterns: s % 3 !== 1 };
});
// Twins p == s that cross beta inside a deep frame: relu(p - beta), relu(s - beta), then their difference (0 exactly). twin-chains.ts draws the segment from 1800 + s.
family("crossFrame", N * 2, 1800, (s) => {
  const { network, A, B } = twinCrossing(s, 15 + (s % 30));
  return { net: network, A, B, both: true };
});
// As crossFrame through max groups: max(p, beta) and max(s, beta) switch at the same point inside a deep piece (segment from 1900 + s).
family("crossMax", N * 2, 1900, (s) => {
  const { network, A, B } = twinMaxCrossing(s, 15 + (s % 30));
  return { net: network, A, B, patterns: false, both: true };
});

describe('line engine against the exact oracle: adversarial families for the carried bound (docs/numerics.md, "Second reading of the carried bound")', () => {
  for (const [name, run] of Object.entries(fams)) {
    it(`${name}: the exact count, patterns, no uncertain decision (linePartition and countSegments)`, () => {
      failures.length = 0;
      run();
      assert.deepEqual(failures, [], failures.join("\n"));
    });
  }
});
