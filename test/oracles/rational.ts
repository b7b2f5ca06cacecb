/**
 * Exact rationals over BigInt, for test oracles only (slow, simple, obviously correct).
 * Every float64 converts exactly (it is a dyadic rational).
 */
export class Q {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d = 1n) {
    if (d === 0n) throw new Error("division by zero");
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    this.n = g > 1n ? n / g : n;
    this.d = g > 1n ? d / g : d;
  }
  static of(x: number): Q {
    if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
    if (x === 0) return ZERO;
    let d = 1n;
    let m = x;
    while (!Number.isInteger(m)) {
      m *= 2;
      d *= 2n;
    }
    return new Q(BigInt(m), d);
  }
  add(o: Q): Q {
    return new Q(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  sub(o: Q): Q {
    return new Q(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  mul(o: Q): Q {
    return new Q(this.n * o.n, this.d * o.d);
  }
  div(o: Q): Q {
    return new Q(this.n * o.d, this.d * o.n);
  }
  neg(): Q {
    return new Q(-this.n, this.d);
  }
  sign(): number {
    return this.n > 0n ? 1 : this.n < 0n ? -1 : 0;
  }
  cmp(o: Q): number {
    return this.sub(o).sign();
  }
  toNumber(): number {
    return Number(this.n) / Number(this.d);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export const ZERO = new Q(0n);
export const ONE = new Q(1n);
