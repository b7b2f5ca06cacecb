/**
 * Propagated maps (counting only; docs/numerics.md, "Propagated map"): where a piecewise step's
 * input changed by one known direction since the previous piece, the map after its fused dense
 * step is the previous one plus that direction through the step (one channel of multiply-adds, in
 * the line kernel), with a bound that grows along the chain; the line engine (line.ts stateMap)
 * makes the full product where it may not or where the bound grew too far.
 */
import type { AffineStep, PiecewiseStep, Step } from "../model/steps.ts";
import { unitCount } from "../model/steps.ts";
import type { CarriedBounds } from "./line-carry.ts";
import type { LineKernel, StepBuffers } from "./line-kernel.ts";
import { EPS as UNIT_ROUNDOFF } from "./map-error.ts";

// A module-local copy (some loaders, tsx, turn every read of an imported binding into a getter call).
const EPS = UNIT_ROUNDOFF;

/** How far a chained bound may grow past the last full product's before the map is a full product again. */
const REFRESH = 16;

export class PropagatedMaps {
  /**
   * Propagated maps (counting only; docs/numerics.md, "Propagated map"). Per piecewise step s:
   * whether its map may be propagated; the byte offset in the kernel's memory of the direction u
   * its input last changed in (-1: none known, the next map is a full product) with d0, d1 and
   * the bounds r0, r1 of that change's rounding (direction[4 s ..]: the input changed by u (d0, d1)
   * + r, |r| <= (r0, r1) per entry); whether its map's bound is a chained one (no per-unit bounds
   * then); and the bound of its last full product (a chained bound beyond REFRESH times it makes
   * the next map a full product again).
   */
  readonly propagates: boolean[];
  readonly inputDirection: Int32Array;
  readonly direction: Float64Array;
  readonly chained: Uint8Array;
  readonly freshErr: Float64Array;
  /** Maps propagated (tests, benchmarks). */
  propagatedMaps = 0;
  private readonly localErr: Float64Array;

  /** `counting`: a sink takes the patterns (line.ts PatternSink): nothing but them is reported. */
  constructor(
    private readonly steps: Step[],
    private readonly fused: (AffineStep | null)[],
    private readonly norms: number[],
    private readonly kernel: LineKernel,
    private readonly bounds: CarriedBounds,
    private readonly counting: boolean,
  ) {
    const count = steps.length;
    this.localErr = bounds.localErr;
    this.propagates = steps.map((_, s) => this.mayPropagate(s));
    this.inputDirection = new Int32Array(count).fill(-1);
    this.direction = new Float64Array(4 * count);
    this.chained = new Uint8Array(count);
    this.freshErr = new Float64Array(2 * count);
  }

  /**
   * Whether piecewise step s's map (after its fused dense step) may be propagated when counting
   * (see line.ts stateMap): a sink takes the patterns (no map or breakpoint is reported, so the maps'
   * last bits may differ from the partition's), the kernel in WebAssembly, step s a relu fused
   * with its dense step, its input the map of the piecewise step two before (fused too, so a
   * crossing there changes it by a rank-one term), and the step its map goes to a unit with one
   * breakpoint at 0 (decided by the midpoint test and signAt alone, where the fallback is).
   */
  private mayPropagate(s: number): boolean {
    const dense = this.fused[s];
    const before = this.steps[s - 2];
    const after = this.steps[s + 2];
    return (
      this.counting &&
      dense !== null &&
      s >= 2 &&
      before !== undefined &&
      before.kind === "elementwise" &&
      this.fused[s - 2] !== null &&
      after !== undefined &&
      after.kind === "elementwise" &&
      after.breakpoints.length === 1 &&
      after.breakpoints[0] === 0 &&
      this.kernel.canPropagate(s, dense)
    );
  }

  /**
   * Step s's map propagated instead of made by the full product (counting only): true when done.
   *
   * The input z changed from the previous piece's z' by u (d0, d1) + r (inputDirection, direction:
   * a crossing's rank-one update, u a column of the dense step before, or a propagated map before,
   * u its v), |r| <= (r0, r1). Where the states D are the previous piece's (prop2 compares them),
   * the map's target W D z + b is the previous map's target plus W D u (d0, d1) + W D r, so
   *   map = map' + v (d0, d1),  v = fl(W D u)   (one channel: half the multiply-adds)
   * and, per channel c, with E' the previous map's bound (|map' - (W D z' + b)| <= E'), n the
   * dense step's inputs and ||W|| its largest row sum of |W| (D is 0 or 1):
   *   |v - W D u| <= (n + 2) eps ||W|| max |u_k| (k active)   (the sum's rounding, as the full product's)
   *   |W D r_c| <= ||W|| r_c
   *   |fl(map' + fl(v d_c)) - (map' + v d_c)| <= 4 eps (max |map_c| + max |v| |d_c|)   (as rank2)
   *   E_c = E'_c + (n + 2) eps ||W|| max |u| |d_c| + ||W|| r_c + 4 eps (max |map_c| + max |v| |d_c|),
   * enlarged by 16 eps for its own rounding. The next step's input then changed by v (d0, d1) + r'
   * with r' the last term. The bound grows along a chain: past REFRESH times the last full
   * product's, the full product again. Every decision made from the map is certified by E (the
   * midpoint test and signAt); one it leaves open falls back to the full product (refresh).
   */
  propagated(s: number, step: PiecewiseStep, dense: AffineStep, zErr: Float64Array, err: Float64Array, buffers: (StepBuffers | undefined)[]): boolean {
    const c = 4 * s;
    const dir = this.direction;
    const d0 = dir[c];
    const d1 = dir[c + 1];
    if (!this.kernel.propagate(s, this.inputDirection[s], unitCount(step), dense, d0, d1)) return false;
    const b = buffers[s] as StepBuffers;
    const uMax = b.stats[0];
    const vMax = b.stats[1];
    const norm = this.norms[s];
    const gamma = (dense.inSize + 2) * EPS;
    const grow = 1 + 16 * EPS;
    const next0 = 4 * EPS * (b.big[0] + vMax * Math.abs(d0));
    const next1 = 4 * EPS * (b.big[1] + vMax * Math.abs(d1));
    // E' is the previous map's local bound (relative to its computed input); the carried part is added after.
    const local = this.localErr;
    const e0 = (local[2 * s] + norm * gamma * uMax * Math.abs(d0) + norm * dir[c + 2] + next0) * grow;
    const e1 = (local[2 * s + 1] + norm * gamma * uMax * Math.abs(d1) + norm * dir[c + 3] + next1) * grow;
    // Not finite (a value out of range: the full product's checks say which), or grown too far:
    // the full product writes every value of the map again.
    if (!(e0 <= REFRESH * this.freshErr[2 * s] && e1 <= REFRESH * this.freshErr[2 * s + 1])) return false;
    local[2 * s] = e0;
    local[2 * s + 1] = e1;
    this.bounds.carry(s, step, (buffers[s] as StepBuffers).states, zErr);
    this.bounds.globalErr(s, err);
    this.chained[s] = 1;
    this.propagatedMaps++;
    const n = s + 2;
    if (this.propagates[n]) {
      this.inputDirection[n] = this.kernel.directionAt(s);
      dir[4 * n] = d0;
      dir[4 * n + 1] = d1;
      dir[4 * n + 2] = next0;
      dir[4 * n + 3] = next1;
    }
    return true;
  }
}
