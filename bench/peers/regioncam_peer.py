"""Regioncam (twanvl/regioncam, Rust with a Python module; float32) on tessera's workloads:
2-D boxes (regions = faces) and segments (each segment [A, B] as t in [0, 1] through a first
linear layer t -> A + t (B - A); regions = edges of the 1-D partition, summed over segments).
Needs the `regioncam` Python module (pip install regioncam, or maturin from a checkout).
"""
import numpy as np
import regioncam

from common import args, report, skip, timed, workloads


def float32_layers(workload):
    """The hidden layers as Regioncam takes them, converted once outside the timed runs (from JSON
    lists this takes longer than Regioncam's own work on a segment). Regioncam multiplies
    x @ weight: the transpose of PyTorch's layout."""
    return [
        (np.ascontiguousarray(np.asarray(layer["weight"], dtype=np.float32).T), np.asarray(layer["bias"], dtype=np.float32))
        for layer in workload["layers"][:-1]
    ]


def apply(rc, layers, first=None):
    if first is not None:
        rc.linear(*first)
    for weight, bias in layers:
        rc.linear(weight, bias)
        rc.relu()


def main():
    workdir, budget = args()
    for w in workloads(workdir):
        d = w["domain"]
        layers = float32_layers(w)
        if d["kind"] == "box" and w["inputSize"] == 2 and d["lo"] == -d["hi"]:
            def run():
                rc = regioncam.Regioncam(size=d["hi"])
                apply(rc, layers)
                return rc.num_faces

            regions, timing = timed(run, budget)
            report(w, "Regioncam", timing, regions=regions)
        elif d["kind"] == "segments":
            # Each segment as Regioncam's first layer t -> A + t (B - A), made before the timed runs.
            firsts = []
            for a, b in d["segments"]:
                a32, b32 = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
                firsts.append(((b32 - a32).reshape(1, -1), a32))

            def run():
                total = 0
                for first in firsts:
                    rc = regioncam.Regioncam1D((0.0, 1.0))
                    apply(rc, layers, first)
                    total += rc.num_edges
                return total

            regions, timing = timed(run, budget)
            report(w, "Regioncam", timing, regions=regions)
        else:
            skip(w, "Regioncam", "1-D and 2-D inputs only")


main()
