/** Shared test helpers for the io tests: fixtures, forward comparison, CLI capture. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Compiled, forward, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { tesseraInProcess } from "../cli/cli-harness.ts";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures");
export const ONNX_FIXTURES = ["mlp", "cnn", "residual-mlp", "activations", "branches", "rescnn"];

export interface Reference {
  inputShape: number[];
  inputs: number[][];
  outputs: number[][];
}

export function readReference(path: string): Reference {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Largest relative error |a - b| / |b| (|b| floored at 1e-6) of the network against the reference. */
export function worstRelativeError(net: Network | Compiled, ref: Reference): number {
  const compiled = "steps" in net ? net : prepare(net);
  let worst = 0;
  ref.inputs.forEach((x, i) => {
    const y = forward(compiled, x).output;
    assert.equal(y.length, ref.outputs[i].length, "output size");
    ref.outputs[i].forEach((v, j) => {
      worst = Math.max(worst, Math.abs(y[j] - v) / Math.max(Math.abs(v), 1e-6));
    });
  });
  return worst;
}

/** Run the CLI in-process; returns exit code, stdout and stderr (the shared harness). */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await tesseraInProcess(args);
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}
