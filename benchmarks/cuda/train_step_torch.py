#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The peer of benchmarks/cuda/train_step.cpp: the same networks (read from the JSON that
`darch_bench_cuda_train_step --describe FILE` writes), batch, optimizer (Adam 1e-3), data
(random, in pinned host memory, copied to the device each step with non_blocking=True, as a
DataLoader with pin_memory does) and timing protocol (20 warm-up steps, then the median of 5
runs of 40 steps, each ending with torch.cuda.synchronize()), in PyTorch eager mode.

    python3 train_step_torch.py networks.json           # on the GPU
    python3 train_step_torch.py networks.json --cpu     # a dry run of the same code on the CPU

Prints, per network:  train torch-eager <network> <batch> <ms per step> <samples/s>
TF32 is allowed for matmuls and convolutions, as darch uses it (PyTorch's cuDNN default).
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

ACTIVATIONS = {
    "linear": torch.nn.Identity,
    "relu": torch.nn.ReLU,
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
    "gelu": torch.nn.GELU,
}


def build(net):
    """torch.nn.Sequential equal in shapes and ops to the darch network `net` (a chain)."""
    shape = list(net["input"])
    layers = []
    ops = net["ops"]
    for i, op in enumerate(ops):
        kind = op["op"]
        last = i == len(ops) - 1
        if kind == "dense":
            if len(shape) != 1:
                layers.append(torch.nn.Flatten())
                shape = [shape[0] * shape[1] * shape[2]]
            layers.append(torch.nn.Linear(shape[0], op["units"]))
            shape = [op["units"]]
            act = op["activation"]
            if act == "softmax":
                if not last:
                    raise ValueError("softmax is only supported on the last layer")
                # The loss (cross_entropy on logits) applies it, as darch's fused head does.
            else:
                layers.append(ACTIVATIONS[act]())
        elif kind == "conv2d":
            k, s = op["kernel"], op["stride"]
            same = op["padding"] == "same"
            layers.append(torch.nn.Conv2d(shape[0], op["filters"], k, stride=s,
                                          padding=(k - 1) // 2 if same else 0))
            size = lambda n: (n + s - 1) // s if same else (n - k) // s + 1
            shape = [op["filters"], size(shape[1]), size(shape[2])]
            layers.append(ACTIVATIONS[op["activation"]]())
        elif kind in ("max_pool", "avg_pool"):
            w = op["window"]
            s = op.get("stride", w)
            pool = torch.nn.MaxPool2d if kind == "max_pool" else torch.nn.AvgPool2d
            layers.append(pool(w, stride=s))
            shape = [shape[0], (shape[1] - w) // s + 1, (shape[2] - w) // s + 1]
        elif kind == "flatten":
            layers.append(torch.nn.Flatten())
            shape = [shape[0] * shape[1] * shape[2]]
        elif kind == "dropout":
            layers.append(torch.nn.Dropout(op["rate"]))
        elif kind == "batch_norm":
            norm = torch.nn.BatchNorm2d if len(shape) == 3 else torch.nn.BatchNorm1d
            layers.append(norm(shape[0]))
        else:
            raise ValueError(f"{net['name']}: op {kind} has no PyTorch equivalent here")
    return torch.nn.Sequential(*layers)


def median_ms_per_step(step, synchronize):
    for _ in range(20):
        step()
    synchronize()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(40):
            step()
        synchronize()
        runs.append((time.perf_counter() - start) * 1000.0 / 40)
    return statistics.median(runs)


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--cpu"):
        sys.exit("usage: train_step_torch.py networks.json [--cpu]")
    on_gpu = len(sys.argv) == 2
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda" if on_gpu else "cpu")
    synchronize = torch.cuda.synchronize if on_gpu else (lambda: None)
    pin = (lambda t: t.pin_memory()) if on_gpu else (lambda t: t)
    with open(sys.argv[1]) as f:
        nets = json.load(f)
    torch.manual_seed(7)
    for net in nets:
        batch, classes = net["batch"], net["classes"]
        model = build(net).to(device).train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        images = pin(torch.rand([batch] + net["input"]))
        labels = pin(torch.randint(0, classes, (batch,)))
        losses = []

        def step():
            x = images.to(device, non_blocking=True)
            y = labels.to(device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())

        ms = median_ms_per_step(step, synchronize)
        first, last = losses[0].item(), losses[-1].item()
        if not last < first:
            print(f"{net['name']}: torch's loss did not fall ({first} -> {last})", file=sys.stderr)
        print(f"train torch-eager{'' if on_gpu else '-cpu'} {net['name']} {batch} {ms:.4f} {1000.0 * batch / ms:.0f}",
              flush=True)
    where = torch.cuda.get_device_name(0) if on_gpu else "CPU (dry run)"
    print(f"torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {where}")


if __name__ == "__main__":
    main()
