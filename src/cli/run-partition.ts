/**
 * The CLI's call of `partition()`: the engine the library chooses, timed, with the library's
 * refusals as one-line user errors that name what works instead.
 */
import { DomainError } from "../domain/domain.ts";
import type { Compiled } from "../model/forward.ts";
import { EngineRefusal } from "../regions/engines.ts";
import type { Budget } from "../regions/limits.ts";
import type { Partition } from "../regions/partition.ts";
import { partition } from "../regions/partition-domain.ts";
import { SpaceLimitError } from "../regions/space.ts";
import { UserError } from "./errors.ts";
import type { CliDomain } from "./region-domain.ts";

/** What works when no exact engine can enumerate a domain. */
export const WHAT_WORKS = 'count along a segment (--line "A;B"), in a plane (--plane "P1;P2;P3"), or estimate with tessera stats MODEL --data FILE';

/** A refusal of the library as the CLI says it (one line). */
export function refusalMessage(e: EngineRefusal): string {
  return e.dimension > 2 ? `${e.message}; ${WHAT_WORKS}` : e.message;
}

/** Partition the domain (engine time only, not loading); refusals and the space engine's memory guard are user errors. */
export function timedPartition(compiled: Compiled, where: CliDomain, budget?: Budget, engine?: string, points?: boolean): { partition: Partition; seconds: number } {
  const t0 = performance.now();
  try {
    const result = partition(compiled, where.domain, {
      ...(budget ? { budget } : {}),
      ...(engine !== undefined && engine !== "auto" ? { engine } : {}),
      ...(points !== undefined ? { points } : {}),
    });
    return { partition: result, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    if (e instanceof EngineRefusal) throw new UserError(refusalMessage(e));
    // Too many regions for memory is the user's to fix (a smaller box), not a bug.
    if (e instanceof SpaceLimitError || e instanceof DomainError) throw new UserError(e.message);
    throw e;
  }
}
