/**
 * The adjacency pairs of a whole-domain partition from its facet lists: every facet (region i,
 * neighbour j) names the pair (min, max); a pair is listed from both sides (and, in degenerate
 * cases, from one only). The pairs come out sorted (a, then b) and distinct, with whether the
 * output maps on the two sides are equal (round-output.ts).
 *
 * A listing from the larger side marked KNOWN repeats one from the smaller side (the smaller
 * region certified the facet first and told the larger one: engine.ts), so it is skipped; the
 * others from the larger side (rare) are grouped by their smaller region with a counting sort.
 * Each region's partners are then its own listings toward larger regions and those: a short
 * insertion sort each, in one pass over the lists (a global sort of ten million keys took seconds).
 */
import { KNOWN } from "./round-output.ts";

export interface FacetPairs {
  /** Sorted distinct pairs (a, b), a < b, flat. */
  adjacency: Uint32Array;
  /** Per pair: 1 equal maps, 0 not, KNOWN when no listing decided it. */
  same: Uint8Array;
}

export function facetPairs(cellCount: number, facetStart: Uint32Array, facetNeighbour: Int32Array, facetSame: Uint8Array): FacetPairs {
  // Listings toward larger regions, and the others that are not KNOWN, grouped by region.
  const { own, extra, maxDegree } = listingCounts(facetStart, facetNeighbour, facetSame, 0, cellCount);
  const extraStart = new Uint32Array(extra > 0 ? cellCount + 1 : 1);
  const extraOther = new Uint32Array(extra);
  const extraSame = new Uint8Array(extra);
  if (extra > 0) {
    for (let i = 0; i < cellCount; i++) {
      for (let f = facetStart[i]; f < facetStart[i + 1]; f++) if (facetNeighbour[f] < i && facetSame[f] !== KNOWN) extraStart[facetNeighbour[f] + 1]++;
    }
    for (let i = 0; i < cellCount; i++) extraStart[i + 1] += extraStart[i];
    const fill = extraStart.slice(0, cellCount);
    for (let i = 0; i < cellCount; i++) {
      for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
        if (!(facetNeighbour[f] < i && facetSame[f] !== KNOWN)) continue;
        const at = fill[facetNeighbour[f]]++;
        extraOther[at] = i;
        extraSame[at] = facetSame[f];
      }
    }
  }
  const bound = own + extra;
  const adjacency = new Uint32Array(2 * bound);
  const pairSame = new Uint8Array(bound);
  const lists = { facetStart, facetNeighbour, facetSame, extraStart, extraOther, extraSame, maxDegree };
  const pairs = pairsOfRegions(lists, 0, cellCount, adjacency, pairSame, 0);
  if (pairs === bound) return { adjacency, same: pairSame };
  return { adjacency: adjacency.slice(0, 2 * pairs), same: pairSame.slice(0, pairs) };
}

/**
 * Of regions a0..a1-1: the listings toward larger regions, the others not KNOWN (rare), and the
 * most facets of a region.
 */
export function listingCounts(
  facetStart: Uint32Array,
  facetNeighbour: Int32Array,
  facetSame: Uint8Array,
  a0: number,
  a1: number,
): { own: number; extra: number; maxDegree: number } {
  let own = 0;
  let extra = 0;
  let maxDegree = 0;
  for (let i = a0; i < a1; i++) {
    maxDegree = Math.max(maxDegree, facetStart[i + 1] - facetStart[i]);
    for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
      if (facetNeighbour[f] > i) own++;
      else if (facetSame[f] !== KNOWN) extra++;
    }
  }
  return { own, extra, maxDegree };
}

/** The facet lists, and the listings from larger regions that are not KNOWN grouped by their smaller region. */
export interface FacetLists {
  facetStart: Uint32Array;
  facetNeighbour: Int32Array;
  facetSame: Uint8Array;
  extraStart: Uint32Array;
  extraOther: Uint32Array;
  extraSame: Uint8Array;
  maxDegree: number;
}

/**
 * The pairs (a, b > a) of regions a0..a1-1, in order, written from pair `at` on; returns the
 * pair after the last written. Regions are independent: threads may write disjoint runs of
 * regions (parallel/whole.ts), each from the number of listings before its first region.
 */
export function pairsOfRegions(lists: FacetLists, a0: number, a1: number, adjacency: Uint32Array, pairSame: Uint8Array, at: number): number {
  const { facetStart, facetNeighbour, facetSame, extraStart, extraOther, extraSame } = lists;
  const extra = extraOther.length;
  const other = new Uint32Array(lists.maxDegree + extra);
  const same = new Uint8Array(other.length);
  let pairs = at;
  for (let a = a0; a < a1; a++) {
    // This region's partners: gathered, sorted (insertion: a few dozen at most), repeats dropped.
    let n = 0;
    for (let f = facetStart[a]; f < facetStart[a + 1]; f++) {
      if (facetNeighbour[f] <= a) continue;
      other[n] = facetNeighbour[f];
      same[n++] = facetSame[f];
    }
    if (extra > 0) {
      for (let e = extraStart[a]; e < extraStart[a + 1]; e++) {
        other[n] = extraOther[e];
        same[n++] = extraSame[e];
      }
    }
    for (let k = 1; k < n; k++) {
      const b = other[k];
      const sm = same[k];
      let q = k - 1;
      while (q >= 0 && other[q] > b) {
        other[q + 1] = other[q];
        same[q + 1] = same[q];
        q--;
      }
      other[q + 1] = b;
      same[q + 1] = sm;
    }
    for (let k = 0; k < n; k++) {
      if (k > 0 && other[k] === other[k - 1]) {
        if (pairSame[pairs - 1] === KNOWN) pairSame[pairs - 1] = same[k];
        continue;
      }
      adjacency[2 * pairs] = a;
      adjacency[2 * pairs + 1] = other[k];
      pairSame[pairs++] = same[k];
    }
  }
  return pairs;
}
