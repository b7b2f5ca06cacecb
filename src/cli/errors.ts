/**
 * User errors: anything the user can fix (a missing file, bad JSON, a point of the wrong
 * dimension). The CLI prints them as one line, "tessera: <message>", and exits with code 1,
 * never with a stack trace. Internal errors keep their trace (they are bugs).
 */
export class UserError extends Error {
  override name = "UserError";
}

/** A decimal number as people write it: "-1", "0.5", ".5", "2e-3". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A decimal number, or NaN. Unlike Number(), no hexadecimal, octal or binary ("0x10" is not 16),
 * no empty string (not 0), no "Infinity", and nothing that overflows to infinity.
 */
export function parseDecimal(text: string): number {
  const t = text.trim();
  if (!DECIMAL.test(t)) return Number.NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : Number.NaN;
}

/** Parse "1,2,3" into numbers, naming the option on failure. */
export function parseNumbers(text: string, what: string): number[] {
  const parts = text.split(",");
  const values = parts.map(parseDecimal);
  const bad = values.findIndex((v) => Number.isNaN(v));
  if (bad >= 0) {
    const part = parts[bad].trim();
    const why = part === "" ? "an empty entry" : DECIMAL.test(part) ? `"${part}" is too large` : `"${part}" is not a decimal number`;
    throw new UserError(`${what}: expected comma-separated decimal numbers, got "${text}" (${why})`);
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
  const v = parseDecimal(text);
  if (!Number.isInteger(v) || v < min) throw new UserError(`${what}: expected an integer of at least ${min}, got "${text}"`);
  return v;
}
