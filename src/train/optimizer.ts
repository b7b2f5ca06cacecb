/**
 * SGD (with optional momentum) and Adam over the trainer's parameter list. Weight decay applies
 * to weights only (not biases): for SGD as an L2 term added to the gradient, for Adam decoupled
 * as in AdamW (Loshchilov & Hutter 2019), so it is not rescaled by Adam's step size per weight.
 * The state (moments, step count) exports to plain numbers so a resumed run continues exactly.
 */
import type { Param } from "./trainable.ts";

export const OPTIMIZERS = ["sgd", "adam"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerOptions {
  name: OptimizerName;
  learningRate: number;
  /** SGD momentum (0 for plain SGD). */
  momentum?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface OptimizerState {
  name: OptimizerName;
  step: number;
  /** Per parameter: first moment (adam) or velocity (sgd with momentum). */
  first: number[][];
  /** Per parameter: second moment (adam only). */
  second: number[][];
}

export interface Optimizer {
  step(): void;
  /** Change the step size from the next step on (learning-rate schedules). */
  setLearningRate(rate: number): void;
  exportState(): OptimizerState;
  importState(state: OptimizerState): void;
}

export function createOptimizer(params: Param[], options: OptimizerOptions): Optimizer {
  let lr = options.learningRate;
  const wd = options.weightDecay ?? 0;
  const momentum = options.momentum ?? 0;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  const first = params.map((p) => new Float64Array(p.value.length));
  const second = params.map((p) => new Float64Array(options.name === "adam" ? p.value.length : 0));
  let t = 0;
  const sgd = (): void => {
    params.forEach((p, k) => {
      const { value, grad } = p;
      const decay = p.decay ? wd : 0;
      const vel = first[k];
      for (let i = 0; i < value.length; i++) {
        const g = grad[i] + decay * value[i];
        if (momentum > 0) {
          vel[i] = momentum * vel[i] + g;
          value[i] -= lr * vel[i];
        } else value[i] -= lr * g;
      }
    });
  };
  const adam = (): void => {
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    const stepSize = lr / c1;
    params.forEach((p, k) => {
      const { value, grad } = p;
      const m = first[k];
      const v = second[k];
      const decay = p.decay ? lr * wd : 0;
      for (let i = 0; i < value.length; i++) {
        const g = grad[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        value[i] -= (stepSize * m[i]) / (Math.sqrt(v[i] / c2) + eps) + decay * value[i];
      }
    });
  };
  return {
    step() {
      t++;
      if (options.name === "adam") adam();
      else sgd();
    },
    setLearningRate(rate) {
      lr = rate;
    },
    exportState: () => ({
      name: options.name,
      step: t,
      first: first.map((a) => Array.from(a)),
      second: second.map((a) => Array.from(a)),
    }),
    importState(state) {
      if (state.name !== options.name) throw new Error(`optimizer state is for ${state.name}, the run uses ${options.name}`);
      if (state.first.length !== params.length) throw new Error(`optimizer state has ${state.first.length} tensors, the model has ${params.length}`);
      params.forEach((p, k) => {
        if (state.first[k].length !== p.value.length || state.second[k].length !== second[k].length) {
          throw new Error(`optimizer state tensor ${k} does not match ${p.name}`);
        }
        first[k].set(state.first[k]);
        second[k].set(state.second[k]);
      });
      t = state.step;
    },
  };
}
