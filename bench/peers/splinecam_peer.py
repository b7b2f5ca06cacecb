"""SplineCam (Humayun et al., CVPR 2023) on tessera's 2-D box workloads, in float64 on the CPU
(its code asks for CUDA in many places; cpu_for_cuda() maps those to the CPU).
Needs SPLINECAM_DIR: a checkout of AhmedImtiazPrio/splinecam (and graph-tool, python-igraph,
networkx). Regions = the polygons SplineCam returns for the square.
"""
import os
import sys

# SplineCam was written for PyTorch 1.12: newer TorchScript refuses some of its scripted helpers
# at import. With TorchScript off they run as plain Python (same arithmetic).
os.environ.setdefault("PYTORCH_JIT", "0")

import torch  # noqa: E402


def cpu_for_cuda():
    """SplineCam asks for the 'cuda' device in many places: send those to the CPU."""

    def fix(kwargs):
        if str(kwargs.get("device", "")).startswith("cuda"):
            kwargs["device"] = "cpu"
        return kwargs

    for name in ["tensor", "as_tensor", "zeros", "ones", "empty", "full", "arange", "eye", "linspace", "rand", "randn", "randint", "zeros_like", "ones_like", "empty_like", "full_like"]:
        original = getattr(torch, name)
        setattr(torch, name, (lambda f: lambda *a, **k: f(*a, **fix(k)))(original))
    to = torch.Tensor.to
    torch.Tensor.to = lambda self, *a, **k: to(self, *[("cpu" if isinstance(x, str) and x.startswith("cuda") else x) for x in a], **fix(k))
    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.nn.Module.cuda = lambda self, *a, **k: self


cpu_for_cuda()

from common import args, report, skip, threads, timed, workloads  # noqa: E402

sys.path.insert(0, os.environ["SPLINECAM_DIR"])
try:
    import torchvision  # noqa: F401, E402  (splinecam.models imports it; these MLPs do not use it)
except Exception:
    # A torchvision built for another PyTorch fails at import: an empty stand-in serves here.
    import types  # noqa: E402

    sys.modules["torchvision"] = types.ModuleType("torchvision")
    sys.modules["torchvision"].models = types.ModuleType("torchvision.models")
import splinecam  # noqa: E402


def network(workload):
    layers = []
    for i, layer in enumerate(workload["layers"]):
        fc = torch.nn.Linear(len(layer["weight"][0]), len(layer["bias"]))
        with torch.no_grad():
            fc.weight.copy_(torch.tensor(layer["weight"], dtype=torch.float64))
            fc.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float64))
        layers.append(fc)
        if i < len(workload["layers"]) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    model.eval()
    return model.type(torch.float64)


def main():
    workdir, budget = args()
    torch.set_num_threads(threads())
    for w in workloads(workdir):
        if w["domain"]["kind"] != "box" or w["inputSize"] != 2:
            skip(w, "SplineCam", "2-D boxes only")
            continue
        if w.get("slowPeers") and "SplineCam" not in w.get("runPeers", []):
            skip(w, "SplineCam", "not timed on this workload (too slow for the run)")
            continue
        lo, hi = w["domain"]["lo"], w["domain"]["hi"]
        domain = torch.tensor([[lo, lo], [hi, lo], [hi, hi], [lo, hi], [lo, lo]], dtype=torch.float64)
        T = splinecam.utils.get_proj_mat(domain)
        NN = splinecam.wrappers.model_wrapper(network(w), input_shape=(2,), T=T, dtype=torch.float64, device="cpu")

        def run():
            return splinecam.compute.get_partitions_with_db(domain, T, NN)

        (regions, _, _), timing = timed(run, budget)
        report(w, "SplineCam", timing, regions=len(regions))


main()
