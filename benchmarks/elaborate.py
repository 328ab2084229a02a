"""Elaboration benchmark: a large convolution written in the language, elaborated to a Network.

The source (below) is a 3x3 "valid" convolution with trinary weights (+1 on axon type 0, -1 on
type 1, zeros left out by the comprehension's filter): ``--channels`` input channels of
``(size + 2)^2`` pins, ``--features`` feature maps of ``size^2`` neurons. The defaults give a
million neurons and about 100 million connections. The comprehension is evaluated as numpy array
operations over its six-dimensional index grid, never per synapse.

Prints one JSON line: neurons, connections, seconds (``elaborate_source``), peak_rss_mb.

    python benchmarks/elaborate.py                      # 1e6 neurons, ~1e8 connections
    python benchmarks/elaborate.py --size 64 --features 4 --channels 4   # a quick one
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from corelet import language
SOURCE = """
corelet Conv(W: int[f, c, 3, 3], size: int) {
    input  x[c, size + 2, size + 2]
    output y[f, size, size]
    neurons n[f, size, size] = neuron { weights = [1, -1, 0, 0]; threshold = 4; reset = linear }
    x[ci, r + dr, q + dq] -> n[fo, r, q] type (1 - W[fo, ci, dr, dq]) // 2
        for fo in 0..f, ci in 0..c, r in 0..size, q in 0..size, dr in 0..3, dq in 0..3
        if W[fo, ci, dr, dq] != 0
    y = n
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=250, help="feature map side (neurons)")
    parser.add_argument("--features", type=int, default=16)
    parser.add_argument("--channels", type=int, default=12)
    parser.add_argument("--zeros", type=float, default=0.05, help="fraction of zero weights")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    weights = rng.choice([-1, 1], size=(args.features, args.channels, 3, 3))
    weights[rng.random(weights.shape) < args.zeros] = 0
    start = time.perf_counter()
    net = language.elaborate_source(SOURCE, "conv.corelet", params={"W": weights,
                                                                   "size": args.size})
    seconds = time.perf_counter() - start
    print(json.dumps({
        "benchmark": "elaborate",
        "neurons": net.n_neurons,
        "connections": len(net.connections),
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
