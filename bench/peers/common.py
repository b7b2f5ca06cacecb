"""Shared by the peer scripts: the workloads tessera exported (bench/peers/run.ts) and timing.

Each workload file (WORKDIR/NAME.json) holds the float64 weights of an MLP as tessera builds
it ("layers": [{"weight": rows x cols, "bias": rows}], PyTorch's layout) and its domain: a box
[lo, hi]^n0, or a list of segments [[A], [B]]. Every script prints one JSON object per line:
{"workload", "tool", "seconds" (median of the warm runs), "first" (the first run), "cpu" (median
CPU seconds of the warm runs), "runs", "regions" or "vertices", "note"}.
"""
import json
import os
import statistics
import sys
import time


def workloads(workdir):
    with open(os.path.join(workdir, "workloads.json")) as f:
        names = json.load(f)
    for name in names:
        with open(os.path.join(workdir, f"{name}.json")) as f:
            yield json.load(f)


def timed(fn, budget):
    """Run fn once; three more times (median of those) when the first run took under budget/3.
    Returns fn's result and the timing: wall seconds ("first", "seconds") and the process's CPU
    seconds ("cpu", median over the same runs; all threads), which a loaded machine inflates
    less than the wall time of a single-threaded run."""

    def one():
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - w0, time.process_time() - c0

    result, first, first_cpu = one()
    walls, cpus = [first], [first_cpu]
    if first * 3 < budget:
        walls, cpus = [], []
        for _ in range(3):
            result, wall, cpu = one()
            walls.append(wall)
            cpus.append(cpu)
    return result, {"first": first, "seconds": statistics.median(walls), "cpu": statistics.median(cpus), "runs": len(walls)}


def report(workload, tool, timing, **counts):
    print(json.dumps({"workload": workload["name"], "tool": tool, **timing, **counts}), flush=True)


def skip(workload, tool, why):
    print(json.dumps({"workload": workload["name"], "tool": tool, "skipped": why}), flush=True)


def threads():
    """Threads for PyTorch: PEERS_THREADS (default 1: every tool single-threaded, as tessera)."""
    return int(os.environ.get("PEERS_THREADS", "1"))


def args():
    if len(sys.argv) < 2:
        sys.exit(f"usage: {sys.argv[0]} WORKDIR")
    return sys.argv[1], float(os.environ.get("PEERS_BUDGET", "300"))
