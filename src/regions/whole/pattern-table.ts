/**
 * The regions found so far, by pattern: patterns stored end to end in one growable array and an
 * open-addressing hash table of their indices (no per-region objects, no string keys). The hash
 * is murmur3's mixing of the words (two multiplications per word): the traversal looks up tens
 * to hundreds of patterns per region, and where slots lie changes no index. Each slot holds the
 * index and a key beside it (the pattern itself when it is one word, else its hash), so a probe
 * reads one cache line: most lookups miss, and reading each probed pattern cost a second random
 * access (a page walk in a virtual machine) per probe.
 */
import { patternsEqual } from "../../model/pattern.ts";

function tableHash(pattern: Uint32Array, offset: number, words: number): number {
  let h = 0x9747b28c;
  for (let w = 0; w < words; w++) {
    let k = Math.imul(pattern[offset + w], 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PatternTable {
  count = 0;
  patterns: Uint32Array;
  slots: Int32Array;

  /** `shared`: arrays on SharedArrayBuffers, which worker threads read as views (see view()). */
  constructor(
    readonly words: number,
    private readonly shared = false,
  ) {
    this.patterns = this.uint32(64 * words);
    this.slots = this.int32(2 * 128).fill(-1);
  }

  /** A table over another table's arrays (a worker thread's view of the main thread's; read only). */
  static view(words: number, patterns: Uint32Array, slots: Int32Array, count: number): PatternTable {
    const table = new PatternTable(words);
    table.patterns = patterns;
    table.slots = slots;
    table.count = count;
    return table;
  }

  private uint32(n: number): Uint32Array {
    return this.shared ? new Uint32Array(new SharedArrayBuffer(4 * n)) : new Uint32Array(n);
  }

  private int32(n: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
  }

  /**
   * Index of the pattern (words at offset of `pattern`), or -1. A view skips entries from `count`
   * on, which the owner adds while threads read: with linear probing and no removals, a pattern
   * added before them lies before every slot they took in its probe sequence.
   */
  find(pattern: Uint32Array, offset: number): number {
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    const count = this.count;
    const words = this.words;
    const hash = tableHash(pattern, offset, words);
    let h = hash & mask;
    if (words === 1) {
      const word = pattern[offset] | 0;
      for (;;) {
        const id = slots[2 * h];
        if (id < 0) return -1;
        if (id < count && slots[2 * h + 1] === word) return id;
        h = (h + 1) & mask;
      }
    }
    for (;;) {
      const id = slots[2 * h];
      if (id < 0) return -1;
      if (id < count && slots[2 * h + 1] === hash && patternsEqual(this.patterns, id * words, pattern, offset, words)) return id;
      h = (h + 1) & mask;
    }
  }

  /** Add a pattern not in the table; returns its index. */
  add(pattern: Uint32Array, offset: number): number {
    const words = this.words;
    if ((this.count + 1) * words > this.patterns.length) {
      const grown = this.uint32(2 * this.patterns.length);
      grown.set(this.patterns);
      this.patterns = grown;
    }
    const id = this.count++;
    for (let w = 0; w < words; w++) this.patterns[id * words + w] = pattern[offset + w];
    if (2 * this.count > this.slots.length >>> 1) this.rehash(this.slots.length);
    else this.insert(id);
    return id;
  }

  /**
   * The slot's key is written before its index: a thread reading the table as a view (whose
   * count excludes the new index anyway) sees either an empty slot or a complete one.
   */
  private insert(id: number): void {
    const words = this.words;
    const mask = (this.slots.length >>> 1) - 1;
    const hash = tableHash(this.patterns, id * words, words);
    let h = hash & mask;
    while (this.slots[2 * h] >= 0) h = (h + 1) & mask;
    this.slots[2 * h + 1] = words === 1 ? this.patterns[id] | 0 : hash;
    this.slots[2 * h] = id;
  }

  /** A new slot array for `size` slots (two numbers each), every pattern inserted again. */
  private rehash(size: number): void {
    this.slots = this.int32(2 * size).fill(-1);
    for (let id = 0; id < this.count; id++) this.insert(id);
  }
}
