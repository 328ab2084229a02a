"""NIR import benchmark: a float convolution layer, quantised into a logical Network.

A NIR graph ``Input (channels, size, size) -> Conv2d 3x3 'same' (features) -> IF`` with normally
distributed float weights is imported with ``corelet.interop.nir_to_network``: the convolution
becomes synapses (numpy over the six-dimensional index grid) and every neuron's weights are
quantised to four levels by a k-means vectorised over all neurons, never per neuron or synapse.
Needs the optional extra ``.[nir]``.

Prints one JSON line: neurons, connections, weight_rel_error, seconds (the import), peak_rss_mb.

    python benchmarks/nir_import.py                                  # 65536 neurons, ~4.6e6 synapses
    python benchmarks/nir_import.py --size 16 --features 4 --channels 2   # a quick one
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import nir
import numpy as np

from corelet import interop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64, help="feature map side (neurons)")
    parser.add_argument("--features", type=int, default=16)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    f, c, n = args.features, args.channels, args.size
    graph = nir.NIRGraph(
        nodes={"x": nir.Input(input_type={"input": np.array([c, n, n])}),
               "conv": nir.Conv2d(input_shape=(n, n), weight=rng.normal(0, 1, (f, c, 3, 3)),
                                  stride=1, padding="same", dilation=1, groups=1,
                                  bias=np.zeros(f)),
               "h": nir.IF(r=np.ones((f, n, n)), v_threshold=np.full((f, n, n), 3.0),
                           v_reset=np.zeros((f, n, n))),
               "y": nir.Output(output_type={"output": np.array([f, n, n])})},
        edges=[("x", "conv"), ("conv", "h"), ("h", "y")], metadata={}, type_check=False)
    start = time.perf_counter()
    imported = interop.nir_to_network(graph)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "benchmark": "nir_import",
        "neurons": imported.network.n_neurons,
        "connections": len(imported.network.connections),
        "weight_rel_error": round(imported.layers[0].weight_rel_error, 4),
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
