/**
 * Conditions shared by the bounds, each returning null when it holds or one sentence naming what
 * fails, so every bound states its own conditions in one line.
 */
import { type Architecture, widthsOf } from "./architecture.ts";

type Check = (arch: Architecture) => string | null;

/** The first failing condition, or null. */
export function firstFailure(arch: Architecture, ...checks: Check[]): string | null {
  for (const check of checks) {
    const reason = check(arch);
    if (reason) return reason;
  }
  return null;
}

export const feedForward: Check = (arch) => (arch.feedForward ? null : (arch.note ?? "not a plain feed-forward network"));

export const allRelu: Check = (arch) => {
  const bad = arch.layers.find((l) => l.family !== "relu");
  return bad ? `needs relu units in every layer; ${bad.label} has ${describeUnits(bad.family, bad.pieces)}` : null;
};

/** Two linear pieces per unit (relu, leaky-relu, abs): one hyperplane per unit. */
export const twoPieces: Check = (arch) => {
  const bad = arch.layers.find((l) => l.family === "maxout" || l.pieces !== 2);
  return bad ? `needs units with 2 linear pieces (relu, leaky-relu, abs); ${bad.label} has ${describeUnits(bad.family, bad.pieces)}` : null;
};

export const scalarUnits: Check = (arch) => {
  const bad = arch.layers.find((l) => l.family === "maxout");
  return bad ? `needs scalar piecewise-linear units; ${bad.label} is maxout` : null;
};

export const allMaxout: Check = (arch) => {
  const bad = arch.layers.find((l) => l.family !== "maxout");
  if (bad) return `needs maxout units in every layer; ${bad.label} has ${describeUnits(bad.family, bad.pieces)}`;
  const k = arch.layers[0].pieces;
  const other = arch.layers.find((l) => l.pieces !== k);
  return other ? `needs the same maxout rank in every layer; ranks ${k} and ${other.pieces} differ` : null;
};

export const oneLayer: Check = (arch) => (arch.layers.length === 1 ? null : `needs exactly one hidden layer, the network has ${arch.layers.length}`);

export function widthsAtLeast(factor: number): Check {
  return (arch) => {
    const need = factor * arch.n0;
    const widths = widthsOf(arch);
    const l = widths.findIndex((w) => w < need);
    return l < 0 ? null : `needs every hidden width n_l >= ${factor === 1 ? "" : `${factor} * `}n0 = ${need}; layer ${l + 1} has ${widths[l]}`;
  };
}

export const ranksKnown: Check = (arch) => {
  const l = arch.layers.findIndex((x) => x.rank === null);
  return l < 0 ? null : `needs the rank of every layer's weight matrix (a model's weights); unknown for layer ${l + 1}`;
};

function describeUnits(family: string, pieces: number): string {
  if (family === "relu") return "relu units";
  if (family === "maxout") return `rank-${pieces} maxout units`;
  return `units with ${pieces} linear pieces`;
}
