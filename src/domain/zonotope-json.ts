/**
 * A zonotope or a turned frame as JSON (`count --zonotope FILE`, `count --frame FILE`):
 *
 *   {"center": [n0 numbers], "generators": [[n0 numbers], ...]}
 *       center + sum_c t_c g_c, t in [-1, 1]^m (any m >= 1)
 *   {"rotation": [[n0 numbers] x n], "lo": -1, "hi": 1, "center": [n0 numbers]}
 *       the frame {x : lo <= R (x - center) <= hi}, taken as center + R^T t, t in [lo, hi]^n
 *       (lo, hi default -1, 1; center defaults to the origin)
 *
 * The frame is the image of the cube, which equals the rows' frame when R is orthogonal; its
 * rows must be orthonormal to 1e-6 (a file of rounded decimals passes), or the file is refused:
 * a matrix that is not a rotation gives a different polytope, which --polytope takes as rows.
 * Checked field by field, one DomainError naming what is wrong.
 */
import { DomainError } from "./domain.ts";

export interface ZonotopeJson {
  origin: Float64Array;
  basis: Float64Array[];
  lo: number;
  hi: number;
}

/** Largest |R R^T - I| entry a frame's rotation may have. */
const ORTHONORMAL_TOLERANCE = 1e-6;

function parse(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DomainError(`not valid JSON (${(e as Error).message})`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new DomainError("expected a JSON object");
  return doc as Record<string, unknown>;
}

function vectorOf(v: unknown, name: string, inputSize: number): Float64Array {
  if (!Array.isArray(v) || v.length !== inputSize) throw new DomainError(`${name} has ${Array.isArray(v) ? v.length : "no"} numbers, the model has ${inputSize} inputs`);
  const out = new Float64Array(inputSize);
  v.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new DomainError(`${name}[${i + 1}] is not a finite number`);
    out[i] = x;
  });
  return out;
}

function rowsOf(v: unknown, key: string, item: string, inputSize: number): Float64Array[] {
  if (!Array.isArray(v) || v.length === 0) throw new DomainError(`"${key}" must be a non-empty array of ${item}s`);
  return v.map((row, i) => vectorOf(row, `${item} ${i + 1}`, inputSize));
}

/** The zonotope {"center", "generators"} in `text`, as a slice of range [-1, 1]. */
export function zonotopeFromJson(text: string, inputSize: number): ZonotopeJson {
  const doc = parse(text);
  if (!("generators" in doc)) throw new DomainError('expected {"center": [...], "generators": [[...], ...]}');
  const origin = doc.center === undefined ? new Float64Array(inputSize) : vectorOf(doc.center, '"center"', inputSize);
  return { origin, basis: rowsOf(doc.generators, "generators", "generator", inputSize), lo: -1, hi: 1 };
}

/** The turned frame {"rotation", "lo", "hi", "center"} in `text`, as the slice center + R^T t, t in [lo, hi]^n. */
export function frameFromJson(text: string, inputSize: number): ZonotopeJson {
  const doc = parse(text);
  if (!("rotation" in doc)) throw new DomainError('expected {"rotation": [[...], ...], "lo": -1, "hi": 1}');
  const rows = rowsOf(doc.rotation, "rotation", "rotation row", inputSize);
  const { lo = -1, hi = 1 } = doc;
  if (typeof lo !== "number" || typeof hi !== "number" || !Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi))
    throw new DomainError(`"lo" and "hi" must be finite numbers with lo < hi, got ${JSON.stringify(lo)}, ${JSON.stringify(hi)}`);
  if (rows.length > inputSize) throw new DomainError(`"rotation" has ${rows.length} rows, more than the model's ${inputSize} inputs: they cannot be orthonormal`);
  const bad = notOrthonormal(rows);
  if (bad)
    throw new DomainError(
      `the rotation's rows are not orthonormal: row ${bad.i + 1} . row ${bad.j + 1} = ${bad.dot} (give a general matrix as --zonotope generators or as --polytope rows)`,
    );
  const origin = doc.center === undefined ? new Float64Array(inputSize) : vectorOf(doc.center, '"center"', inputSize);
  return { origin, basis: rows, lo, hi };
}

/** The first pair of rows whose dot product is off the identity's by more than the tolerance. */
function notOrthonormal(rows: readonly Float64Array[]): { i: number; j: number; dot: number } | null {
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i];
    for (let j = i; j < rows.length; j++) {
      const b = rows[j];
      let dot = 0;
      for (let d = 0; d < a.length; d++) dot += a[d] * b[d];
      if (!(Math.abs(dot - (i === j ? 1 : 0)) <= ORTHONORMAL_TOLERANCE)) return { i, j, dot };
    }
  }
  return null;
}
