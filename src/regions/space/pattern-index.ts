/**
 * The distinct activation patterns of a partition's cells, each with the first cell that has it:
 * the pattern lookups of `finish` (a facet's neighbour is the first cell whose pattern differs in
 * the facet's unit only). The patterns stay where they are (`patterns`, `words` per cell); each
 * slot holds the hash beside the cell, so a lookup reads one slot and one cell's pattern (a
 * `TupleSet` read the slot, the hash, the tuple's start and a copy of the tuple: four places
 * in memory, for each of a count's hundred thousand facets). Sized once for every cell (at
 * most half full), so it never rehashes.
 */
import { hashOf } from "./tuple-set.ts";

export class PatternIndex {
  /** Number of distinct patterns. */
  readonly size: number;
  /** Slot s: slots[2s] the hash, slots[2s + 1] the first cell with the pattern + 1 (0: empty). */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly patterns: Uint32Array,
    private readonly words: number,
    cells: number,
  ) {
    let capacity = 1024;
    while (capacity < 2 * cells) capacity *= 2;
    this.slots = new Int32Array(2 * capacity);
    this.mask = capacity - 1;
    let size = 0;
    for (let i = 0; i < cells; i++) {
      const h = hashOf(patterns, i * words, words);
      let s = h & this.mask;
      let known = false;
      for (let cell = this.slots[2 * s + 1] - 1; cell >= 0; s = (s + 1) & this.mask, cell = this.slots[2 * s + 1] - 1) {
        if (this.slots[2 * s] === h && this.same(cell, patterns, i * words)) {
          known = true;
          break;
        }
      }
      if (known) continue;
      this.slots[2 * s] = h;
      this.slots[2 * s + 1] = i + 1;
      size++;
    }
    this.size = size;
  }

  /** The first cell whose pattern is t[from .. from + words), or -1 when no cell has it. */
  firstCell(t: Uint32Array, from: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const h = hashOf(t, from, this.words);
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const cell = slots[2 * s + 1] - 1;
      if (cell < 0) return -1;
      if (slots[2 * s] === h && this.same(cell, t, from)) return cell;
    }
  }

  private same(cell: number, t: Uint32Array, from: number): boolean {
    const patterns = this.patterns;
    const words = this.words;
    const at = cell * words;
    for (let w = 0; w < words; w++) if (patterns[at + w] !== t[from + w]) return false;
    return true;
  }
}
