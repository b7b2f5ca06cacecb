/**
 * Hanin & Rolnick (2019): expected complexity of random piecewise-linear networks.
 *
 * Their assumptions: every neuron's pre-activation z has gradient moments E||grad z||^m <= C_grad^m,
 * and the biases have conditional densities bounded by C_bias. What we compute, for N neurons and
 * given C_grad, C_bias (all exact rationals of the float64 inputs):
 *
 * - hanin2019-line: 1 + T N C_grad C_bias, the expected number of regions met by a segment of
 *   length T. Derivation (Kac-Rice, as in their proof): neuron z switches on the segment x(t) at
 *   the zeros of z(x(t)) - b; their expected number is the integral over t of
 *   E[|d/dt z(x(t))| rho_b(z(x(t)))] <= T C_grad C_bias. Summed over neurons, plus the first
 *   region. The paper proves a matching lower bound of the same order, so it is the expected count
 *   up to constants; we label it `expected`.
 * - hanin2019-boundary-volume: N * 2 C_grad C_bias, their bound C(N, k) (2 C_grad C_bias)^k on the
 *   expected (n0 - k)-volume of the region boundaries per unit input volume, for k = 1.
 * - hanin2019-regions-per-volume: (2 C_grad C_bias N)^{n0} / n0!, the expected number of regions
 *   per unit input volume from the companion paper (Hanin & Rolnick, NeurIPS 2019); the constant
 *   in front of C_grad C_bias is stated there only up to a universal factor, so this is an
 *   order-of-magnitude figure (docs/bounds.md).
 *
 * `estimateHaninConstants` estimates the two constants for a given network by sampling inputs
 * (labelled as an estimate): C_grad = sqrt(mean ||grad z||^2) over sampled points and neurons, and
 * C_bias = mean density of (z - breakpoint) at 0 (a uniform-kernel density estimate per unit,
 * Silverman bandwidth). For a given initialisation, average over several seeded networks
 * (`estimateForInit`). It also returns the sampled crossing density along random directions,
 * sum_z E[|grad z . u| delta(z - t)], an estimate of the boundary points per unit length.
 */
import { applyStates, type Compiled, prepare, pushAffine, unitState } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { createRandom } from "../model/random.ts";
import { applyStack, unitCount } from "../model/steps.ts";
import { binomial, Rational } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/** What Hanin and Rolnick's expected counts need: sizes and the constants C_grad, C_bias. */
export interface HaninInputs {
  n0: number;
  /** Number of neurons (piecewise-linear units). */
  neurons: number;
  cGrad: number;
  cBias: number;
  /** Segment length for hanin2019-line (default 1). */
  length?: number;
}

/** Hanin and Rolnick's (2019) expected number of regions along a segment and per unit volume. */
export function hanin2019Bounds(inputs: HaninInputs | null, missing = "needs C_grad and C_bias"): BoundResult[] {
  const titles = {
    line: "1 + T N C_grad C_bias regions along a segment of length T",
    boundary: "N * 2 C_grad C_bias: boundary volume per unit volume",
    volume: "(2 C_grad C_bias N)^n0 / n0!: regions per unit volume",
  };
  if (!inputs) {
    return [
      notApplicable("hanin2019-line", "expected", titles.line, CITATIONS.hanin2019, missing),
      notApplicable("hanin2019-boundary-volume", "expected", titles.boundary, CITATIONS.hanin2019, missing),
      notApplicable("hanin2019-regions-per-volume", "expected", titles.volume, CITATIONS.hanin2019b, missing),
    ];
  }
  const { n0, neurons } = inputs;
  for (const [name, v] of [
    ["C_grad", inputs.cGrad],
    ["C_bias", inputs.cBias],
    ["segment length", inputs.length ?? 1],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a finite non-negative number, got ${v}`);
  }
  const g = Rational.fromNumber(inputs.cGrad);
  const b = Rational.fromNumber(inputs.cBias);
  const T = Rational.fromNumber(inputs.length ?? 1);
  const N = new Rational(BigInt(neurons));
  const gb = g.mul(b);
  const line = new Rational(1n).add(T.mul(N).mul(gb));
  const two = new Rational(2n);
  const boundary = new Rational(binomial(neurons, 1)).mul(two.mul(gb));
  let factorial = 1n;
  for (let i = 2; i <= n0; i++) factorial *= BigInt(i);
  const volume = two.mul(gb).mul(N).pow(n0).div(new Rational(factorial));
  const details = {
    cGrad: inputs.cGrad,
    cBias: inputs.cBias,
    length: inputs.length ?? 1,
    neurons,
  };
  return [
    applies("hanin2019-line", "expected", titles.line, CITATIONS.hanin2019, line, details),
    applies("hanin2019-boundary-volume", "expected", titles.boundary, CITATIONS.hanin2019, boundary, details),
    applies("hanin2019-regions-per-volume", "expected", titles.volume, CITATIONS.hanin2019b, volume, details),
  ];
}

/** C_grad and C_bias estimated by sampling a network. */
export interface HaninEstimate {
  cGrad: number;
  cBias: number;
  /** Sampled boundary crossings per unit length along random directions (sum over neurons). */
  crossingsPerLength: number;
  neurons: number;
  samples: number;
}

export interface EstimateOptions {
  samples?: number;
  /** Inputs are sampled uniformly in [lo, hi]^n0 (default [-1, 1]). */
  lo?: number;
  hi?: number;
  seed?: number;
}

/** Estimate C_grad, C_bias and the crossing density of one network by sampling inputs. */
export function estimateHaninConstants(network: Network, options: EstimateOptions = {}): HaninEstimate {
  const compiled = prepare(network);
  const samples = options.samples ?? 2000;
  const lo = options.lo ?? -1;
  const hi = options.hi ?? 1;
  if (!(hi > lo)) throw new Error(`sampling box needs lo < hi, got [${lo}, ${hi}]`);
  const rng = createRandom(options.seed ?? 1);
  const n0 = compiled.inputSize;
  const channels = n0 + 1;
  // Per (breakpoint of a) neuron, per sample: signed distance to the breakpoint, gradient norm^2,
  // and |directional derivative| along a random unit direction.
  const records = neuronRecords(compiled);
  const gaps = new Float64Array(records * samples);
  const grad2 = new Float64Array(records * samples);
  const dirAbs = new Float64Array(records * samples);
  const x = new Float64Array(n0);
  const u = new Float64Array(n0);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n0; i++) x[i] = rng.uniform(lo, hi);
    let norm = 0;
    for (let i = 0; i < n0; i++) {
      u[i] = rng.normal();
      norm += u[i] * u[i];
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n0; i++) u[i] /= norm;
    traceGradients(compiled, x, channels, (r, gap, grad) => {
      let g2 = 0;
      let du = 0;
      for (let i = 0; i < n0; i++) {
        g2 += grad[i] * grad[i];
        du += grad[i] * u[i];
      }
      gaps[r * samples + s] = gap;
      grad2[r * samples + s] = g2;
      dirAbs[r * samples + s] = Math.abs(du);
    });
  }
  let sumG2 = 0;
  for (let i = 0; i < grad2.length; i++) sumG2 += grad2[i];
  let densitySum = 0;
  let crossings = 0;
  for (let r = 0; r < records; r++) {
    const h = bandwidth(gaps, r * samples, samples);
    if (!(h > 0)) continue;
    let near = 0;
    let cross = 0;
    for (let s = 0; s < samples; s++) {
      if (Math.abs(gaps[r * samples + s]) < h) {
        near++;
        cross += dirAbs[r * samples + s];
      }
    }
    densitySum += near / (2 * h * samples);
    crossings += cross / (2 * h * samples);
  }
  return {
    cGrad: records > 0 ? Math.sqrt(sumG2 / (records * samples)) : 0,
    cBias: records > 0 ? densitySum / records : 0,
    crossingsPerLength: crossings,
    neurons: compiled.layout.units,
    samples,
  };
}

/** Average the estimates over networks built from seeds 1..count (an initialisation's constants). */
export function estimateForInit(build: (seed: number) => Network, count = 5, options: EstimateOptions = {}): HaninEstimate {
  const all = Array.from({ length: count }, (_, i) =>
    estimateHaninConstants(build(i + 1), {
      ...options,
      seed: (options.seed ?? 1) + 1000 * i,
    }),
  );
  const mean = (f: (e: HaninEstimate) => number): number => all.reduce((s, e) => s + f(e), 0) / count;
  return {
    cGrad: Math.sqrt(mean((e) => e.cGrad * e.cGrad)),
    cBias: mean((e) => e.cBias),
    crossingsPerLength: mean((e) => e.crossingsPerLength),
    neurons: all[0].neurons,
    samples: all.reduce((s, e) => s + e.samples, 0),
  };
}

/** Silverman's rule for a uniform kernel: h = 1.06 sigma n^(-1/5) (robust sigma). */
function bandwidth(values: Float64Array, offset: number, n: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[offset + i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[offset + i] - mean) ** 2;
  const sigma = Math.sqrt(v / Math.max(1, n - 1));
  return 1.06 * sigma * n ** -0.2;
}

/** Number of (neuron, breakpoint) records: one per breakpoint of elementwise units, one per maxout unit. */
function neuronRecords(compiled: Compiled): number {
  let r = 0;
  for (const step of compiled.steps) {
    if (step.kind === "elementwise") r += step.size * step.breakpoints.length;
    else if (step.kind === "max") r += step.outSize;
  }
  return r;
}

/**
 * Forward pass carrying the input gradient of every activation (n0 + 1 channels: value and d/dx_i),
 * reporting for each record the gap to its breakpoint and the gradient of that gap. For maxout
 * the gap is (best - second best) piece, whose zero set is the unit's boundary.
 */
function traceGradients(compiled: Compiled, x: Float64Array, channels: number, report: (record: number, gap: number, grad: Float64Array) => void): void {
  const n0 = compiled.inputSize;
  let cur: Float64Array = new Float64Array(channels * n0);
  cur.set(x, 0);
  for (let i = 0; i < n0; i++) cur[(i + 1) * n0 + i] = 1;
  const stack: Float64Array[] = [];
  const grad = new Float64Array(n0);
  let record = 0;
  for (const step of compiled.steps) {
    if (step.kind === "affine") {
      const next = new Float64Array(channels * step.outSize);
      pushAffine(step, cur, next, channels);
      cur = next;
      continue;
    }
    if (step.kind === "elementwise" || step.kind === "max") {
      const size = step.kind === "elementwise" ? step.size : step.inSize;
      const units = unitCount(step);
      const states = new Uint8Array(units);
      for (let j = 0; j < units; j++) states[j] = unitState(step, cur, 0, j);
      if (step.kind === "elementwise") {
        for (let j = 0; j < units; j++) {
          for (let c = 0; c < n0; c++) grad[c] = cur[(c + 1) * size + j];
          for (let t = 0; t < step.breakpoints.length; t++) report(record++, cur[j] - step.breakpoints[t], grad);
        }
      } else {
        for (let j = 0; j < units; j++) {
          const start = step.offsets[j];
          const end = step.offsets[j + 1];
          const best = step.indices[start + states[j]];
          let second = -1;
          for (let p = start; p < end; p++) {
            const i = step.indices[p];
            if (i !== best && (second < 0 || cur[i] > cur[second])) second = i;
          }
          if (second < 0) {
            grad.fill(0);
            report(record++, Number.POSITIVE_INFINITY, grad);
            continue;
          }
          for (let c = 0; c < n0; c++) grad[c] = cur[(c + 1) * size + best] - cur[(c + 1) * size + second];
          report(record++, cur[best] - cur[second], grad);
        }
      }
      const next = new Float64Array(channels * units);
      applyStates(step, states, cur, next, channels);
      cur = next;
      continue;
    }
    cur = applyStack(step, cur, stack, channels);
  }
}
