/**
 * What tessera throws when float64 cannot carry a computation exactly enough to answer, instead
 * of answering: values that overflow (weights near 1e300) or fall below the normal range
 * (1e-310), in a forward pass or an engine's maps. The CLI prints it as one line (exit 1).
 * Checks and messages: regions/refusal.ts (engines), model/forward.ts (forward passes).
 */
export class NumericalRefusal extends Error {
  override name = "NumericalRefusal";
}
