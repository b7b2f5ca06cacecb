/**
 * Twin chains, the line engine's hardest deep networks (test/regions/line-deep-bounds.test.ts and
 * line-attack.test.ts build them here). Zero-bias networks with integer weights whose units p, q,
 * r, s are all x on the half-plane x > 0 (y+ and y- beside them): each layer sets
 * p <- (a+1) p - a q and s <- (b+1) s - b r (a, b in 2..15 drawn from the seed; q and r kept), so p
 * and s stay exactly x while their computed maps take a different rounding at every layer. The
 * last hidden layer compares them: relu(p - s) and relu(s - p) are exactly 0 on every piece.
 */
import type { Layer, Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { denseLayer } from "../invariance/networks.ts";

export const zeros = (n: number): number[] => new Array(n).fill(0);

/** The first layer: p, q, r, s = x, then y and -y (6 units, zero biases). */
export function splitInput(): Layer {
  return denseLayer(
    [
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
      [0, -1],
    ],
    zeros(6),
  );
}

export interface TwinOptions {
  /** The activation of the first layer and of every chain layer (relu by default). */
  act?: () => Layer;
  /** Each chain layer's weights times scale(l), l from 0 (1 by default). */
  scale?: (l: number) => number;
  /** The activation of the comparing layer (act by default). */
  lastAct?: () => Layer;
  /** The comparing units' bias: relu(p - s + bias), relu(s - p + bias) (0 by default). */
  bias?: number;
}

/** The twin chains, `depth` hidden layers (6 units, then 4 comparing), then their sum. */
export function twinChains(depth: number, seed: number, options: TwinOptions = {}): Network {
  const act = options.act ?? ((): Layer => ({ type: "relu" }));
  const scale = options.scale ?? (() => 1);
  const lastAct = options.lastAct ?? act;
  const bias = options.bias ?? 0;
  const rng = createRandom(seed);
  const draw = (): number => 2 + Math.floor(rng.uniform(0, 14));
  const layers: Layer[] = [splitInput(), act()];
  for (let l = 0; l < depth - 2; l++) {
    const a = draw();
    const b = draw();
    const k = scale(l);
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
  const last = [
    [1, 0, 0, -1, 0, 0],
    [-1, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
  ];
  layers.push(denseLayer(last, [bias, bias, 0, 0]), lastAct(), denseLayer([[1, 1, 1, 1]], [0]));
  return { inputSize: 2, layers };
}

/** The relu twin chains without their comparing layers (6 units out: p, q, r, s, y+, y-), to end otherwise. */
export function twinTrunk(depth: number, seed: number): Layer[] {
  return twinChains(depth, seed).layers.slice(0, -3);
}

/** A network and the segment to count it on. */
export interface TwinCase {
  network: Network;
  A: number[];
  B: number[];
}

/** beta in 0.75..1.5 and a segment from x in 0.3-0.7 to x in 1.6-2.5, which crosses it (drawn from `base + seed`). */
function crossingSegment(base: number, seed: number): { beta: number; A: number[]; B: number[] } {
  const rng = createRandom(base + seed);
  const beta = [0.75, 1, 1.25, 1.5][seed % 4];
  const A = [rng.uniform(0.3, 0.7), rng.uniform(-1, 1)];
  const B = [rng.uniform(1.6, 2.5), rng.uniform(-1, 1)];
  return { beta, A, B };
}

/**
 * The twin chains (`depth` layers), then relu(p - beta) and relu(s - beta) (or leaky, abs, hard
 * tanh by seed: the same breakpoint), then their difference: p and s cross beta at the same point,
 * inside the segment, where their computed maps' slopes are garbage (the chains amplify each
 * layer's rounding by up to 16, so at 20-45 layers the slope's bound is within 1 of the slope
 * itself), and the difference is 0 exactly on every piece.
 */
export function twinCrossing(seed: number, depth: number): TwinCase {
  const { beta, A, B } = crossingSegment(1800, seed);
  const acts: Layer[] = [{ type: "relu" }, { type: "leaky-relu", slope: 0.25 }, { type: "abs" }, { type: "hard-tanh", lo: -8, hi: 1e300 }];
  const layers = twinTrunk(depth, seed);
  layers.push(
    denseLayer(
      [
        [1, 0, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 1],
      ],
      [-beta, -beta, 0, 0],
    ),
    acts[seed % 4],
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
  return { network: { inputSize: 2, layers }, A, B };
}

/** The same through max groups: max(p, beta) and max(s, beta) switch at one point, then their difference (0 exactly). */
export function twinMaxCrossing(seed: number, depth: number): TwinCase {
  const { beta, A, B } = crossingSegment(1900, seed);
  const layers = twinTrunk(depth, seed);
  layers.push(
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
  return { network: { inputSize: 2, layers }, A, B };
}
