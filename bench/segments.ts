/**
 * Issue 17's line workload's segments, the same in every benchmark: `count` segments with both
 * ends uniform in [-1, 1]^2 (a Park-Miller generator from seed 1), segment i from (flat[4i],
 * flat[4i + 1]) to (flat[4i + 2], flat[4i + 3]), as `countSegments` takes them.
 */
export function benchSegments(count = 1000): Float64Array {
  let seed = 1;
  const flat = new Float64Array(4 * count);
  for (let i = 0; i < flat.length; i++) {
    seed = (seed * 16807) % 2147483647;
    flat[i] = (seed / 2147483647) * 2 - 1;
  }
  return flat;
}

/** The same segments, one array of 4 numbers each (as `linePartition` takes a path). */
export function benchSegmentList(count = 1000): Float64Array[] {
  const flat = benchSegments(count);
  return Array.from({ length: count }, (_, i) => flat.slice(4 * i, 4 * i + 4));
}
