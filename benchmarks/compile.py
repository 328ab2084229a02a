"""Compile benchmark: a layered network that fills about N cores, compiled and written as JSON.

    python benchmarks/compile.py --cores 4096 [--density 0.2] [--out /tmp/bench.json]

The network has ``layers`` layers of 256-neuron blocks; block b of layer l+1 reads block b of layer
l (and layer 0 reads 256 input pins) through random synapses of the given density, each source on
one axon type. At 4096 cores that is about a million neurons and 54 million synapses. Prints one
JSON line: neurons, synapses, cores, seconds per stage, total seconds, peak_rss_mb.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time

import numpy as np

from corelet.chip import (Connections, InputConnector, Network, NeuronParams, OutputConnector,
                          Population)
from corelet.compiler import DEFAULT_INPUT_FANOUT, DEFAULT_PLACER, INPUT_FANOUTS, compile_network

BLOCK = 256


def layered_network(cores: int, density: float, seed: int = 0) -> Network:
    """``cores`` blocks of 256 neurons in up to 16 layers, each block fed by the one before it."""
    rng = np.random.default_rng(seed)
    layers = max(1, min(16, cores // 16))
    per_layer = max(1, cores // layers)
    n = layers * per_layer * BLOCK
    width = per_layer * BLOCK
    src, dst = [], []
    # neuron sources first (ids 0..n-1, in order), then the input pins: sorted by construction
    for layer in range(1, layers):
        for block in range(per_layer):
            s, d = _block(rng, density)
            src.append(s + (layer - 1) * width + block * BLOCK)
            dst.append(d + layer * width + block * BLOCK)
    for block in range(per_layer):  # input pins -> layer 0
        s, d = _block(rng, density)
        src.append(s + n + block * BLOCK)
        dst.append(d + block * BLOCK)
    src = np.concatenate(src)
    dst = np.concatenate(dst)
    conns = Connections(src, dst, (src % 4).astype(np.int8), np.ones(len(src), np.int32))
    pops = tuple(Population(f"net.layer{l}", l * width, width, "Dense") for l in range(layers))
    params = NeuronParams.from_fields(n, weights=[1, 1, -1, 2], threshold=4, reset_mode=1)
    return Network("bench", params, pops, conns, (InputConnector("x", width, 0),),
                   (OutputConnector("y", np.arange(n - width, n)),))


def _block(rng, density):
    mask = rng.random((BLOCK, BLOCK)) < density
    s, d = np.nonzero(mask)
    return s.astype(np.int64), d.astype(np.int64)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=256)
    parser.add_argument("--density", type=float, default=0.2)
    parser.add_argument("--placer", default=DEFAULT_PLACER)
    parser.add_argument("--input-fanout", default=DEFAULT_INPUT_FANOUT, choices=INPUT_FANOUTS)
    parser.add_argument("--out", default=None, help="where to write the model (default: a temp file)")
    args = parser.parse_args(argv)
    seconds = {}
    t0 = time.perf_counter()
    net = layered_network(args.cores, args.density)
    seconds["build"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    comp = compile_network(net, placer=args.placer, input_fanout=args.input_fanout)
    seconds.update(comp.seconds)
    t2 = time.perf_counter()
    text = comp.model.to_json()
    seconds["json"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    out = args.out or os.path.join(tempfile.mkdtemp(), "bench.json")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    seconds["write"] = time.perf_counter() - t3
    total = time.perf_counter() - t1
    print(json.dumps({
        "neurons": net.n_neurons, "synapses": len(net.connections), "cores": comp.model.n_cores,
        "copies": comp.record["copies"], "relays": comp.record["relays"],
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "total_seconds": round(total, 2), "json_mb": round(len(text) / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
