/**
 * Activation patterns, bit-packed. A pattern holds one state per piecewise-linear unit, in step
 * order; each unit takes as many bits as its step needs (relu 1, hard-tanh 2, maxout-4 2, ...),
 * packed into 32-bit words so a million cells of a 512-unit network fit in 64 MB.
 */
import { isPiecewise, maxStates, type Step, unitCount } from "./steps.ts";

/** Where each unit's state sits in a bit-packed activation pattern. */
export interface PatternLayout {
  /** Words (Uint32) per pattern. */
  words: number;
  /** Total number of piecewise-linear units. */
  units: number;
  /** For step index s (into the compiled steps): first bit, bits per unit, units; -1 when not piecewise. */
  stepBit: Int32Array;
  stepBits: Int32Array;
  stepUnits: Int32Array;
}

export function patternLayout(steps: Step[]): PatternLayout {
  const stepBit = new Int32Array(steps.length).fill(-1);
  const stepBits = new Int32Array(steps.length);
  const stepUnits = new Int32Array(steps.length);
  let bit = 0;
  let units = 0;
  steps.forEach((step, s) => {
    if (!isPiecewise(step)) return;
    const n = unitCount(step);
    const bits = Math.max(1, Math.ceil(Math.log2(maxStates(step))));
    // Each step starts on a word boundary; a unit never straddles two words.
    bit = Math.ceil(bit / 32) * 32;
    stepBit[s] = bit;
    stepBits[s] = bits;
    stepUnits[s] = n;
    bit += n * (32 % bits === 0 ? bits : 32);
    units += n;
  });
  return { words: Math.max(1, Math.ceil(bit / 32)), units, stepBit, stepBits, stepUnits };
}

/** Bits a unit of step s occupies: its state bits, or a whole word when they do not divide 32. */
function stride(bits: number): number {
  return 32 % bits === 0 ? bits : 32;
}

export function setState(layout: PatternLayout, pattern: Uint32Array, offset: number, step: number, unit: number, state: number): void {
  const bits = layout.stepBits[step];
  const bit = layout.stepBit[step] + unit * stride(bits);
  const word = offset + (bit >>> 5);
  const shift = bit & 31;
  const mask = ((bits === 32 ? 0xffffffff : (1 << bits) - 1) << shift) >>> 0;
  pattern[word] = ((pattern[word] & ~mask) | ((state << shift) & mask)) >>> 0;
}

/** The state of one unit (0 or 1 for relu; the piece or argmax otherwise) in a bit-packed pattern at `offset`. */
export function getState(layout: PatternLayout, pattern: Uint32Array, offset: number, step: number, unit: number): number {
  const bits = layout.stepBits[step];
  const bit = layout.stepBit[step] + unit * stride(bits);
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  return (pattern[offset + (bit >>> 5)] >>> (bit & 31)) & mask;
}

/** Write the states of all units of step s at once (engines call this per cell). */
export function setStepStates(layout: PatternLayout, pattern: Uint32Array, offset: number, step: number, states: Uint8Array): void {
  const bits = layout.stepBits[step];
  const units = layout.stepUnits[step];
  const first = layout.stepBit[step];
  if (bits === 1 && (first & 31) === 0) {
    // One bit per unit from a word boundary (relu-like steps): pack 32 units per word.
    const base = offset + (first >>> 5);
    for (let w = 0; w * 32 < units; w++) {
      let word = 0;
      const end = Math.min(32, units - w * 32);
      for (let k = 0; k < end; k++) word |= (states[w * 32 + k] & 1) << k;
      pattern[base + w] = word >>> 0;
    }
    return;
  }
  for (let j = 0; j < units; j++) setState(layout, pattern, offset, step, j, states[j]);
}

/** Stable 32-bit hash of a pattern (FNV-1a over words): the same pattern gets the same colour. */
export function patternHash(pattern: Uint32Array, offset: number, words: number): number {
  let h = 0x811c9dc5;
  for (let w = 0; w < words; w++) {
    let x = pattern[offset + w];
    for (let b = 0; b < 4; b++) {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193);
      x >>>= 8;
    }
  }
  return h >>> 0;
}

/** A pattern as a string of per-unit states, grouped by layer: "0110|2001". */
export function patternString(layout: PatternLayout, pattern: Uint32Array, offset = 0): string {
  const groups: string[] = [];
  for (let s = 0; s < layout.stepBit.length; s++) {
    if (layout.stepBit[s] < 0) continue;
    let g = "";
    for (let u = 0; u < layout.stepUnits[s]; u++) {
      const state = getState(layout, pattern, offset, s, u);
      g += state < 10 ? String(state) : `(${state})`;
    }
    groups.push(g);
  }
  return groups.join("|");
}

export function patternsEqual(a: Uint32Array, aOff: number, b: Uint32Array, bOff: number, words: number): boolean {
  for (let w = 0; w < words; w++) if (a[aOff + w] !== b[bOff + w]) return false;
  return true;
}
