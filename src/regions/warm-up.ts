/**
 * The plane engine's opt-in idle warm-up (src/index.ts exports it): a first count in a fresh
 * process pays V8's compiles, which a program that imports the library early can move into idle
 * time.
 */
import { box } from "../domain/domain.ts";
import { mlp } from "../model/build/mlp.ts";
import { partition } from "./partition-domain.ts";

/** Whether the idle warm-up was scheduled, and whether it ran (tests read it). */
export const idleWarmUp = { scheduled: false, ran: false };

/**
 * Two small plane counts (2-32x2-1 over [-1,1]^2, about 850 cells each) the first time the
 * process is idle (a timer), once, when a program asks for them (opt-in: importing the library
 * runs nothing; a server or a notebook that imports it well before its first count asks). A
 * first count in a fresh process runs the plane engine cold: V8 compiles its JavaScript and
 * WebAssembly on first use and, while the count runs, recompiles the kernel's hot functions on
 * background threads, which on a busy machine take the count's core (docs/performance.md, "Issue
 * 17, first call, Dec 8 round"). After the warm-up a count starts with that done: one count
 * leaves 4-8 smaller kernel functions to be recompiled in the next, two leave almost none. A
 * count that comes before the timer is unchanged (the timer fires after it), and the timer does
 * not keep Node running (unref where the host has it). The results,
 * and any error, are dropped: the engines keep no state between counts that changes a result.
 * It costs about 10 ms of CPU (a third of it background compiles) and 1-1.5 MB, once; without
 * WebAssembly it is not scheduled (the JavaScript engine's cold count takes 10-40x longer, too
 * much for idle time).
 */
export function warmUpWhenIdle(): void {
  if (idleWarmUp.scheduled || typeof WebAssembly !== "object") return;
  idleWarmUp.scheduled = true;
  const warmUp = (): void => {
    try {
      for (const seed of [1, 2]) partition(mlp([2, 32, 32, 1], { init: "uniform", seed }), box(-1, 1, 2));
      idleWarmUp.ran = true;
    } catch {
      // Nothing to report: the count the user asks for later says what is wrong, if anything is.
    }
  };
  try {
    const timer: unknown = setTimeout(warmUp, 0);
    (timer as { unref?: () => void }).unref?.();
  } catch {
    // Hosts that allow no timer while a module loads (some serverless runtimes): no warm-up.
  }
}
