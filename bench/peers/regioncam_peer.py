"""Regioncam (twanvl/regioncam, Rust with a Python module; float32) on tessera's workloads:
2-D boxes (regions = faces) and segments (each segment [A, B] as t in [0, 1] through a first
linear layer t -> A + t (B - A); regions = edges of the 1-D partition, summed over segments).
Needs the `regioncam` Python module (pip install regioncam, or maturin from a checkout).
"""
import numpy as np
import regioncam

from common import args, report, skip, timed, workloads


def apply(rc, workload, first=None):
    layers = workload["layers"]
    if first is not None:
        rc.linear(*first)
    for i, layer in enumerate(layers[:-1]):
        # Regioncam multiplies x @ weight: the transpose of PyTorch's layout.
        rc.linear(np.asarray(layer["weight"], dtype=np.float32).T.copy(), np.asarray(layer["bias"], dtype=np.float32))
        rc.relu()


def main():
    workdir, budget = args()
    for w in workloads(workdir):
        d = w["domain"]
        if d["kind"] == "box" and w["inputSize"] == 2 and d["lo"] == -d["hi"]:
            def run():
                rc = regioncam.Regioncam(size=d["hi"])
                apply(rc, w)
                return rc.num_faces

            regions, first, seconds, runs = timed(run, budget)
            report(w, "Regioncam", first, seconds, runs, regions=regions)
        elif d["kind"] == "segments":
            segments = [(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)) for a, b in d["segments"]]

            def run():
                total = 0
                for a, b in segments:
                    rc = regioncam.Regioncam1D((0.0, 1.0))
                    apply(rc, w, first=((b - a).reshape(1, -1), a))
                    total += rc.num_edges
                return total

            regions, first, seconds, runs = timed(run, budget)
            report(w, "Regioncam", first, seconds, runs, regions=regions)
        else:
            skip(w, "Regioncam", "1-D and 2-D inputs only")


main()
