/**
 * A slice as JSON, {"origin": [...], "basis": [[...], ...], "lo": 0, "hi": 1} (`count
 * --slice-file FILE`, the explorer's slice file): x = origin + sum_c y_c basis_c, y in [lo, hi]^k,
 * lo and hi optional (0 and 1). Checked field by field, one DomainError naming what is wrong, so
 * the command line and the page say the same line about the same file.
 */
import { DomainError } from "./domain.ts";

export interface SliceJson {
  origin: Float64Array;
  basis: Float64Array[];
  lo: number;
  hi: number;
}

/** The slice in `text`, each vector of `inputSize` numbers (the model's inputs). */
export function sliceFromJson(text: string, inputSize: number): SliceJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DomainError(`not valid JSON (${(e as Error).message})`);
  }
  const { origin, basis, lo = 0, hi = 1 } = (doc ?? {}) as { origin?: unknown; basis?: unknown; lo?: unknown; hi?: unknown };
  if (!Array.isArray(origin) || !Array.isArray(basis)) throw new DomainError('expected {"origin": [...], "basis": [[...], ...], "lo": 0, "hi": 1}');
  if (basis.length === 0) throw new DomainError('"basis" has no directions');
  const vector = (v: unknown, name: string): Float64Array => {
    if (!Array.isArray(v) || v.length !== inputSize) throw new DomainError(`${name} has ${Array.isArray(v) ? v.length : "no"} numbers, the model has ${inputSize} inputs`);
    v.forEach((x, i) => {
      if (typeof x !== "number" || !Number.isFinite(x)) throw new DomainError(`${name}[${i + 1}] is not a finite number`);
    });
    return Float64Array.from(v as number[]);
  };
  if (typeof lo !== "number" || typeof hi !== "number" || !Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi))
    throw new DomainError(`"lo" and "hi" must be finite numbers with lo < hi, got ${JSON.stringify(lo)}, ${JSON.stringify(hi)}`);
  return { origin: vector(origin, '"origin"'), basis: basis.map((d, c) => vector(d, `basis direction ${c + 1}`)), lo, hi };
}
