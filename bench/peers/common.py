"""Shared by the peer scripts: the workloads tessera exported (bench/peers/run.ts) and timing.

Each workload file (WORKDIR/NAME.json) holds the float64 weights of an MLP as tessera builds
it ("layers": [{"weight": rows x cols, "bias": rows}], PyTorch's layout) and its domain: a box
[lo, hi]^n0, or a list of segments [[A], [B]]. Every script prints one JSON object per line:
{"workload", "tool", "seconds" (median of the warm runs), "first" (the first run), "runs",
"regions" or "vertices", "note"}.
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
    """Run fn once; again twice more (median of those) when the first run took under budget/3."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    runs = [first]
    if first * 3 < budget:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - t0)
    return result, first, statistics.median(runs), len(runs)


def report(workload, tool, first, seconds, runs, **counts):
    print(json.dumps({"workload": workload["name"], "tool": tool, "first": first, "seconds": seconds, "runs": runs, **counts}), flush=True)


def skip(workload, tool, why):
    print(json.dumps({"workload": workload["name"], "tool": tool, "skipped": why}), flush=True)


def threads():
    """Threads for PyTorch: PEERS_THREADS (default 1: every tool single-threaded, as tessera)."""
    return int(os.environ.get("PEERS_THREADS", "1"))


def args():
    if len(sys.argv) < 2:
        sys.exit(f"usage: {sys.argv[0]} WORKDIR")
    return sys.argv[1], float(os.environ.get("PEERS_BUDGET", "300"))
