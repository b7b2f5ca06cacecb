/**
 * Sets of integer tuples of any length, on typed arrays, so a few hundred thousand keys (vertices,
 * edges and facets of a complex, activation patterns) cost no object per key.
 *
 * `TupleSet`: any tuples, numbered 0, 1, 2, ... in the order they are added; open addressing with
 * linear probing on a hash; `KeySet` (below) the same for tuples of one length. `ChainedSet` and
 * `PairSet` (below): sorted tuples (pairs) of small ids, chained per least id.
 */
import { grown } from "../../geometry/grown.ts";

export class TupleSet {
  /** Number of tuples held. */
  size = 0;
  /** Slot -> tuple id + 1 (0: empty). */
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(512);
  /** Tuple i is data[start[i] .. start[i + 1]). */
  private start = new Int32Array(513);
  private data = new Int32Array(2048);

  /** Id of the tuple t[from .. from + length), or -1 when absent. */
  find(t: Int32Array | Uint32Array, from: number, length: number): number {
    const mask = this.slots.length - 1;
    const h = hashOf(t, from, length);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i] - 1;
      if (id < 0) return -1;
      if (this.hashes[id] === h && this.equals(id, t, from, length)) return id;
    }
  }

  /** Add the tuple t[from .. from + length), which must be absent; returns its id. */
  add(t: Int32Array | Uint32Array, from: number, length: number): number {
    if (2 * (this.size + 1) > this.slots.length) this.rehash(2 * this.slots.length);
    const id = this.size++;
    if (id === this.hashes.length) {
      this.hashes = grown(this.hashes, 2 * id);
      this.start = grown(this.start, 2 * id + 1);
    }
    const at = this.start[id];
    if (at + length > this.data.length) this.data = grown(this.data, 2 * (at + length));
    for (let j = 0; j < length; j++) this.data[at + j] = t[from + j] | 0;
    this.start[id + 1] = at + length;
    const h = hashOf(t, from, length);
    this.hashes[id] = h;
    this.place(id, h);
    return id;
  }

  private equals(id: number, t: Int32Array | Uint32Array, from: number, length: number): boolean {
    const at = this.start[id];
    if (this.start[id + 1] - at !== length) return false;
    for (let j = 0; j < length; j++) if (this.data[at + j] !== (t[from + j] | 0)) return false;
    return true;
  }

  private place(id: number, h: number): void {
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = id + 1;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    for (let id = 0; id < this.size; id++) this.place(id, this.hashes[id]);
  }
}

/**
 * `KeySet`: tuples of one fixed length (quantised vertex coordinates), numbered in the order they
 * are added. Each slot holds the hash beside the id, and tuple i is data[i * length ..), so a
 * lookup reads one slot and one tuple (`TupleSet` reads the slot, the hash and the start too).
 */
export class KeySet {
  /** Number of tuples held. */
  size = 0;
  /** Slot s: slots[2s] the hash, slots[2s + 1] the tuple id + 1 (0: empty). */
  private slots = new Int32Array(2048);
  private data: Int32Array;

  constructor(private readonly length: number) {
    this.data = new Int32Array(512 * length);
  }

  /** Id of the tuple t[0 .. length), or -1 when absent. */
  find(t: Int32Array): number {
    const n = this.length;
    const mask = (this.slots.length >>> 1) - 1;
    const h = hashOf(t, 0, n);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = this.slots[2 * i + 1] - 1;
      if (id < 0) return -1;
      if (this.slots[2 * i] !== h) continue;
      let same = true;
      for (let j = 0; j < n && same; j++) same = this.data[id * n + j] === t[j];
      if (same) return id;
    }
  }

  /** Add the tuple t[0 .. length), which must be absent; returns its id. */
  add(t: Int32Array): number {
    const n = this.length;
    if (4 * (this.size + 1) > this.slots.length) this.rehash(2 * this.slots.length);
    const id = this.size++;
    if ((id + 1) * n > this.data.length) this.data = grown(this.data, 2 * (id + 1) * n);
    for (let j = 0; j < n; j++) this.data[id * n + j] = t[j];
    this.place(id, hashOf(t, 0, n));
    return id;
  }

  private place(id: number, h: number): void {
    const mask = (this.slots.length >>> 1) - 1;
    let i = h & mask;
    while (this.slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    this.slots[2 * i] = h;
    this.slots[2 * i + 1] = id + 1;
  }

  private rehash(length: number): void {
    const old = this.slots;
    this.slots = new Int32Array(length);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.place(old[i + 1] - 1, old[i]);
  }
}

/** FNV-1a over the elements, then a final avalanche so the low bits index well. */
export function hashOf(t: Int32Array | Uint32Array, from: number, length: number): number {
  let h = 0x811c9dc5 ^ length;
  for (let j = 0; j < length; j++) h = Math.imul(h ^ (t[from + j] | 0), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/**
 * `ChainedSet`: tuples whose last element is a small non-negative integer (sorted tuples of
 * vertex ids: their greatest member), chained per last element. The engine adds the faces of
 * neighbouring cells one after another, and their newest vertex ids are close, so adds and lookups
 * touch memory near recent ones instead of random slots of a large table. (Chained by the least
 * member, the chains of the corners and early vertices, which many faces hold, grew long.) Each
 * entry keeps a hash of its other elements, so walking a chain compares one number per entry, not
 * a tuple.
 */
export class ChainedSet {
  /** Number of tuples held. */
  size = 0;
  /** Last element -> latest tuple with it (-1: none); tuple i -> the previous one with its last element. */
  private head: Int32Array = new Int32Array(1024).fill(-1);
  private next = new Int32Array(1024);
  /** Tuple i's hash of its length and elements before the last. */
  private tag = new Int32Array(1024);
  /** Tuple i is data[start[i] .. start[i + 1]). */
  private start = new Int32Array(1025);
  private data = new Int32Array(4096);

  /** Add the tuple t[from .. from + length) unless present; returns whether it was new. */
  insert(t: Int32Array, from: number, length: number): boolean {
    const size = this.size;
    return this.idOf(t, from, length) === size;
  }

  /** The id of the tuple t[from .. from + length) (ids 0, 1, 2, ... in the order added), added when absent. */
  idOf(t: Int32Array, from: number, length: number): number {
    const last = t[from + length - 1];
    if (last >= this.head.length) this.head = grownHeads(this.head, last);
    const tag = hashOf(t, from, length - 1);
    for (let id = this.head[last]; id >= 0; id = this.next[id]) {
      if (this.tag[id] !== tag) continue;
      const at = this.start[id];
      if (this.start[id + 1] - at !== length) continue;
      let same = true;
      for (let j = 0; j < length - 1 && same; j++) same = this.data[at + j] === t[from + j];
      if (same) return id;
    }
    const id = this.size++;
    if (id === this.next.length) {
      this.next = grown(this.next, 2 * id);
      this.tag = grown(this.tag, 2 * id);
      this.start = grown(this.start, 2 * id + 1);
    }
    const at = this.start[id];
    if (at + length > this.data.length) this.data = grown(this.data, 2 * (at + length));
    for (let j = 0; j < length; j++) this.data[at + j] = t[from + j];
    this.start[id + 1] = at + length;
    this.tag[id] = tag;
    this.next[id] = this.head[last];
    this.head[last] = id;
    return id;
  }
}

/**
 * `PairSet`: pairs (a, b) of small non-negative integers with a <= b (edges as vertex ids),
 * chained per a like `ChainedSet`, with b stored in the chain entry itself.
 */
export class PairSet {
  /** Number of pairs held. */
  size = 0;
  /** a -> latest pair with it (-1: none); pair i -> the previous one with its a, and its b. */
  private head: Int32Array = new Int32Array(1024).fill(-1);
  private next = new Int32Array(1024);
  private second = new Int32Array(1024);

  /** Add the pair (a, b) unless present; returns whether it was new. */
  insert(a: number, b: number): boolean {
    if (a >= this.head.length) this.head = grownHeads(this.head, a);
    for (let id = this.head[a]; id >= 0; id = this.next[id]) if (this.second[id] === b) return false;
    const id = this.size++;
    if (id === this.next.length) {
      this.next = grown(this.next, 2 * id);
      this.second = grown(this.second, 2 * id);
    }
    this.second[id] = b;
    this.next[id] = this.head[a];
    this.head[a] = id;
    return true;
  }
}

/** Chain heads with room for index `first`, the new ones empty (-1). */
function grownHeads(head: Int32Array, first: number): Int32Array {
  const out = new Int32Array(2 * (first + 1)).fill(-1);
  out.set(head);
  return out;
}
