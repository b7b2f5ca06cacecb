/**
 * Whether a region of this round numbered below the current one borders an unknown neighbour by
 * one last-step unit (processor.ts 3c', 3c''): that region proposes the neighbour, so the current
 * one lists its facet as deferred, and ranges of a round on different threads seldom propose or
 * solve one region twice.
 */
import { getState, type PatternLayout, setState } from "../../model/pattern.ts";
import type { PatternTable } from "./pattern-table.ts";

/**
 * Is the pattern, with one unit of the last step (`step`) other than `skip` flipped, a region of
 * this round numbered below i (in `table`, from roundFirst)? (Such a region has that unit's row as
 * a one-row facet candidate: two units on one hyperplane share their state in every region.)
 * `probe` is scratch of the pattern's size.
 */
export function earlierNeighbour(
  layout: PatternLayout,
  step: number,
  probe: Uint32Array,
  table: PatternTable,
  pattern: Uint32Array,
  roundFirst: number,
  i: number,
  skip: number,
): boolean {
  const units = layout.stepUnits[step];
  probe.set(pattern);
  // One bit per unit (one breakpoint): flipping is an exclusive or.
  const bitAt = layout.stepBit[step];
  const oneBit = layout.stepBits[step] === 1;
  for (let u = 0; u < units; u++) {
    if (u === skip) continue;
    let j: number;
    if (oneBit) {
      const word = (bitAt + u) >>> 5;
      const mask = (1 << ((bitAt + u) & 31)) >>> 0;
      probe[word] ^= mask;
      j = table.find(probe, 0);
      probe[word] ^= mask;
    } else {
      const st = getState(layout, probe, 0, step, u);
      setState(layout, probe, 0, step, u, 1 - st);
      j = table.find(probe, 0);
      setState(layout, probe, 0, step, u, st);
    }
    if (j >= roundFirst && j < i) return true;
  }
  return false;
}
