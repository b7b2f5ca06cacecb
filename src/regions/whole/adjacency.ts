/**
 * The adjacency pairs of a whole-domain partition from its facet lists: every facet (region i,
 * neighbour j) names the pair (min, max); a pair is listed from both sides (and, in degenerate
 * cases, from one only). The pairs come out sorted (a, then b) and distinct, with whether the
 * output maps on the two sides are equal (round-output.ts: KNOWN listings leave it to the other
 * side's). A counting sort by a and a short insertion sort per region: O(facets), where a global
 * sort of ten million keys took seconds.
 */
import { KNOWN } from "./round-output.ts";

export interface FacetPairs {
  /** Sorted distinct pairs (a, b), a < b, flat. */
  adjacency: Uint32Array;
  /** Per pair: 1 equal maps, 0 not, KNOWN when no listing decided it. */
  same: Uint8Array;
}

export function facetPairs(cellCount: number, facetStart: Uint32Array, facetNeighbour: Int32Array, facetSame: Uint8Array): FacetPairs {
  const start = new Uint32Array(cellCount + 1);
  for (let i = 0; i < cellCount; i++) {
    for (let f = facetStart[i]; f < facetStart[i + 1]; f++) start[Math.min(i, facetNeighbour[f]) + 1]++;
  }
  for (let i = 0; i < cellCount; i++) start[i + 1] += start[i];
  const total = start[cellCount];
  const other = new Uint32Array(total);
  const same = new Uint8Array(total);
  const fill = start.slice(0, cellCount);
  for (let i = 0; i < cellCount; i++) {
    for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
      const nb = facetNeighbour[f];
      const a = Math.min(i, nb);
      const at = fill[a]++;
      other[at] = Math.max(i, nb);
      same[at] = facetSame[f];
    }
  }
  // Per region a: sort its partners, drop repeats (keeping a decided `same`), write the pairs.
  const adjacency = new Uint32Array(2 * total);
  const pairSame = new Uint8Array(total);
  let pairs = 0;
  for (let a = 0; a < cellCount; a++) {
    const s0 = start[a];
    const s1 = start[a + 1];
    for (let k = s0 + 1; k < s1; k++) {
      const b = other[k];
      const sm = same[k];
      let q = k - 1;
      while (q >= s0 && other[q] > b) {
        other[q + 1] = other[q];
        same[q + 1] = same[q];
        q--;
      }
      other[q + 1] = b;
      same[q + 1] = sm;
    }
    for (let k = s0; k < s1; k++) {
      if (k > s0 && other[k] === other[k - 1]) {
        if (pairSame[pairs - 1] === KNOWN) pairSame[pairs - 1] = same[k];
        continue;
      }
      adjacency[2 * pairs] = a;
      adjacency[2 * pairs + 1] = other[k];
      pairSame[pairs++] = same[k];
    }
  }
  return { adjacency: adjacency.slice(0, 2 * pairs), same: pairSame.slice(0, pairs) };
}
