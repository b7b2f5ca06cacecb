// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// The state of one share of a run (the first step's pieces split among threads) and where its record is.

import { gi, V_PTR, V_LEN } from "./memory";

// A share of a run split among threads (plane.ts's PlaneShare): the first step's pieces in chunks
// of shareChunk, chunk c this share's when claimChunk(c) says so (shareClaims) or else when
// c % shareParts == sharePart; shareParts 0: the whole partition.
@external("env", "claimChunk")
export declare function claimChunk(chunk: i32): i32;
export let shareParts: i32 = 0;
export let sharePart: i32 = 0;
export let shareChunk: i32 = 1;
export let shareClaims: bool = false;
export let chunkSeen: i32 = -1;
export let chunkMine: bool = false;
/** Per top piece descended into: the piece, the cells and the lines before it (i32 triples). */
export let shareRecord: i32 = 0;
/** Lines made before any descent (the domain's and the first step's cut). */
export let shareBaseLines: i32 = 0;

/** Where the share's record is (shareRecord's data), its length in bytes, and the lines before any descent. */
export function shareRecordAt(): i32 {
  return gi(shareRecord, V_PTR);
}
export function shareRecordBytes(): i32 {
  return gi(shareRecord, V_LEN);
}
export function shareLinesBefore(): i32 {
  return shareBaseLines;
}
