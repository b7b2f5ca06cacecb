/**
 * The SVG renderer on partitions built by hand (independent of the plane engine): the four
 * quadrants of [-1, 1]^2 cut by relu(x), relu(y). Cell colours must follow the pattern hash, the
 * decision boundary must be the exact zero set computed by hand, and the PNG must decode.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { forward, prepare } from "../../src/model/forward.ts";
import { dense, type Network, relu } from "../../src/model/layers.ts";
import { patternHash } from "../../src/model/pattern.ts";
import type { PlanePartition } from "../../src/regions/partition.ts";
import { patternColor } from "../../src/report/colors.ts";
import { decisionBoundary } from "../../src/report/decision-boundary.ts";
import { svgToPng } from "../../src/report/png.ts";
import { cellColor, niceTicks, regionMapSvg } from "../../src/report/region-map.ts";

/** Quadrants of [-1,1]^2 (counter-clockwise polygons) for a network relu(x), relu(y), then `head`. */
function quadrants(head: number[][], headBias: number[]): PlanePartition {
  const net: Network = {
    inputSize: 2,
    layers: [
      dense(
        [
          [1, 0],
          [0, 1],
        ],
        [0, 0],
      ),
      relu(),
      dense(head, headBias),
    ],
  };
  const compiled = prepare(net);
  const cells = [
    [0, 0, 1, 0, 1, 1, 0, 1], // (+, +)
    [-1, 0, 0, 0, 0, 1, -1, 1], // (-, +)
    [-1, -1, 0, -1, 0, 0, -1, 0], // (-, -)
    [0, -1, 1, -1, 1, 0, 0, 0], // (+, -)
  ];
  const outs = head.length;
  const words = compiled.layout.words;
  const patterns = new Uint32Array(cells.length * words);
  const outputMaps = new Float64Array(cells.length * outs * 3);
  cells.forEach((poly, i) => {
    // Interior point and the affine map from three forward passes (the net is affine on a quadrant).
    const cu = (poly[0] + poly[4]) / 2;
    const cv = (poly[1] + poly[5]) / 2;
    const at = (du: number, dv: number) => forward(compiled, [cu + du, cv + dv]);
    const f0 = at(0, 0);
    const fu = at(0.1, 0);
    const fv = at(0, 0.1);
    patterns.set(f0.pattern, i * words);
    for (let k = 0; k < outs; k++) {
      const du = (fu.output[k] - f0.output[k]) / 0.1;
      const dv = (fv.output[k] - f0.output[k]) / 0.1;
      outputMaps.set([f0.output[k] - du * cu - dv * cv, du, dv], (i * outs + k) * 3);
    }
  });
  return {
    kind: "plane",
    cellCount: 4,
    patterns,
    layout: compiled.layout,
    outputSize: outs,
    activationRegions: 4,
    linearPieces: 4,
    pieceOf: Int32Array.of(0, 1, 2, 3),
    adjacency: Uint32Array.of(0, 1, 0, 3, 1, 2, 2, 3),
    origin: new Float64Array(2),
    e1: Float64Array.of(1, 0),
    e2: Float64Array.of(0, 1),
    domain: Float64Array.of(-1, -1, 1, -1, 1, 1, -1, 1),
    cellStart: Uint32Array.of(0, 4, 8, 12, 16),
    vertices: Float64Array.from(cells.flat()),
    edgeLine: new Int32Array(16).fill(-1),
    lines: new Float64Array(0),
    areas: Float64Array.of(1, 1, 1, 1),
    outputMaps,
  };
}

/** Segments as sorted strings with endpoints in a canonical order, rounded to 1e-9. */
function canonical(seg: Float64Array): string[] {
  const r = (x: number) => (Math.round(x * 1e9) / 1e9 + 0).toString();
  const out: string[] = [];
  for (let s = 0; s < seg.length; s += 4) {
    const a = `${r(seg[s])},${r(seg[s + 1])}`;
    const b = `${r(seg[s + 2])},${r(seg[s + 3])}`;
    out.push(a < b ? `${a} ${b}` : `${b} ${a}`);
  }
  return out.sort();
}

test("one output: the boundary is the exact zero set of relu(x) + relu(y) - 0.5", () => {
  const p = quadrants([[1, 1]], [-0.5]);
  // (+,+): x + y = 0.5; (+,-): x = 0.5; (-,+): y = 0.5; (-,-): constant -0.5, no boundary.
  assert.deepEqual(canonical(decisionBoundary(p)), ["-1,0.5 0,0.5", "0,0.5 0.5,0", "0.5,-1 0.5,0"].sort());
});

test("two outputs: the boundary is the zero set of f0 - f1", () => {
  // f0 = relu(x), f1 = relu(y) + 0.25: f0 - f1 = 0 at x - y = 0.25 in (+,+), x = 0.25 in (+,-).
  const p = quadrants(
    [
      [1, 0],
      [0, 1],
    ],
    [0, 0.25],
  );
  assert.deepEqual(canonical(decisionBoundary(p)), ["0.25,-1 0.25,0", "0.25,0 1,0.75"]);
});

test("three outputs: the boundary is where the argmax changes, each edge once", () => {
  // f0 = relu(x), f1 = relu(y), f2 = 0.5. In (+,+) the three meet at (0.5, 0.5).
  const p = quadrants(
    [
      [1, 0],
      [0, 1],
      [0, 0],
    ],
    [0, 0, 0.5],
  );
  const expected = [
    // (+,+): x = y from (0.5, 0.5) to (1, 1); x = 0.5 below it; y = 0.5 left of it.
    "0.5,0.5 1,1",
    "0.5,0 0.5,0.5",
    "0,0.5 0.5,0.5",
    // (+,-): f0 = x vs f2 = 0.5: x = 0.5. (-,+): y = 0.5. (-,-): f2 wins everywhere.
    "0.5,-1 0.5,0",
    "-1,0.5 0,0.5",
  ].sort();
  assert.deepEqual(canonical(decisionBoundary(p)), expected);
});

test("a cell where the output is identically zero draws no boundary", () => {
  const p = quadrants([[0, 0]], [0]);
  assert.equal(decisionBoundary(p).length, 0);
});

test("cells are filled with the colour of their pattern hash; equal patterns share a colour", () => {
  const p = quadrants([[1, 1]], [-0.5]);
  const svg = regionMapSvg(p, { boundary: true, labels: ["x0", "x1"], title: "quadrants", cellIds: true });
  const fills = [...svg.matchAll(/<path data-cell="(\d+)" d="[^"]+" fill="(#[0-9a-f]{6})"/g)].map((m) => m[2]);
  assert.equal(fills.length, 4);
  for (let i = 0; i < 4; i++) {
    assert.equal(fills[i], patternColor(patternHash(p.patterns, i * p.layout.words, p.layout.words)));
    assert.equal(fills[i], cellColor(p, i));
  }
  assert.equal(new Set(fills).size, 4, "four distinct patterns, four colours");
  assert.match(svg, /class="boundary" d="M/);
  assert.match(svg, />x0<\/text>/);
  assert.match(svg, />quadrants<\/text>/);
  // Same partition, same picture: colours do not depend on cell order or run.
  assert.equal(regionMapSvg(p), regionMapSvg(quadrants([[1, 1]], [-0.5])));
});

test("points are drawn on top in plot coordinates; titles are escaped", () => {
  const p = quadrants([[1, 1]], [-0.5]);
  const svg = regionMapSvg(p, { size: 200, points: [{ u: 0, v: 0, color: "red" }], title: "a < b & c", axes: false });
  // axes off: left margin 6, top margin 32 + 6 (title), 100 px per unit; (0, 0) is the centre,
  // a circle of radius 3 from (109, 138) around through (103, 138).
  assert.match(svg, /<path d="M109 138A3 3 0 1 1 103 138A3 3 0 1 1 109 138" fill="red"/);
  assert.match(svg, /a &lt; b &amp; c/);
  assert.doesNotMatch(svg, /class="ticks"/);
});

test("patternColor is a stable hex colour: pinned values, and distinct hashes spread over many colours", () => {
  // Hash 0: hue 0, saturation 0.4, lightness 0.66; by hand, q = 0.66 + 0.4 - 0.264 = 0.796 and
  // p = 2 * 0.66 - q = 0.524, so red = q = 203 (cb), green = blue = p = 134 (86).
  assert.equal(patternColor(0), "#cb8686");
  // 0xdeadbeef: hue 119/360, saturation 0.4 + 0.25 * 223/255, lightness 0.66 + 0.18 * 86/255
  // give (by hand) red 141, green 228, blue 140. The same in every run: a function of the hash.
  assert.equal(patternColor(0xdeadbeef), "#8de48c");
  const colours = new Set(Array.from({ length: 1000 }, (_, i) => patternColor(Math.imul(i, 0x9e3779b1))));
  assert.ok(colours.size > 300, `${colours.size} colours for 1000 hashes`);
  for (const c of colours) assert.match(c, /^#[0-9a-f]{6}$/);
  assert.notEqual(patternColor(1), patternColor(2));
});

test("niceTicks covers the range with round steps", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-1, 1), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(0, 10, 2), [0, 5, 10]);
});

test("svgToPng renders a PNG of the requested width", () => {
  const png = svgToPng(regionMapSvg(quadrants([[1, 1]], [-0.5]), { size: 100, boundary: true }), { width: 300 });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  assert.equal(view.getUint32(16), 300, "IHDR width");
});

/** Do segments p1-p2 and q1-q2 intersect (closed)? */
function segmentsMeet(p: number[], q: number[]): boolean {
  const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  const d1 = orient(q[0], q[1], q[2], q[3], p[0], p[1]);
  const d2 = orient(q[0], q[1], q[2], q[3], p[2], p[3]);
  const d3 = orient(p[0], p[1], p[2], p[3], q[0], q[1]);
  const d4 = orient(p[0], p[1], p[2], p[3], q[2], q[3]);
  return d1 * d2 <= 0 && d3 * d4 <= 0;
}

for (const outputs of [1, 3]) {
  test(`decision boundary of a real plane partition (${outputs} output${outputs > 1 ? "s" : ""}): on the level set, and complete on a grid`, async () => {
    const { mlp } = await import("../../src/model/build/mlp.ts");
    const { boxSlice, planePartition } = await import("../../src/regions/plane.ts");
    // Shift the output biases so that all outputs are 0 at the origin: the boundary (or, for three
    // outputs, a triple point of the argmax) then surely passes through the square.
    const net = mlp([2, 12, 12, outputs], { seed: 5 });
    const y0 = forward(prepare(net), [0, 0]).output;
    const last = net.layers[net.layers.length - 1];
    assert.equal(last.type, "dense");
    if (last.type === "dense") for (let k = 0; k < outputs; k++) last.bias[k] -= y0[k];
    const compiled = prepare(net);
    const { slice, domain } = boxSlice(-1, 1);
    const p = planePartition(compiled, slice, { domain });
    const seg = decisionBoundary(p);
    assert.ok(seg.length > 0, "this network's boundary crosses the square");
    // Every segment's midpoint lies on the boundary: f = 0 (one output) or a tie for the maximum.
    for (let s = 0; s < seg.length; s += 4) {
      const y = forward(compiled, [(seg[s] + seg[s + 2]) / 2, (seg[s + 1] + seg[s + 3]) / 2]).output;
      if (outputs === 1) assert.ok(Math.abs(y[0]) < 1e-9, `f = ${y[0]} at a boundary midpoint`);
      else {
        const sorted = Array.from(y).sort((a, b) => b - a);
        assert.ok(sorted[0] - sorted[1] < 1e-9, `top two outputs ${sorted[0]}, ${sorted[1]} differ at a boundary midpoint`);
      }
    }
    // Every grid edge whose ends fall in different classes is crossed by some segment.
    const cls = (u: number, v: number): number => {
      const y = forward(compiled, [u, v]).output;
      return outputs === 1 ? (y[0] > 0 ? 1 : 0) : y.indexOf(Math.max(...y));
    };
    const n = 24;
    const at = (i: number) => -1 + (2 * i + 1) / n / 1.0001;
    let changes = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j + 1 < n; j++) {
        for (const [a, b] of [
          [
            [at(j), at(i)],
            [at(j + 1), at(i)],
          ],
          [
            [at(i), at(j)],
            [at(i), at(j + 1)],
          ],
        ]) {
          if (cls(a[0], a[1]) === cls(b[0], b[1])) continue;
          changes++;
          let crossed = false;
          for (let s = 0; s < seg.length && !crossed; s += 4) crossed = segmentsMeet([a[0], a[1], b[0], b[1]], [seg[s], seg[s + 1], seg[s + 2], seg[s + 3]]);
          assert.ok(crossed, `class changes between (${a}) and (${b}) but no boundary segment crosses`);
        }
      }
    }
    assert.ok(changes > 0, "the grid sees the boundary");
  });
}
