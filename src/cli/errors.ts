/**
 * User errors: anything the user can fix (a missing file, bad JSON, a point of the wrong
 * dimension). The CLI prints them as one line, "tessera: <message>", and exits with code 1,
 * never with a stack trace. Internal errors keep their trace (they are bugs).
 */
export class UserError extends Error {
  override name = "UserError";
}

/** Parse "1,2,3" into numbers, naming the option on failure. */
export function parseNumbers(text: string, what: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === "") || values.some((v) => !Number.isFinite(v))) {
    throw new UserError(`${what}: expected comma-separated numbers, got "${text}"`);
  }
  return values;
}

/** Parse "A;B;C" into points of dimension `dim`. */
export function parsePoints(text: string, count: number | null, dim: number, what: string): Float64Array[] {
  const points = text.split(";").map((p) => parseNumbers(p, what));
  if (count !== null && points.length !== count) throw new UserError(`${what}: expected ${count} points separated by ";", got ${points.length}`);
  points.forEach((p, i) => {
    if (p.length !== dim) throw new UserError(`${what}: point ${i + 1} has ${p.length} coordinates, the model has ${dim} inputs`);
  });
  return points.map((p) => Float64Array.from(p));
}

export function parseInteger(text: string, what: string, min = 0): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new UserError(`${what}: expected an integer of at least ${min}, got "${text}"`);
  return v;
}
