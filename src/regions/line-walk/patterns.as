// line-walk.as's set of the segment's distinct patterns.

import { alloc, li, si, copyWords, sameWords } from "./memory";
import { WORDS, PAT } from "./layers";

export let setCap: i32 = 0;
export let setSize: i32 = 0;
/** The last segment's pieces (as the engine emits them: one per leaf sub-piece). */
export let pieceCount: i32 = 0;
export let setRound: i32 = 0;
export let SLOTS: i32 = 0;
export let STAMPS: i32 = 0;
export let STORED: i32 = 0;

/**
 * A new layout: the set is made again at the next segment (growSet), empty. Its size too: growSet
 * places the set's patterns again, and the last segment's (of another network, possibly more
 * than its 256 first slots hold) once made it probe a full table forever.
 */
export function forgetPatterns(): void {
  setCap = 0;
  setSize = 0;
}

export function patternHash(p: i32): u32 {
  let h: u32 = 0x9e3779b9;
  for (let w = 0; w < WORDS; w++) h = (h ^ load<u32>(<usize>(p + (w << 2)))) * 0x85ebca6b ^ (h >>> 15);
  h = (h ^ (h >>> 16)) * 0x7feb352d;
  return h ^ (h >>> 15);
}

export function growSet(): void {
  const cap = setCap == 0 ? 256 : setCap << 1;
  const slots = alloc(cap << 2);
  const stamps = alloc(cap << 2);
  const stored = alloc((cap >> 1) * (WORDS << 2));
  memory.fill(<usize>stamps, 0, <usize>(cap << 2));
  if (setCap > 0) memory.copy(<usize>stored, <usize>STORED, <usize>(setSize * (WORDS << 2)));
  SLOTS = slots;
  STAMPS = stamps;
  STORED = stored;
  setCap = cap;
  setRound = 1;
  for (let i = 0; i < setSize; i++) {
    let s = <i32>(patternHash(STORED + i * (WORDS << 2)) & <u32>(cap - 1));
    while (li(STAMPS, s) == setRound) s = (s + 1) & (cap - 1);
    si(STAMPS, s, setRound);
    si(SLOTS, s, i);
  }
}

export function addPattern(): void {
  pieceCount++;
  if (2 * (setSize + 1) > setCap) growSet();
  const mask = setCap - 1;
  const bytes = WORDS << 2;
  let s = <i32>(patternHash(PAT) & <u32>mask);
  for (;;) {
    if (li(STAMPS, s) != setRound) {
      const at = STORED + setSize * bytes;
      copyWords(at, PAT, WORDS);
      si(STAMPS, s, setRound);
      si(SLOTS, s, setSize);
      setSize++;
      return;
    }
    const at = STORED + li(SLOTS, s) * bytes;
    if (sameWords(at, PAT, WORDS)) return;
    s = (s + 1) & mask;
  }
}
