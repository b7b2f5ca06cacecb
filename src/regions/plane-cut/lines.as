// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// The table of lines a live polygon can have as an edge (plane.ts's LineTable), a stack of slots per step.

import { sd, li, si, gi, pi, alloc, V_PTR, V_LEN, vreserve } from "./memory";
import { S_LINEFIRST, S_LINEBASE, S_LINEEND, STEP_BYTES, steps, stepAt } from "./steps";

// ---- lines (plane.ts's LineTable: a, b, c per line) -------------------------------------------
//
// Only the lines a live polygon can have as an edge are kept: the domain's and the first step's
// cut's (every piece of the domain is walked in turn), then, for each deeper step, those of the
// cut being walked (a new cut of a step ends the walk of the step's last cut and of every cut
// below it). Each step's lines are a run of consecutive ids (a cut makes its lines before its
// pieces are walked), kept in slots after the step above's, so a new cut of a step writes over
// the dead lines of its last one: a stack of slots, in chunks of LINE_CHUNK lines that never move.
// Why: the table was one vector of every line of the count doubled as it filled, and the bump
// allocator kept every earlier copy: 50 MB for 604,000 lines on 2-512x3-1 over [-3,3]^2, of
// which at most 1,540 are live at once (a cut's lines are its units' breakpoint lines: one
// chunk). Every line also goes to `newLines`, which plane-cut.ts appends to the engine's line
// table with each part of the cells and which then starts empty.

export const LINE_CHUNK_BITS = 11;
export const LINE_CHUNK = 1 << LINE_CHUNK_BITS;
/** A slot: the line's a, b, c and its bounds ea, eb, ec (0 for the domain's; plane-line-bounds.ts LineBounds). */
export const LINE_BYTES = 48;

export let lineChunks: i32 = 0; // vector of i32: the chunks' addresses, slot >> LINE_CHUNK_BITS
export let linesMade: i32 = 0; // the next line's id
export let newLines: i32 = 0; // vector of f64 triples: the lines made since the last part
/** The step whose cut makes lines now (lines of steps 0 .. cutDepth are live). */
export let cutDepth: i32 = 0;

/** The address of slot `slot` (a chunk is added when the slots reach past the last). */
@inline export function slotAt(slot: i32): i32 {
  return li(gi(lineChunks, V_PTR), slot >> LINE_CHUNK_BITS) + LINE_BYTES * (slot & (LINE_CHUNK - 1));
}

/** The address of live line id's a, b, c. */
export function lineAt(id: i32): i32 {
  let d = cutDepth;
  let st = stepAt(d);
  while (id < gi(st, S_LINEFIRST)) {
    d--;
    st = stepAt(d);
  }
  return slotAt(gi(st, S_LINEBASE) + id - gi(st, S_LINEFIRST));
}

/** Start step st's lines (a cut of it begins): in the slots after the live lines of the step above. */
@inline export function beginLines(st: i32): void {
  const d = (st - steps) / STEP_BYTES;
  cutDepth = d;
  const base = d == 0 ? linesMade : gi(stepAt(d - 1), S_LINEEND);
  pi(st, S_LINEFIRST, d == 0 ? 0 : linesMade);
  pi(st, S_LINEBASE, d == 0 ? 0 : base);
  pi(st, S_LINEEND, base);
}

/** Store line a, b, c with bounds ea, eb, ec in slot `slot` (the table's chunks grow by one at most). */
export function placeLine(slot: i32, a: f64, b: f64, c: f64, ea: f64, eb: f64, ec: f64): void {
  if (slot >> LINE_CHUNK_BITS == gi(lineChunks, V_LEN) >> 2) {
    const table = vreserve(lineChunks, 4);
    si(table, slot >> LINE_CHUNK_BITS, alloc(LINE_BYTES * LINE_CHUNK));
    pi(lineChunks, V_LEN, gi(lineChunks, V_LEN) + 4);
  }
  const p = slotAt(slot);
  sd(p, 0, a);
  sd(p, 1, b);
  sd(p, 2, c);
  sd(p, 3, ea);
  sd(p, 4, eb);
  sd(p, 5, ec);
}

/** A new line of the cut being made (step cutDepth), with its bounds: its id. */
export function addLine(a: f64, b: f64, c: f64, ea: f64, eb: f64, ec: f64): i32 {
  const id = linesMade++;
  const st = stepAt(cutDepth);
  const slot = gi(st, S_LINEEND);
  placeLine(slot, a, b, c, ea, eb, ec);
  pi(st, S_LINEEND, slot + 1);
  const out = vreserve(newLines, 24);
  const at = gi(newLines, V_LEN) >> 3;
  sd(out, at, a);
  sd(out, at + 1, b);
  sd(out, at + 2, c);
  pi(newLines, V_LEN, 8 * (at + 3));
  return id;
}
