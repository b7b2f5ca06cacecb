/**
 * Fuzz: thousands of mutated fixture files (flipped, inserted, deleted and duplicated bytes,
 * truncations; mutated JSON numbers and keys) through the ONNX, tfjs and tessera JSON readers.
 * Every failure must be a FormatError with one line; nothing else is thrown, nothing hangs; a
 * model that does load compiles and runs a forward pass. Seeded, so a failure reproduces.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { modelFromBytes } from "../../src/io/model-bytes.ts";
import { FormatError, parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { InputError } from "../../src/io/read.ts";
import { importTfjs } from "../../src/io/tfjs/import.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { NumericalRefusal } from "../../src/model/numerical-refusal.ts";
import { createRandom, type Random } from "../../src/model/random.ts";
import { Budget } from "../../src/regions/limits.ts";
import { linePartition } from "../../src/regions/line.ts";
import { FUZZ_CLASSES, fuzzCases } from "../fuzz/generate.ts";
import { FIXTURES, ONNX_FIXTURES } from "./helpers.ts";

function mutateBytes(src: Uint8Array, rng: Random): Uint8Array {
  let b = Array.from(src);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(Math.max(1, b.length));
    switch (rng.int(6)) {
      case 0:
        b[at] = rng.int(256);
        break;
      case 1:
        b[at] ^= 1 << rng.int(8);
        break;
      case 2:
        b.splice(at, 1 + rng.int(8));
        break;
      case 3:
        b.splice(at, 0, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)));
        break;
      case 4:
        b = b.slice(0, at);
        break;
      default: {
        const from = rng.int(Math.max(1, b.length));
        b.splice(at, 0, ...b.slice(from, from + 1 + rng.int(64)));
      }
    }
  }
  return Uint8Array.from(b);
}

function mutateJson(text: string, rng: Random): string {
  const tokens = text.match(/-?\d+(\.\d+)?(e-?\d+)?|"[^"]*"|[^\d"]+/g) ?? [text];
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const i = rng.int(tokens.length);
    const t = tokens[i];
    const pick = [`${rng.int(5)}`, "-1", "1e9", "0", "null", "[]", "{}", '"x"', "1.5", "true", `${t}${t}`, ""];
    if (/^-?\d/.test(t) || t.startsWith('"') || rng.int(4) === 0) tokens[i] = pick[rng.int(pick.length)];
  }
  return tokens.join("");
}

function check(read: () => Network, what: string): "ok" | "error" {
  let net: Network;
  try {
    net = read();
  } catch (e) {
    if (!(e instanceof FormatError)) throw new Error(`${what}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(!e.message.includes("\n"), `${what}: message has several lines: ${e.message}`);
    return "error";
  }
  // It loaded: it must compile and run (bounded sizes keep this quick).
  const compiled = prepare(net);
  if (compiled.maxWidth <= 1e5) forward(compiled, new Float64Array(compiled.inputSize).fill(0.5));
  return "ok";
}

test("fuzz: mutated ONNX files fail with one-line FormatErrors or load and run", () => {
  const rng = createRandom(20240611);
  const sources = ONNX_FIXTURES.map((n) => new Uint8Array(readFileSync(join(FIXTURES, "onnx", `${n}.onnx`))));
  const tally = { ok: 0, error: 0 };
  for (let i = 0; i < 2400; i++) {
    const bytes = mutateBytes(sources[i % sources.length], rng);
    tally[check(() => importOnnx(bytes).network, `onnx case ${i}`)]++;
  }
  // Both outcomes occur often enough for the test to mean something.
  assert.ok(tally.error > 1000 && tally.ok > 20, JSON.stringify(tally));
});

test("fuzz: mutated tfjs model.json and weights, and mutated tessera JSON", () => {
  const rng = createRandom(7);
  const tally = { ok: 0, error: 0 };
  for (const name of ["mlp", "cnn"]) {
    const text = readFileSync(join(FIXTURES, "tfjs", name, "model.json"), "utf8");
    const weights = new Uint8Array(readFileSync(join(FIXTURES, "tfjs", name, "group1-shard1of1.bin")));
    for (let i = 0; i < 400; i++) {
      const mutated = mutateJson(text, rng);
      const w = i % 4 === 0 ? mutateBytes(weights, rng) : weights;
      tally[
        check(() => {
          let doc: unknown;
          try {
            doc = JSON.parse(mutated);
          } catch {
            throw new FormatError("not JSON");
          }
          return importTfjs(doc, [w]).network;
        }, `tfjs ${name} case ${i}`)
      ]++;
    }
  }
  for (const name of ["cnn", "rescnn", "branches"]) {
    const text = stringifyNetwork(importOnnx(readFileSync(join(FIXTURES, "onnx", `${name}.onnx`))).network);
    for (let i = 0; i < 250; i++) tally[check(() => parseNetwork(mutateJson(text, rng)), `json ${name} case ${i}`)]++;
  }
  assert.ok(tally.error > 100 && tally.ok > 100, JSON.stringify(tally));
});

/**
 * A fixed subset of the corpus of `npm run fuzz` (test/fuzz/generate.ts: every format, every
 * mutation class), in-process through the one loader and the line engine: each file loads or
 * fails with one line; a file holding NaN or an infinity never loads; a loaded model compiles
 * and is counted along a short segment within a cell budget (or stops at it, cleanly).
 */
test("fuzz corpus subset: 330 mutated files (9 classes x 3 formats), no stack trace, no non-finite accepted", () => {
  const cases = fuzzCases(330, 12, { maxDepth: 250 });
  const tally: Record<string, number> = {};
  const note = (key: string): void => {
    tally[key] = (tally[key] ?? 0) + 1;
  };
  for (const c of cases) {
    let network: Network;
    try {
      network = modelFromBytes(
        { name: c.model, bytes: c.files[c.model] },
        {
          weights: (p) => {
            const bytes = c.files[p];
            if (!bytes) throw new InputError(`${p}: cannot read weight file (ENOENT)`);
            return bytes;
          },
        },
      ).network;
    } catch (e) {
      if (!(e instanceof FormatError || e instanceof InputError)) throw new Error(`${c.id}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.stack}`);
      assert.ok(!e.message.includes("\n"), `${c.id}: several lines: ${e.message}`);
      note(`${c.kind} refused`);
      continue;
    }
    assert.ok(!c.nonFinite, `${c.id}: a non-finite number was accepted`);
    note(`${c.kind} loaded`);
    const compiled = prepare(network);
    if (compiled.maxWidth > 1e4) continue;
    const n0 = compiled.inputSize;
    const path = new Float64Array(2 * n0);
    for (let i = 0; i < n0; i++) {
      path[i] = -0.5;
      path[n0 + i] = 0.5;
    }
    const budget = new Budget({ maxCells: 2000, timeout: 2 });
    try {
      const pieces = linePartition(compiled, path, { budget });
      // A count stopped by its clock (a loaded machine) may end before its first piece; any other
      // count, finished or cut at the cell budget, has one.
      assert.ok(pieces.activationRegions >= 1 || budget.stopped?.reason === "timeout", `${c.id}: no piece`);
      note(budget.stopped ? "count stopped" : "counted");
    } catch (e) {
      // Weights that overflow float64 along the way: refused, never counted.
      if (!(e instanceof NumericalRefusal)) throw new Error(`${c.id}: the line engine threw ${(e as Error)?.stack}`);
      note("count refused (overflow)");
    }
  }
  for (const kind of FUZZ_CLASSES) assert.ok((tally[`${kind} refused`] ?? 0) + (tally[`${kind} loaded`] ?? 0) >= 30, `${kind}: ${JSON.stringify(tally)}`);
  assert.equal(tally["non-finite loaded"] ?? 0, cases.filter((c) => c.kind === "non-finite" && !c.nonFinite).length);
});
