import { grown } from "../../geometry/grown.ts";

/** A piecewise step's piece lists (current and next, swapped after each hyperplane) and states. */
export class PieceLists {
  cur = new Int32Array(64);
  next = new Int32Array(64);
  states: Uint8Array;
  /** Max steps: the next list's states (the current list's are `states`). */
  nextStates: Uint8Array;
  /** One piece's states, for the map and the pattern (in the space kernel's memory where it applies them). */
  full: Uint8Array;
  /** Per breakpoint hyperplane: its side of the parent's box (space/box-sides.ts). */
  sides = new Int8Array(64);
  /** Per polytope of the step's arena: 1 when inside the envelope of the polytope the step cuts (`insideEnvelope`: its box and error bound with a margin). */
  contained = new Uint8Array(64);

  /**
   * Elementwise steps: the units whose state may differ between the pieces (ascending), the first
   * `varyingCount`: those tested piece by piece. Every other unit's state is the cut polytope's in
   * every piece (decided on its envelope, every piece inside), so the walk compares only these
   * when it moves from one piece's map and pattern to the next.
   */
  varying: Int32Array;
  varyingCount = 0;
  /** Elementwise steps, scratch: the units with a breakpoint hyperplane the envelope leaves undecided. */
  undecided: Int32Array;

  constructor(readonly units: number) {
    this.varying = new Int32Array(units);
    this.undecided = new Int32Array(units);
    this.states = new Uint8Array(64 * units);
    this.nextStates = new Uint8Array(0);
    this.full = new Uint8Array(units);
  }

  reserveNext(count: number): void {
    if (count <= this.next.length) return;
    const next = new Int32Array(2 * count);
    next.set(this.next);
    this.next = next;
    const cur = new Int32Array(2 * count);
    cur.set(this.cur);
    this.cur = cur;
  }

  reserveStates(length: number): void {
    if (length <= this.states.length) return;
    const states = new Uint8Array(2 * length);
    states.set(this.states);
    this.states = states;
  }

  reserveSides(length: number): Int8Array {
    if (length > this.sides.length) this.sides = new Int8Array(2 * length);
    return this.sides;
  }

  reserveContained(length: number): void {
    if (length > this.contained.length) this.contained = grown(this.contained, 2 * length);
  }

  reserveNextStates(length: number): void {
    if (length <= this.nextStates.length) return;
    const next = new Uint8Array(2 * length);
    next.set(this.nextStates);
    this.nextStates = next;
  }

  swap(): void {
    const t = this.cur;
    this.cur = this.next;
    this.next = t;
  }

  swapStates(): void {
    const t = this.states;
    this.states = this.nextStates;
    this.nextStates = t;
  }
}
