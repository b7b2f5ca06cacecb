#!/usr/bin/env python3
"""Make the ONNX and TensorFlow.js fixtures in test/fixtures/ from real PyTorch models.

Run from the repository root with Debian's torch (apt-get install python3-torch):
    /usr/bin/python3 scripts/make-onnx-fixtures.py

Each ONNX fixture is written by torch.onnx.export (opset 13, constant folding off so batch norm
stays a BatchNormalization node) beside a reference file NAME.json holding a handful of inputs
and torch's outputs for them, computed in float64 from the same (float32) weights. A trailing
Softmax is part of the exported graph but not of the reference: tessera drops it and reports
the logits.

The tfjs fixtures are Keras "layers-model" files (model.json + one weight shard) written here by
hand in the format tfjs.converters / model.save() produce; their references come from an
equivalent torch model (channels-last input, Keras weight layouts transposed to torch's).
"""
import json
import os
import struct

import torch
from torch import nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
ONNX_DIR = os.path.join(ROOT, "onnx")
TFJS_DIR = os.path.join(ROOT, "tfjs")
SAMPLES = 5


def randomize_bn(bn):
    with torch.no_grad():
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 1.5)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)


def reference(body, shape, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(SAMPLES, *shape, generator=g)
    with torch.no_grad():
        y = body.double()(x.double())
    body.float()
    return x, y


def write_reference(path, shape, x, y):
    with open(path, "w") as f:
        json.dump({"inputShape": list(shape), "inputs": x.reshape(SAMPLES, -1).double().tolist(), "outputs": y.reshape(SAMPLES, -1).tolist()}, f)
        f.write("\n")


def export(name, model, shape, body=None, seed=1, double=False):
    """Export `model`; the reference is `body` (the model without a trailing softmax)."""
    model.eval()
    body = body or model
    x, y = reference(body, shape, seed)
    if double:
        model.double()
    dummy = torch.zeros(1, *shape, dtype=torch.float64 if double else torch.float32)
    path = os.path.join(ONNX_DIR, name + ".onnx")
    # PRESERVE (with the model in eval mode) skips the exporter's eval peephole, which would fuse
    # batch norm into the convolution: the BatchNormalization node stays in the graph.
    torch.onnx.export(model, dummy, path, opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    write_reference(os.path.join(ONNX_DIR, name + ".json"), shape, x, y)
    print(f"{path}: {os.path.getsize(path)} bytes")


class Normalize(nn.Module):
    """(x - mean) / std with per-feature buffers: Sub and Div by initializers."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))

    def forward(self, x):
        return (x - self.mean) / self.std


class ScalarNormalize(nn.Module):
    """(x - 0.5) * 4: Sub and Mul by scalar constants (Constant nodes)."""

    def forward(self, x):
        return (x - 0.5) * 4.0


class Block(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.a = nn.Linear(n, n)
        self.b = nn.Linear(n, n)

    def forward(self, h):
        return h + self.b(F.relu(self.a(h)))


class Branches(nn.Module):
    """Concat and elementwise Max of two branches, MatMul without bias, Sum of three."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 5)
        self.b = nn.Linear(4, 5)
        self.w = nn.Parameter(torch.randn(4, 5) * 0.5)
        self.head = nn.Linear(15, 3)

    def forward(self, x):
        a = self.a(x)
        b = self.b(x)
        c = x @ self.w
        joined = torch.cat([F.relu(a), torch.max(a, b), F.relu(a + b - c)], 1)
        return self.head(joined)


class ResCNN(nn.Module):
    """Strided conv stem, a residual conv block with batch norm, max-pool with padding and
    ceil mode, dilated conv, average pool with count_include_pad, global average pool, and
    x.view(x.size(0), -1) (Shape, Gather, Unsqueeze, Concat, Reshape)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(2, 4, 3, stride=2, padding=1)
        self.c1 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(4)
        self.c2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.dil = nn.Conv2d(4, 6, 3, padding=2, dilation=2)
        self.avg = nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=True)
        self.head = nn.Linear(6, 3)
        randomize_bn(self.b1)
        randomize_bn(self.b2)

    def forward(self, x):
        h = F.relu(self.stem(x))
        h = F.relu(h + self.b2(self.c2(F.relu(self.b1(self.c1(h))))))
        h = self.pool(h)
        h = F.relu(self.dil(h))
        h = self.avg(h)
        h = F.adaptive_avg_pool2d(h, 1)
        h = h.view(h.size(0), -1)
        return self.head(h)


def onnx_fixtures():
    torch.manual_seed(0)
    mlp = nn.Sequential(Normalize([0.1, -0.2, 0.3, 0.0], [1.5, 0.5, 2.0, 1.0]),
                        nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
    export("mlp", mlp, (4,))

    body = nn.Sequential(ScalarNormalize(), nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, groups=2), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(6, 3))
    randomize_bn(body[2])
    export("cnn", nn.Sequential(body, nn.Softmax(dim=1)), (1, 8, 8), body=body, seed=2)

    bn = nn.BatchNorm1d(6)
    randomize_bn(bn)
    bn.eval()
    residual = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), Block(6), Block(6), bn, nn.Linear(6, 2))
    export("residual-mlp", residual, (4,), seed=3)

    activations = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.1), nn.Linear(8, 8), nn.Hardtanh(),
                                nn.Linear(8, 8), nn.ReLU6(), nn.Linear(8, 6), nn.PReLU(6), nn.Linear(6, 4))
    with torch.no_grad():
        activations[7].weight.copy_(torch.tensor([0.1, -0.2, 0.3, 0.05, 0.5, 0.25]))
    export("activations", activations, (3,), seed=4)

    export("branches", Branches(), (4,), seed=5, double=True)
    export("rescnn", ResCNN(), (2, 9, 9), seed=6)


# --------------------------------------------------------------------------------------------
# tfjs layers-model fixtures


def write_tfjs(name, topology, weights, shape, x, y):
    """weights: list of (name, tensor in Keras layout)."""
    folder = os.path.join(TFJS_DIR, name)
    os.makedirs(folder, exist_ok=True)
    blob = b"".join(struct.pack(f"<{t.numel()}f", *t.flatten().tolist()) for _, t in weights)
    with open(os.path.join(folder, "group1-shard1of1.bin"), "wb") as f:
        f.write(blob)
    manifest = [{"paths": ["group1-shard1of1.bin"],
                 "weights": [{"name": n, "shape": list(t.shape), "dtype": "float32"} for n, t in weights]}]
    doc = {"format": "layers-model", "generatedBy": "keras v2.13.1", "convertedBy": "TensorFlow.js Converter v4.10.0",
           "modelTopology": topology, "weightsManifest": manifest}
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    write_reference(os.path.join(folder, "reference.json"), shape, x, y)
    print(f"{folder}: {len(blob)} weight bytes")


def dense_kernel(linear):
    return linear.weight.detach().t().contiguous()  # Keras: [in, out]


def conv_kernel(conv):
    return conv.weight.detach().permute(2, 3, 1, 0).contiguous()  # Keras: [kh, kw, in, out]


def tfjs_fixtures():
    torch.manual_seed(10)
    # Sequential MLP: Dense(relu), Dense, LeakyReLU, Dense(softmax).
    l1, l2, l3 = nn.Linear(3, 6), nn.Linear(6, 5), nn.Linear(5, 2)
    body = nn.Sequential(l1, nn.ReLU(), l2, nn.LeakyReLU(0.2), l3)
    body.eval()
    x, y = reference(body, (3,), 11)
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False, "name": "input_1"}},
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "units": 6, "activation": "relu", "use_bias": True}},
        {"class_name": "Dense", "config": {"name": "dense_1", "trainable": True, "units": 5, "activation": "linear", "use_bias": True}},
        {"class_name": "LeakyReLU", "config": {"name": "leaky_re_lu", "trainable": True, "alpha": 0.2}},
        {"class_name": "Dense", "config": {"name": "dense_2", "trainable": True, "units": 2, "activation": "softmax", "use_bias": True}},
    ]
    topology = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}, "keras_version": "2.13.1", "backend": "tensorflow"}
    weights = [("dense/kernel", dense_kernel(l1)), ("dense/bias", l1.bias.detach()),
               ("dense_1/kernel", dense_kernel(l2)), ("dense_1/bias", l2.bias.detach()),
               ("dense_2/kernel", dense_kernel(l3)), ("dense_2/bias", l3.bias.detach())]
    write_tfjs("mlp", topology, weights, (3,), x, y)

    # Functional CNN on 6x6x2 (channels last): Conv2D same relu, BatchNormalization, Conv2D same,
    # Add, ReLU layer, MaxPooling2D, AveragePooling2D same, Flatten (HWC order), Dense, Activation.
    c1, c2 = nn.Conv2d(2, 3, 3, padding=1), nn.Conv2d(3, 3, 3, padding=1)
    bn = nn.BatchNorm2d(3, eps=1e-3)
    randomize_bn(bn)
    bn.eval()
    head = nn.Linear(3 * 2 * 2, 4)
    out = nn.Linear(4, 2)

    class Keras(nn.Module):
        def forward(self, x):  # x: N x H x W x C
            h = x.permute(0, 3, 1, 2)
            a = bn(F.relu(c1(h)))
            h = F.relu(a + c2(a))
            h = F.max_pool2d(h, 2)                       # 6 -> 3
            h = F.avg_pool2d(F.pad(h, (0, 1, 0, 1)), 2)  # 'same' on 3: pad bottom/right, then fix the divisor
            return h

    keras = Keras()
    keras.eval()
    g = torch.Generator().manual_seed(12)
    x = torch.randn(SAMPLES, 6, 6, 2, generator=g)
    with torch.no_grad():
        for m in (c1, c2, bn, head, out):
            m.double()
        xd = x.double()
        hp = keras(xd)
        # TF 'same' average pooling divides by the cells inside the input: the last row/column
        # of windows holds 2 cells, the corner 1, instead of 4.
        counts = torch.tensor([[4.0, 2.0], [2.0, 1.0]], dtype=torch.float64)
        hp = hp * 4.0 / counts
        flat = hp.permute(0, 2, 3, 1).reshape(SAMPLES, -1)
        y = out(F.relu(head(flat)))
        for m in (c1, c2, bn, head, out):
            m.float()
    layers = [
        {"class_name": "InputLayer", "name": "input_1", "config": {"batch_input_shape": [None, 6, 6, 2], "dtype": "float32", "name": "input_1"}, "inbound_nodes": []},
        {"class_name": "Conv2D", "name": "conv2d", "config": {"name": "conv2d", "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True}, "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"class_name": "BatchNormalization", "name": "batch_normalization", "config": {"name": "batch_normalization", "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True}, "inbound_nodes": [[["conv2d", 0, 0, {}]]]},
        {"class_name": "Conv2D", "name": "conv2d_1", "config": {"name": "conv2d_1", "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": True}, "inbound_nodes": [[["batch_normalization", 0, 0, {}]]]},
        {"class_name": "Add", "name": "add", "config": {"name": "add"}, "inbound_nodes": [[["batch_normalization", 0, 0, {}], ["conv2d_1", 0, 0, {}]]]},
        {"class_name": "ReLU", "name": "re_lu", "config": {"name": "re_lu", "max_value": None, "negative_slope": 0.0, "threshold": 0.0}, "inbound_nodes": [[["add", 0, 0, {}]]]},
        {"class_name": "MaxPooling2D", "name": "max_pooling2d", "config": {"name": "max_pooling2d", "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}, "inbound_nodes": [[["re_lu", 0, 0, {}]]]},
        {"class_name": "AveragePooling2D", "name": "average_pooling2d", "config": {"name": "average_pooling2d", "pool_size": [2, 2], "padding": "same", "strides": [2, 2], "data_format": "channels_last"}, "inbound_nodes": [[["max_pooling2d", 0, 0, {}]]]},
        {"class_name": "Flatten", "name": "flatten", "config": {"name": "flatten", "data_format": "channels_last"}, "inbound_nodes": [[["average_pooling2d", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 4, "activation": "linear", "use_bias": True}, "inbound_nodes": [[["flatten", 0, 0, {}]]]},
        {"class_name": "Activation", "name": "activation", "config": {"name": "activation", "activation": "relu"}, "inbound_nodes": [[["dense", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "dense_1", "config": {"name": "dense_1", "units": 2, "activation": "linear", "use_bias": True}, "inbound_nodes": [[["activation", 0, 0, {}]]]},
    ]
    topology = {"class_name": "Functional", "config": {"name": "model", "layers": layers,
                "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]},
                "keras_version": "2.13.1", "backend": "tensorflow"}
    weights = [("conv2d/kernel", conv_kernel(c1)), ("conv2d/bias", c1.bias.detach()),
               ("batch_normalization/gamma", bn.weight.detach()), ("batch_normalization/beta", bn.bias.detach()),
               ("batch_normalization/moving_mean", bn.running_mean), ("batch_normalization/moving_variance", bn.running_var),
               ("conv2d_1/kernel", conv_kernel(c2)), ("conv2d_1/bias", c2.bias.detach()),
               ("dense/kernel", dense_kernel(head)), ("dense/bias", head.bias.detach()),
               ("dense_1/kernel", dense_kernel(out)), ("dense_1/bias", out.bias.detach())]
    write_tfjs("cnn", topology, weights, (6, 6, 2), x, y)


if __name__ == "__main__":
    os.makedirs(ONNX_DIR, exist_ok=True)
    os.makedirs(TFJS_DIR, exist_ok=True)
    onnx_fixtures()
    tfjs_fixtures()
