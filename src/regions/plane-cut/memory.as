// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// Raw memory: loads and stores (and the f64x2 running maxima the hot loops share), the bump allocator reset per run, the free list of storage regrow gave back, growable vectors; why a run gave up.

// ---- memory ---------------------------------------------------------------------------------

export let top: i32 = 0;
/**
 * Why the run gives up (0: it does not): 1 a vertex of a unit's line within its bounds in the
 * cut's vertex tests, 2 a listed line that does not cut its polygon, 3 a listed line's vertex
 * within its bounds, 4 a map out of range (giveUp, for the benches and tests).
 */
export let bad: i32 = 0;


@inline export function ld(p: i32, i: i32): f64 { return load<f64>(<usize>(p + (i << 3))); }
@inline export function sd(p: i32, i: i32, x: f64): void { store<f64>(<usize>(p + (i << 3)), x); }
@inline export function li(p: i32, i: i32): i32 { return load<i32>(<usize>(p + (i << 2))); }
@inline export function si(p: i32, i: i32, x: i32): void { store<i32>(<usize>(p + (i << 2)), x); }
@inline export function lb(p: i32, i: i32): i32 { return <i32>load<u8>(<usize>(p + i)); }
@inline export function sb(p: i32, i: i32, x: i32): void { store<u8>(<usize>(p + i), <u8>x); }
// Struct fields: i32 at byte offset o, f64 at byte offset o.
@inline export function gi(s: i32, o: i32): i32 { return load<i32>(<usize>(s + o)); }
@inline export function pi(s: i32, o: i32, x: i32): void { store<i32>(<usize>(s + o), x); }
@inline export function gd(s: i32, o: i32): f64 { return load<f64>(<usize>(s + o)); }
@inline export function pd(s: i32, o: i32, x: f64): void { store<f64>(<usize>(s + o), x); }
/**
 * The larger lane of an f64x2, as f64x2.max of it and its lanes swapped: a scalar f64.max is a
 * compare and branches in V8 (taken at random for running maxima), this none. The same double
 * as max(lane 0, lane 1) (a NaN in either: a NaN).
 */
@inline export function laneMax(x: v128): f64 {
  return f64x2.extract_lane(f64x2.max(x, v128.shuffle<f64>(x, x, 1, 0)), 0);
}

// Running maxima of values >= +0 (absolute values, bounds) in f64x2 lanes, as a compare and a
// blend per step (about 6 cycles deep) instead of f64x2.max, whose NaN and -0 fix-ups make a
// chain of 7 dependent instructions per step in V8. The same doubles as f64.max from +0: a lane
// only moves to a strictly larger value (so never to -0), and a NaN, which a compare never
// selects, is noted apart (nanLanes) and given back as a NaN at the end (laneMaxNaN), as f64.max
// would keep it.

/** The running maximum `top` with x taken where it is larger. */
@inline export function runMax(top: v128, x: v128): v128 {
  return v128.bitselect(x, top, f64x2.gt(x, top));
}
/** The lanes where x is a NaN, added to `flags`. */
@inline export function nanLanes(flags: v128, x: v128): v128 {
  return v128.or(flags, f64x2.ne(x, x));
}
/** The larger lane of `top`, a NaN where `flags` noted one. */
@inline export function laneMaxNaN(top: v128, flags: v128): f64 {
  return laneMax(v128.bitselect(f64x2.splat(NaN), top, flags));
}

/** Forget everything allocated (start of a run). */
export function reset(): void {
  top = (<i32>__heap_base + 15) & ~15;
  bad = 0;
}

/** `bytes` of fresh memory (16-byte aligned), growing the memory when needed. */
export function alloc(bytes: i32): i32 {
  const p = top;
  top = (top + bytes + 15) & ~15;
  const have = <i32>memory.size() << 16;
  if (top > have) {
    // By an eighth of the memory at least: each grow makes V8 replace the memory's buffer and
    // account for it (collections follow), and the chunks of lines and states are small.
    const pages = (top - have + 0xffff) >>> 16;
    if (memory.grow(max<i32>(pages, have >>> 19)) < 0 && memory.grow(pages) < 0) unreachable();
  }
  return p;
}

export function regrow(p: i32, oldBytes: i32, newBytes: i32): i32 {
  const q = reuse(newBytes);
  memory.copy(<usize>q, <usize>p, <usize>oldBytes);
  release(p, oldBytes);
  return q;
}

// ---- storage given back by regrow, for the next regrows ----------------------------------------
//
// Why: the bump allocator cannot free, so every vector that doubled kept all its earlier copies
// (its final size again, and more): on 2-512x3-1 over [-3,3]^2 the first step's cut (the
// domain's pieces: their states, polygons and the line table) left 277 MB of memory, most of it
// dead copies. A vector's old storage goes to this list when it grows, and a later growth (of
// any vector) takes it when it fits, so the dead copies are written over instead of kept. A free
// block holds its successor and its size in its first 8 bytes; blocks are 16-byte aligned.

/** The first free block (0: none). A run empties the list: reset() hands its memory out again. */
export let freeList: i32 = 0;

/** `bytes` of storage for a growing vector: from the free list when a block fits, else fresh. */
export function reuse(bytes: i32): i32 {
  const need = (bytes + 15) & ~15;
  let prev = 0;
  let b = freeList;
  while (b != 0) {
    const size = gi(b, 4);
    if (size >= need) {
      // A block much larger than asked keeps its head in the list and gives its tail.
      if (size - need >= 64) {
        pi(b, 4, size - need);
        return b + size - need;
      }
      if (prev == 0) freeList = gi(b, 0);
      else pi(prev, 0, gi(b, 0));
      return b;
    }
    prev = b;
    b = gi(b, 0);
  }
  return alloc(bytes);
}

/** Give back the storage of `bytes` at p (an alloc's or reuse's block that nothing uses now). */
export function release(p: i32, bytes: i32): void {
  const size = (bytes + 15) & ~15;
  if (size < 16) return;
  pi(p, 0, freeList);
  pi(p, 4, size);
  freeList = p;
}

// A growable vector: struct { ptr, capacity (bytes), length (bytes) }.
export const V_PTR = 0;
export const V_CAP = 4;
export const V_LEN = 8;

export function vnew(bytes: i32): i32 {
  const v = alloc(16);
  pi(v, V_PTR, alloc(bytes));
  pi(v, V_CAP, bytes);
  pi(v, V_LEN, 0);
  return v;
}

/** Room for `extra` more bytes; returns the vector's (possibly moved) data pointer. */
export function vreserve(v: i32, extra: i32): i32 {
  const need = gi(v, V_LEN) + extra;
  let cap = gi(v, V_CAP);
  if (need > cap) {
    while (cap < need) cap *= 2;
    pi(v, V_PTR, regrow(gi(v, V_PTR), gi(v, V_LEN), cap));
    pi(v, V_CAP, cap);
  }
  return gi(v, V_PTR);
}
