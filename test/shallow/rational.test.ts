/**
 * Exact oracle: the construction redone in BigInt rationals for tiny plain and residual relu
 * networks, independently of src/shallow (layers walked directly, no compiled steps). On exact
 * rational points: g_S <= f for every region S, and max_S g_S = f, with no tolerance. The float
 * lambdas and hidden units must match the rational ones to 1e-12 relative.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { shallowRepresentation } from "../../src/shallow/represent.ts";
import { residualMlp } from "../../src/train/residual.ts";
import { exactBoxRegions } from "../oracles/exact-partition.ts";
import { ONE, Q, ZERO } from "../oracles/rational.ts";

/** An affine form over (1, x_1..x_n0, delta_1..delta_U). */
type Form = Q[];

interface FrozenQ {
  /** Pre-activation forms of the units, in order. */
  pre: Form[];
  out: Form[];
}

/** The network with every relu frozen to `states` and an injection delta_u after unit u. */
function freezeQ(net: Network, states: number[]): FrozenQ {
  const n0 = net.inputSize;
  const width = 1 + n0 + states.length;
  const basis = (i: number): Form => Array.from({ length: width }, (_, c) => (c === i ? ONE : ZERO));
  const pre: Form[] = [];
  const run = (layers: Layer[], v: Form[]): Form[] => {
    for (const l of layers) {
      if (l.type === "dense") {
        v = Array.from({ length: l.outSize }, (_, i) => {
          const f = basis(0).map((c) => c.mul(Q.of(l.bias[i])));
          for (let j = 0; j < l.inSize; j++) {
            const w = Q.of(l.weight[i * l.inSize + j]);
            for (let c = 0; c < width; c++) f[c] = f[c].add(v[j][c].mul(w));
          }
          return f;
        });
      } else if (l.type === "relu") {
        v = v.map((z) => {
          const u = pre.length;
          pre.push(z);
          const kept = states[u] === 1 ? z.slice() : z.map(() => ZERO);
          kept[1 + n0 + u] = kept[1 + n0 + u].add(ONE);
          return kept;
        });
      } else if (l.type === "residual") {
        const inner = run(l.layers, v);
        v = v.map((f, i) => f.map((c, k) => c.add(inner[i][k])));
      } else throw new Error(`oracle: ${l.type}`);
    }
    return v;
  };
  const input = Array.from({ length: n0 }, (_, i) => basis(1 + i));
  return { pre, out: run(net.layers, input) };
}

const abs = (q: Q): Q => (q.sign() < 0 ? q.neg() : q);
const max0 = (q: Q): Q => (q.sign() > 0 ? q : ZERO);

/** g_S as (affine f_S, hidden forms a_u, lambda_u) for output 0, all in Q. */
function pieceQ(net: Network, states: number[]): { affine: Form; hidden: Form[]; lambda: Q[] } {
  const n0 = net.inputSize;
  const U = states.length;
  const { pre, out } = freezeQ(net, states);
  const f = out[0];
  const sigma = states.map((s) => (s === 1 ? ONE : ONE.neg()));
  const hidden = pre.map((z, u) => z.slice(0, 1 + n0).map((c) => c.mul(sigma[u]).neg()));
  const lambda: Q[] = new Array(U).fill(ZERO);
  for (let u = U - 1; u >= 0; u--) {
    let acc = max0(f[1 + n0 + u].neg());
    for (let v = u + 1; v < U; v++) acc = acc.add(abs(pre[v][1 + n0 + u]).mul(lambda[v]));
    lambda[u] = acc;
  }
  return { affine: f.slice(0, 1 + n0), hidden, lambda };
}

function evalForm(f: Form, x: Q[]): Q {
  let s = f[0];
  for (let i = 0; i < x.length; i++) s = s.add(f[1 + i].mul(x[i]));
  return s;
}

function evalPiece(p: ReturnType<typeof pieceQ>, x: Q[]): Q {
  let g = evalForm(p.affine, x);
  p.hidden.forEach((a, u) => {
    g = g.sub(p.lambda[u].mul(max0(evalForm(a, x))));
  });
  return g;
}

/** Exact forward pass of dense / relu / residual layers. */
function forwardQ(net: Network, x: Q[]): Q {
  const run = (layers: Layer[], v: Q[]): Q[] => {
    for (const l of layers) {
      if (l.type === "dense") v = Array.from({ length: l.outSize }, (_, i) => v.reduce((a, xj, j) => a.add(xj.mul(Q.of(l.weight[i * l.inSize + j]))), Q.of(l.bias[i])));
      else if (l.type === "relu") v = v.map(max0);
      else if (l.type === "residual") {
        const inner = run(l.layers, v);
        v = v.map((z, i) => z.add(inner[i]));
      }
    }
    return v;
  };
  return run(net.layers, x)[0];
}

function check(net: Network, what: string): void {
  const oracle = exactBoxRegions(net, -1, 1);
  const statesOf = (pattern: string): number[] => pattern.replace(/\|/g, "").split("").map(Number);
  const pieces = oracle.patterns.map((p) => pieceQ(net, statesOf(p)));
  // Exact: g_S <= f everywhere, max_S g_S = f on the box (rational points, inside and outside the regions' corners).
  const rng = createRandom(3);
  for (let i = 0; i < 40; i++) {
    const x = [Q.of(rng.uniform(-1, 1)), Q.of(rng.uniform(-1, 1))];
    const f = forwardQ(net, x);
    let best: Q | null = null;
    for (const p of pieces) {
      const g = evalPiece(p, x);
      assert.ok(g.cmp(f) <= 0, `${what}: g_S <= f`);
      if (best === null || g.cmp(best) > 0) best = g;
    }
    assert.equal((best as Q).cmp(f), 0, `${what}: max g = f exactly at (${x.map((q) => q.toNumber())})`);
  }
  // The float construction agrees with the rational one, piece by piece.
  const compiled = prepare(net);
  const { slice, domain } = boxSlice(-1, 1);
  const rep = shallowRepresentation(compiled, planePartition(compiled, slice, { domain }));
  assert.equal(rep.pieces.length, oracle.regions, `${what}: K`);
  const words = compiled.layout.words;
  rep.pieces.forEach((piece, k) => {
    const key = `|${patternString(compiled.layout, rep.patterns, k * words)}`;
    const index = oracle.patterns.indexOf(key);
    assert.ok(index >= 0, `${what}: pattern ${key} is an exact region`);
    const exact = pieces[index];
    const keptExact = exact.lambda.map((l, u) => (l.sign() > 0 ? u : -1)).filter((u) => u >= 0);
    assert.deepEqual(Array.from(piece.hinge), keptExact, `${what}: hidden units of ${key}`);
    piece.hinge.forEach((u, i) => {
      const l = exact.lambda[u].toNumber();
      assert.ok(Math.abs(piece.lambda[i] - l) <= 1e-12 * Math.max(1, l), `${what}: lambda ${piece.lambda[i]} vs ${l}`);
      exact.hidden[u].forEach((c, j) => {
        assert.ok(Math.abs(piece.hiddenMaps[i * 3 + j] - c.toNumber()) <= 1e-12 * Math.max(1, Math.abs(c.toNumber())));
      });
    });
    exact.affine.forEach((c, j) => {
      assert.ok(Math.abs(piece.affine[j] - c.toNumber()) <= 1e-12 * Math.max(1, Math.abs(c.toNumber())));
    });
  });
}

describe("deep to shallow in exact rational arithmetic", () => {
  it("plain relu networks of depth 2 and 3", () => {
    check(mlp([2, 3, 3, 1], { seed: 5, init: "he" }), "2-3-3-1");
    check(mlp([2, 2, 2, 2, 1], { seed: 6, init: "he" }), "2-2-2-2-1");
  });
  it("a residual relu network", () => {
    check(residualMlp([2, 2, 2, 2, 1], { seed: 7, init: "he" }), "residual 2-2-2-2-1");
  });
});
