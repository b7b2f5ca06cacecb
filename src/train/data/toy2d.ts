/**
 * The classic 2D classification sets, generated from a seed with Gaussian noise:
 * moons, circles, spirals, xor, blobs and checkerboard. Classes are balanced (row i has class
 * i mod classes before shuffling, and rows are shuffled so any prefix is balanced too).
 */
import { createRandom, type Random } from "../../model/random.ts";
import { classificationSet, type Dataset } from "./dataset.ts";

export const TOY_2D = ["moons", "circles", "spirals", "xor", "blobs", "checkerboard"] as const;
export type Toy2d = (typeof TOY_2D)[number];

export interface Toy2dOptions {
  count?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise?: number;
  seed?: number;
  /** Number of classes for spirals and blobs (others have 2). */
  classes?: number;
  /** Turns of each spiral arm (default 1.5): more turns, a more intricate boundary. */
  turns?: number;
  /** Squares per side of the checkerboard on [-1, 1]^2 (default 4). */
  cells?: number;
}

/** Default noise per set, chosen so the classes overlap a little. */
const DEFAULT_NOISE: Record<Toy2d, number> = {
  moons: 0.1,
  circles: 0.05,
  spirals: 0.05,
  xor: 0.05,
  blobs: 0.3,
  checkerboard: 0.02,
};

export function toy2d(kind: Toy2d, options: Toy2dOptions = {}): Dataset {
  const count = options.count ?? 1000;
  const noise = options.noise ?? DEFAULT_NOISE[kind];
  const rng = createRandom(options.seed ?? 0);
  const classes = kind === "spirals" || kind === "blobs" ? (options.classes ?? (kind === "blobs" ? 3 : 2)) : 2;
  if (!Number.isInteger(count) || count < 1) throw new Error(`${kind}: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`${kind}: classes must be an integer of at least 2, got ${classes}`);
  if (!(noise >= 0)) throw new Error(`${kind}: noise must be non-negative, got ${noise}`);
  const turns = options.turns ?? 1.5;
  const cells = options.cells ?? 4;
  if (!(turns > 0 && turns <= 100)) throw new Error(`${kind}: turns must be in (0, 100], got ${turns}`);
  if (!Number.isInteger(cells) || cells < 1 || cells > 1000) throw new Error(`${kind}: cells must be an integer from 1 to 1000, got ${cells}`);
  const x = new Float64Array(2 * count);
  const labels = new Int32Array(count);
  const order = permutation(count, rng);
  const blobCentres = kind === "blobs" ? centres(classes, rng) : null;
  for (let r = 0; r < count; r++) {
    const i = order[r];
    const c = i % classes;
    const [px, py] = point(kind, c, classes, rng, blobCentres, turns, cells);
    x[2 * r] = px + noise * rng.normal();
    x[2 * r + 1] = py + noise * rng.normal();
    labels[r] = c;
  }
  return classificationSet(kind, x, 2, labels, classes);
}

function point(kind: Toy2d, c: number, classes: number, rng: Random, blobCentres: Float64Array | null, turns: number, cells: number): [number, number] {
  switch (kind) {
    case "moons": {
      // Two interleaved half circles (as scikit-learn's make_moons).
      const t = Math.PI * rng.next();
      return c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    }
    case "circles": {
      const t = 2 * Math.PI * rng.next();
      const r = c === 0 ? 1 : 0.5;
      return [r * Math.cos(t), r * Math.sin(t)];
    }
    case "spirals": {
      // Arms of an Archimedean spiral (1.5 turns by default), one arm per class.
      const s = rng.next();
      const t = turns * 2 * Math.PI * Math.sqrt(s) + (2 * Math.PI * c) / classes;
      const r = Math.sqrt(s);
      return [r * Math.cos(t), r * Math.sin(t)];
    }
    case "xor": {
      // Class 0 in quadrants 1 and 3, class 1 in 2 and 4.
      const q = rng.int(2);
      const sx = q === 0 ? 1 : -1;
      const sy = c === 0 ? sx : -sx;
      return [sx * rng.uniform(0.05, 1), sy * rng.uniform(0.05, 1)];
    }
    case "blobs": {
      const centre = blobCentres as Float64Array;
      return [centre[2 * c], centre[2 * c + 1]];
    }
    case "checkerboard": {
      // cells x cells board on [-1, 1]^2 (4 x 4 by default); the class is the colour of the square.
      for (;;) {
        const px = rng.uniform(-1, 1);
        const py = rng.uniform(-1, 1);
        const colour = (Math.floor(((px + 1) * cells) / 2) + Math.floor(((py + 1) * cells) / 2)) % 2;
        if (colour === c) return [px, py];
      }
    }
  }
}

function centres(classes: number, rng: Random): Float64Array {
  const out = new Float64Array(2 * classes);
  for (let c = 0; c < classes; c++) {
    const t = (2 * Math.PI * c) / classes + rng.uniform(-0.3, 0.3);
    out[2 * c] = 1.5 * Math.cos(t);
    out[2 * c + 1] = 1.5 * Math.sin(t);
  }
  return out;
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, rng: Random): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
