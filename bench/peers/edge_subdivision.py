"""Edge subdivision (Berzins 2023, PyTorch) on tessera's workloads: 2-D boxes (regions from
Euler's formula for the planar graph, F = E - V + 1) and 3-D boxes (vertices, as the method
reports them). Needs EDGE_SUBDIVISION_DIR: a checkout of arturs-berzins/relu_edge_subdivision.
The method computes in float32 (its vertices are float32); the weights are tessera's float64
ones, rounded by PyTorch.
"""
import os
import sys

import torch

from common import args, report, skip, threads, timed, workloads

sys.path.insert(0, os.environ["EDGE_SUBDIVISION_DIR"])
from NN import Net  # noqa: E402
from edge_subdivision import skeletal_subdivision  # noqa: E402


def network(workload):
    # Only the hidden layers: the method splits on every layer's units, so the network without
    # its output layer has the activation regions of the whole one.
    hidden = workload["layers"][:-1]
    ks = [workload["inputSize"]] + [len(layer["bias"]) for layer in hidden]
    f = Net(ks=ks)
    with torch.no_grad():
        for fc, layer in zip(f.fcs, hidden):
            fc.weight.copy_(torch.tensor(layer["weight"], dtype=torch.float64))
            fc.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float64))
    return f


def main():
    workdir, budget = args()
    torch.set_num_threads(threads())
    for w in workloads(workdir):
        if w["domain"]["kind"] != "box" or w["inputSize"] not in (2, 3):
            skip(w, "edge subdivision", "boxes in 2 or 3 dimensions only")
            continue
        if w.get("slowPeers") and "edge subdivision" not in w.get("runPeers", []):
            skip(w, "edge subdivision", "not timed on this workload (too slow for the run)")
            continue
        f = network(w)
        lo, hi = w["domain"]["lo"], w["domain"]["hi"]

        def run():
            with torch.no_grad():
                return skeletal_subdivision(f, bbox=(lo, hi), device="cpu", verbose=False)

        (vs, edges, _), timing = timed(run, budget)
        if w["inputSize"] == 2:
            report(w, "edge subdivision", timing, regions=len(edges) - len(vs) + 1, vertices=len(vs))
        else:
            report(w, "edge subdivision", timing, vertices=len(vs), edges=len(edges))


main()
