// line-walk.as's raw memory: the bump allocator, loads and stores by index, word loops (not
// the bulk-memory instructions, which V8 runs as calls out of the module) and SIMD lane reductions.

export let top: i32 = 0;

/** `bytes` of fresh memory (16-byte aligned), growing the memory when needed. */
export function alloc(bytes: i32): i32 {
  const p = top;
  top = (top + bytes + 15) & ~15;
  const have = <i32>memory.size() << 16;
  if (top > have) {
    const pages = (top - have + 0xffff) >>> 16;
    if (memory.grow(max<i32>(pages, have >>> 19)) < 0 && memory.grow(pages) < 0) unreachable();
  }
  return p;
}

@inline export function ld(p: i32, i: i32): f64 { return load<f64>(<usize>(p + (i << 3))); }
@inline export function sd(p: i32, i: i32, x: f64): void { store<f64>(<usize>(p + (i << 3)), x); }
@inline export function li(p: i32, i: i32): i32 { return load<i32>(<usize>(p + (i << 2))); }
@inline export function si(p: i32, i: i32, x: i32): void { store<i32>(<usize>(p + (i << 2)), x); }

@inline export function lanesMax(x: v128): f64 {
  return max(f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1));
}

/**
 * n words from b to a (a few words, mostly one: a loop, not memory.copy, which V8 runs as a call
 * out of the module, its cost on each carried decide).
 */
@inline export function copyWords(a: i32, b: i32, n: i32): void {
  for (let w = 0; w < n; w++) store<u32>(<usize>(a + (w << 2)), load<u32>(<usize>(b + (w << 2))));
}

/** n doubles at a set to 0, n a multiple of 8 (a row of a level: as copyWords, not memory.fill). */
@inline export function zeroRow(a: i32, n: i32): void {
  const z = f64x2.splat(0);
  for (let i = 0; i < n; i += 8) {
    const o = <usize>(a + (i << 3));
    v128.store(o, z);
    v128.store(o, z, 16);
    v128.store(o, z, 32);
    v128.store(o, z, 48);
  }
}

/** Whether n words at a and b are the same (a few words: a loop, not memory.compare's bytes). */
@inline export function sameWords(a: i32, b: i32, n: i32): bool {
  for (let w = 0; w < n; w++) if (load<u32>(<usize>(a + (w << 2))) != load<u32>(<usize>(b + (w << 2)))) return false;
  return true;
}

@inline export function lanesMin(x: v128): f64 {
  return min(f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1));
}
