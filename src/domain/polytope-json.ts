/**
 * A polytope A x <= b as JSON, {"A": [[...], ...], "b": [...]} (`count --polytope FILE`, the
 * explorer's polytope field): checked row by row, one DomainError naming what is wrong.
 */
import { DomainError } from "./domain.ts";

/** The rows of `text`, each of `columns` numbers (`what` names them in errors: "the model's 784 inputs"). */
export function polytopeFromJson(text: string, columns: number, what: string): { A: Float64Array; b: Float64Array } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DomainError(`not valid JSON (${(e as Error).message})`);
  }
  const { A, b } = (doc ?? {}) as { A?: unknown; b?: unknown };
  if (!Array.isArray(A) || !Array.isArray(b)) throw new DomainError('expected {"A": [[...], ...], "b": [...]} (A x <= b)');
  if (A.length !== b.length) throw new DomainError(`A has ${A.length} rows, b has ${b.length} numbers`);
  if (A.length === 0) throw new DomainError("no inequalities");
  const flat = new Float64Array(A.length * columns);
  A.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== columns)
      throw new DomainError(`row ${i + 1} of A has ${Array.isArray(row) ? row.length : "no"} numbers, expected ${columns} (${what})`);
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new DomainError(`row ${i + 1} of A: number ${j + 1} is not finite`);
      flat[i * columns + j] = v;
    });
  });
  b.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new DomainError(`number ${i + 1} of b is not finite`);
  });
  return { A: flat, b: Float64Array.from(b as number[]) };
}
