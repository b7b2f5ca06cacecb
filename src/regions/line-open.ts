/**
 * The line engine's exact fallback for one decision its float64 bounds left open (line.ts
 * piecewise, maxEvents): the exact line of the unit (or of the difference of two inputs of a max
 * group, or of a unit minus a breakpoint) on the current piece, from the exact maps (line-exact.ts
 * unitLine), kept for the signs asked of it next and for placing the root it gives.
 */
import { rootIsExact, signOpen, uncertainTie, unitLine } from "./line-exact.ts";
import { OPEN as OPEN_SIGN, type Root } from "./line-roots.ts";

// A module-local copy (some loaders, tsx, turn every read of an imported binding into a getter call).
const OPEN = OPEN_SIGN;

export class OpenDecisions {
  /** The exact line of the function whose sign is open (openUnit), and what is known of it: 1 its root is the computed one, 0 not, -1 unknown. */
  readonly fLine: bigint[] = [0n, 0n];
  private fState = -1;

  /** The exact line of unit (minus unit2, minus shift) of step s's input, whose computed line is a + b t (line-exact.ts). */
  openUnit(s: number, unit: number, unit2: number, shift: number, a: number, b: number): number {
    const f = this.fLine;
    this.fState = !unitLine(s, unit, unit2, shift, f) ? -1 : f[1] !== 0n && rootIsExact(f, a, b) ? 1 : 0;
    return this.fState;
  }

  /**
   * The sign of the slope b of unit (minus unit2) of step s's input, computed within eb: from its
   * exact line where b is within eb of 0 (openUnit's line is then that one; 0 when unknown, counted).
   */
  slopeSign(s: number, unit: number, unit2: number, a: number, b: number, eb: number): number {
    if (Math.abs(b) > eb) return Math.sign(b);
    const known = this.openUnit(s, unit, unit2, 0, a, b);
    if (known < 0) return uncertainTie();
    const x1 = this.fLine[1];
    return x1 > 0n ? 1 : x1 < 0n ? -1 : 0;
  }

  /** A sign at root r of the function openUnit took, left OPEN by its bounds: decided from its exact line. */
  decideOpen(r: Root, sign: number): number {
    if (sign !== OPEN) return sign;
    return this.fState < 0 ? uncertainTie() : signOpen(this.fLine, r);
  }
}
