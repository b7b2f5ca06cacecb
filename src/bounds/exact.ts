/**
 * Exact arithmetic for the bounds: BigInt binomials and sums of binomials, powers, and exact
 * rationals (BigInt numerator and denominator). Region bounds pass 2^53 for modest networks
 * (60 units on 10 inputs already give 9.3e10 regions, 2^N for N = 60 is 1.2e18), so every bound is
 * computed in BigInt; float64 only appears in `log10`, for display and charts.
 */

/** C(n, k) exactly; 0 when k < 0 or k > n. */
export function binomial(n: number, k: number): bigint {
  if (!Number.isInteger(n) || !Number.isInteger(k)) throw new Error(`binomial needs integers, got C(${n}, ${k})`);
  if (k < 0 || n < 0 || k > n) return 0n;
  const kk = Math.min(k, n - k);
  let c = 1n;
  // C(n, j) = C(n, j - 1) (n - j + 1) / j stays an integer at every step.
  for (let j = 1; j <= kk; j++) c = (c * BigInt(n - j + 1)) / BigInt(j);
  return c;
}

/**
 * sum_{j=0}^{d} C(n, j) w^j exactly (w = 1 by default): the number of regions of n generic
 * families of w parallel hyperplanes in R^d (Zaslavsky for w = 1). d is clamped to [0, n].
 */
export function binomialSum(n: number, d: number, w: bigint = 1n): bigint {
  if (!Number.isInteger(n) || n < 0) throw new Error(`binomialSum needs a non-negative integer n, got ${n}`);
  const top = Math.min(Math.max(d, -1), n);
  let sum = 0n;
  let c = 1n;
  let wp = 1n;
  for (let j = 0; j <= top; j++) {
    if (j > 0) {
      c = (c * BigInt(n - j + 1)) / BigInt(j);
      wp *= w;
    }
    sum += c * wp;
  }
  return sum;
}

/** The smaller of two BigInts (Math.min takes numbers only). */
export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** base^e for a non-negative integer exponent. */
export function ipow(base: bigint, e: number): bigint {
  if (!Number.isInteger(e) || e < 0) throw new Error(`ipow needs a non-negative integer exponent, got ${e}`);
  return base ** BigInt(e);
}

/** log10 of a positive BigInt, accurate to float64 precision at any size. */
export function log10Big(x: bigint): number {
  if (x <= 0n) return x === 0n ? Number.NEGATIVE_INFINITY : Number.NaN;
  const s = x.toString();
  if (s.length <= 15) return Math.log10(Number(x));
  // Leading 17 digits carry all the float64 precision there is.
  return Math.log10(Number(s.slice(0, 17))) + (s.length - 17);
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** An exact rational num/den, den > 0, in lowest terms. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new Error("Rational: zero denominator");
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }

  static of(x: bigint | number): Rational {
    if (typeof x === "bigint") return new Rational(x);
    return Rational.fromNumber(x);
  }

  /** The exact value of a finite float64 (every float64 is a dyadic rational). */
  static fromNumber(x: number): Rational {
    if (!Number.isFinite(x)) throw new Error(`Rational.fromNumber needs a finite number, got ${x}`);
    if (Number.isInteger(x)) return new Rational(BigInt(x));
    let k = 0;
    let y = x;
    // Doubling is exact in binary floating point; a float64 has at most 1074 fractional bits.
    while (!Number.isInteger(y) && k < 1100) {
      y *= 2;
      k++;
    }
    return new Rational(BigInt(y), 1n << BigInt(k));
  }

  add(o: Rational): Rational {
    return new Rational(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return new Rational(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rational): Rational {
    return new Rational(this.num * o.num, this.den * o.den);
  }
  div(o: Rational): Rational {
    if (o.num === 0n) throw new Error("Rational: division by zero");
    return new Rational(this.num * o.den, this.den * o.num);
  }
  pow(e: number): Rational {
    return new Rational(ipow(this.num, e), ipow(this.den, e));
  }
  /** -1, 0 or 1. */
  compare(o: Rational): number {
    const d = this.num * o.den - o.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  isInteger(): boolean {
    return this.den === 1n;
  }
  sign(): number {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  log10(): number {
    if (this.num <= 0n) return this.num === 0n ? Number.NEGATIVE_INFINITY : Number.NaN;
    return log10Big(this.num) - log10Big(this.den);
  }

  toNumber(): number {
    const l = this.log10();
    if (Math.abs(l) < 300) return Number(this.num) / Number(this.den) || 10 ** l;
    return 10 ** l;
  }

  /**
   * Decimal string: all digits for an integer; otherwise rounded to `digits` significant
   * digits (exact rounding, half away from zero), e.g. "12.3456" or "3.1e-20".
   */
  toDecimal(digits = 12): string {
    if (this.den === 1n) return this.num.toString();
    return this.toPrecision(digits);
  }

  /** Rounded to `digits` significant digits, integers included ("1.2346e25"). */
  toPrecision(digits: number): string {
    const neg = this.num < 0n;
    const a = neg ? -this.num : this.num;
    if (a === 0n) return "0";
    // Scale so that the integer part has exactly `digits` digits.
    const mag = Math.floor(log10Big(a) - log10Big(this.den));
    const shift = digits - 1 - mag;
    const scaledNum = shift >= 0 ? a * 10n ** BigInt(shift) : a;
    const scaledDen = shift >= 0 ? this.den : this.den * 10n ** BigInt(-shift);
    let q = (2n * scaledNum + scaledDen) / (2n * scaledDen);
    let exp = mag;
    if (q.toString().length > digits) {
      q /= 10n;
      exp += 1;
    }
    let s = q.toString().padStart(digits, "0");
    let out: string;
    if (exp >= 0 && exp < digits + 6) {
      out = exp + 1 >= s.length ? s + "0".repeat(exp + 1 - s.length) : `${s.slice(0, exp + 1)}.${s.slice(exp + 1)}`;
    } else if (exp < 0 && exp > -7) {
      out = `0.${"0".repeat(-exp - 1)}${s}`;
    } else {
      s = s.replace(/0+$/, "");
      out = `${s[0]}${s.length > 1 ? `.${s.slice(1)}` : ""}e${exp}`;
    }
    if (out.includes(".") && !out.includes("e")) out = out.replace(/0+$/, "").replace(/\.$/, "");
    return neg ? `-${out}` : out;
  }

  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }
}

/** Short human form of a big value: all digits up to `maxDigits`, else "1.2346e+25". */
export function shortDecimal(r: Rational, maxDigits = 24): string {
  const full = r.toDecimal(8);
  if (!r.isInteger() || full.length <= maxDigits) return full;
  return r.toPrecision(5);
}
