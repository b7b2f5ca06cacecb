/**
 * The explorer's settings and their URL form. Everything that decides what the page shows lives
 * here, so a URL reproduces a view exactly: the trainer is deterministic for a seed, so
 * `epoch=40` rebuilds the same weights on any machine, and the region map follows from them.
 *
 * The URL keeps settings in the fragment (`#data=moons&hidden=16,16,16&...`): nothing is sent to
 * the server, and values equal to the defaults are left out so shared links stay short.
 * Pure (no DOM), so it is tested in Node.
 */
import { INITS, type Init } from "../model/build/mlp.ts";
import { TOY_2D, type Toy2d } from "../train/data/toy2d.ts";
import { OPTIMIZERS, type OptimizerName } from "../train/optimizer.ts";

export const ACTIVATIONS = ["relu", "leaky-relu", "abs", "hard-tanh", "maxout"] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** How a plane is laid through a model with more than two inputs. */
export type PlaneChoice =
  /** Through data points i, j, k: P_i + s (P_j - P_i) + t (P_k - P_i), s, t in [0, 1]. */
  | { kind: "points"; indices: [number, number, number] }
  /** Through the origin (or the data mean) along two random orthonormal directions, [-r, r]^2. */
  | { kind: "random"; seed: number; radius: number };

export interface Settings {
  data: Toy2d;
  count: number;
  /** Gaussian noise of the data set; null: the set's default. */
  noise: number | null;
  hidden: number[];
  activation: ActivationName;
  init: Init;
  seed: number;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  /** Epochs to train before showing (a shared link's state); training on updates it. */
  epoch: number;
  /** The square [lo, hi]^2 shown for a 2-input model; null: from the data's bounding box. */
  view: [number, number] | null;
  boundary: boolean;
  edges: boolean;
  points: boolean;
  /** A segment in plane coordinates (u1, v1, u2, v2), or null. */
  segment: [number, number, number, number] | null;
  plane: PlaneChoice;
}

export const DEFAULTS: Readonly<Settings> = Object.freeze({
  data: "moons",
  count: 400,
  noise: null,
  hidden: [16, 16, 16],
  activation: "relu",
  init: "he",
  seed: 1,
  optimizer: "adam",
  learningRate: 0.01,
  batchSize: 32,
  epoch: 0,
  view: null,
  boundary: true,
  edges: true,
  points: true,
  segment: null,
  plane: { kind: "random", seed: 1, radius: 1 },
} as Settings);

/** Limits that keep the page responsive (and a hostile link harmless). */
export const LIMITS = {
  count: 5000,
  width: 256,
  depth: 8,
  epoch: 5000,
  batch: 4096,
};

export class SettingsError extends Error {
  override name = "SettingsError";
}

const num = (text: string, what: string): number => {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v)) throw new SettingsError(`${what}: expected a number, got "${text}"`);
  return v;
};

const int = (text: string, what: string, min: number, max: number): number => {
  const v = num(text, what);
  if (!Number.isInteger(v) || v < min || v > max) throw new SettingsError(`${what}: expected an integer from ${min} to ${max}, got "${text}"`);
  return v;
};

const oneOf = <T extends string>(text: string, options: readonly T[], what: string): T => {
  if (!(options as readonly string[]).includes(text)) throw new SettingsError(`${what}: expected one of ${options.join(", ")}, got "${text}"`);
  return text as T;
};

const numbers = (text: string, count: number, what: string): number[] => {
  const parts = text.split(",");
  if (parts.length !== count) throw new SettingsError(`${what}: expected ${count} comma-separated numbers, got "${text}"`);
  return parts.map((p) => num(p, what));
};

/** Parse hidden widths "16,16,16" (an empty string is no hidden layer: a linear model). */
export function parseHidden(text: string): number[] {
  if (text.trim() === "") return [];
  const widths = text.split(",").map((p) => int(p.trim(), "hidden widths", 1, LIMITS.width));
  if (widths.length > LIMITS.depth) throw new SettingsError(`hidden widths: at most ${LIMITS.depth} layers, got ${widths.length}`);
  return widths;
}

function parsePlane(text: string): PlaneChoice {
  const [kind, rest = ""] = text.split(":");
  if (kind === "points") {
    const idx = rest.split(",").map((p) => int(p, "plane points", 0, 1e6));
    if (idx.length !== 3) throw new SettingsError(`plane: expected points:I,J,K, got "${text}"`);
    if (new Set(idx).size !== 3) throw new SettingsError(`plane: the three data points must differ, got "${text}"`);
    return { kind: "points", indices: [idx[0], idx[1], idx[2]] };
  }
  if (kind === "random") {
    const [seed, radius = "1"] = rest.split(",");
    const r = num(radius, "plane radius");
    if (!(r > 0)) throw new SettingsError(`plane radius must be positive, got ${radius}`);
    return {
      kind: "random",
      seed: int(seed || "1", "plane seed", 0, 2 ** 31),
      radius: r,
    };
  }
  throw new SettingsError(`plane: expected points:I,J,K or random:SEED,RADIUS, got "${text}"`);
}

function planeText(p: PlaneChoice): string {
  return p.kind === "points" ? `points:${p.indices.join(",")}` : `random:${p.seed},${p.radius}`;
}

const flag = (text: string): boolean => text !== "0" && text !== "false";

/** Settings from a URL fragment or query string ("#a=1&b=2"); unknown keys are ignored. */
export function parseSettings(fragment: string): Settings {
  const params = new URLSearchParams(fragment.replace(/^[#?]/, ""));
  const s: Settings = structuredClone(DEFAULTS) as Settings;
  /** Run `apply` on the value of `key` when the URL has it. */
  const when = (key: string, apply: (v: string) => void): void => {
    const v = params.get(key);
    if (v !== null) apply(v);
  };
  when("data", (v) => {
    s.data = oneOf(v, TOY_2D, "data");
  });
  when("n", (v) => {
    s.count = int(v, "n (data points)", 10, LIMITS.count);
  });
  when("noise", (v) => {
    s.noise = num(v, "noise");
    if (s.noise < 0 || s.noise > 10) throw new SettingsError(`noise: expected 0 to 10, got "${v}"`);
  });
  when("hidden", (v) => {
    s.hidden = parseHidden(v);
  });
  when("act", (v) => {
    s.activation = oneOf(v, ACTIVATIONS, "act");
  });
  when("init", (v) => {
    s.init = oneOf(v, INITS, "init");
  });
  when("seed", (v) => {
    s.seed = int(v, "seed", 0, 2 ** 31);
  });
  when("opt", (v) => {
    s.optimizer = oneOf(v, OPTIMIZERS, "opt");
  });
  when("lr", (v) => {
    s.learningRate = num(v, "lr");
    if (!(s.learningRate > 0 && s.learningRate <= 10)) throw new SettingsError(`lr: expected a learning rate in (0, 10], got "${v}"`);
  });
  when("batch", (v) => {
    s.batchSize = int(v, "batch", 1, LIMITS.batch);
  });
  when("epoch", (v) => {
    s.epoch = int(v, "epoch", 0, LIMITS.epoch);
  });
  when("view", (v) => {
    const [lo, hi] = numbers(v, 2, "view");
    if (!(lo < hi)) throw new SettingsError(`view: LO must be less than HI, got "${v}"`);
    s.view = [lo, hi];
  });
  when("boundary", (v) => {
    s.boundary = flag(v);
  });
  when("edges", (v) => {
    s.edges = flag(v);
  });
  when("points", (v) => {
    s.points = flag(v);
  });
  when("seg", (v) => {
    const [a, b, c, d] = numbers(v, 4, "seg");
    if (a === c && b === d) throw new SettingsError("seg: the two ends are the same point");
    s.segment = [a, b, c, d];
  });
  when("plane", (v) => {
    s.plane = parsePlane(v);
  });
  return s;
}

/** Short decimal form of a coordinate for URLs (6 significant digits is far below a pixel). */
const short = (x: number): string => String(Number(x.toPrecision(6)));

/** The URL fragment of settings (without "#"): only the values that differ from the defaults. */
export function settingsFragment(s: Settings): string {
  const d = DEFAULTS;
  const params = new URLSearchParams();
  if (s.data !== d.data) params.set("data", s.data);
  if (s.count !== d.count) params.set("n", String(s.count));
  if (s.noise !== null) params.set("noise", String(s.noise));
  if (s.hidden.join(",") !== d.hidden.join(",")) params.set("hidden", s.hidden.join(","));
  if (s.activation !== d.activation) params.set("act", s.activation);
  if (s.init !== d.init) params.set("init", s.init);
  if (s.seed !== d.seed) params.set("seed", String(s.seed));
  if (s.optimizer !== d.optimizer) params.set("opt", s.optimizer);
  if (s.learningRate !== d.learningRate) params.set("lr", String(s.learningRate));
  if (s.batchSize !== d.batchSize) params.set("batch", String(s.batchSize));
  if (s.epoch !== d.epoch) params.set("epoch", String(s.epoch));
  if (s.view) params.set("view", s.view.map(short).join(","));
  if (s.boundary !== d.boundary) params.set("boundary", s.boundary ? "1" : "0");
  if (s.edges !== d.edges) params.set("edges", s.edges ? "1" : "0");
  if (s.points !== d.points) params.set("points", s.points ? "1" : "0");
  if (s.segment) params.set("seg", s.segment.map(short).join(","));
  if (planeText(s.plane) !== planeText(d.plane)) params.set("plane", planeText(s.plane));
  // URLSearchParams escapes commas and colons; they are safe in a fragment and easier to read.
  return params.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
}

/** Whether two settings build the same network and data (so training state can be kept). */
export function sameModel(a: Settings, b: Settings): boolean {
  const key = (s: Settings): string => JSON.stringify([s.data, s.count, s.noise, s.hidden, s.activation, s.init, s.seed, s.optimizer, s.learningRate, s.batchSize]);
  return key(a) === key(b);
}

/**
 * The stem of exported file names (map PNG and SVG, model, partition), one for all of them: a
 * network built here is named by its data set and epoch, a loaded model by its file name.
 */
export function exportStem(mode: "built" | "loaded", modelName: string, data: string, epoch: number): string {
  return mode === "built" ? `tessera-${data}-epoch${epoch}` : modelName.replace(/\.[^.]+$/, "");
}
