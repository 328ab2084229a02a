"""Loop benchmark: a `for` block that makes ``--instances`` instances of a small corelet.

Each iteration declares one instance ``cell[g]`` (4 neurons, an input and an output connector, a
threshold that depends on g) and connects the layer's input to it; the layer's output joins every
instance's output (``cell[0:G].y``). The body runs once per iteration in Python, so this measures
the per-iteration cost of the elaborator: instantiation, connectors, alias resolution.

Prints one JSON line: instances, neurons, connections, seconds (``elaborate_source``), of which
``resolve_seconds`` in resolving connectors into the ``Network``, peak_rss_mb.

    python benchmarks/loops.py                        # 10,000 instances
    python benchmarks/loops.py --instances 1000
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from corelet import language
from corelet.language import elaborate as elaborator

SOURCE = """
corelet Cell(k: int) {
    input x[4]
    output y[4]
    neurons f[4] = neuron { threshold = k }
    x -> f
    y = f
}

corelet Wide(G: int) {
    input x[4]
    output y[4 * G]
    for g in 0..G {
        cell[g] = Cell(k = g % 7 + 1)
        x -> cell[g].x
    }
    y = cell[0:G].y
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    args = parser.parse_args()
    resolve = {}
    build_network = elaborator.build_network

    def timed(*a, **k):
        start = time.perf_counter()
        try:
            return build_network(*a, **k)
        finally:
            resolve["seconds"] = time.perf_counter() - start

    elaborator.build_network = timed
    try:
        start = time.perf_counter()
        net = language.elaborate_source(SOURCE, "wide.corelet", params={"G": args.instances})
        seconds = time.perf_counter() - start
    finally:
        elaborator.build_network = build_network
    print(json.dumps({
        "benchmark": "loops",
        "instances": args.instances,
        "neurons": net.n_neurons,
        "connections": len(net.connections),
        "seconds": round(seconds, 2),
        "resolve_seconds": round(resolve["seconds"], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
