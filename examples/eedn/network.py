"""The Eedn network as a corelet: one library ``ConvLayer`` per layer (library/conv.corelet),
layer i's output feeding layer i + 1's input through both axon types (+1 and -1), and the helpers
that compile it and run it one image per tick.

Layers are connected with delay 2, not 1. A layer whose tiles fill their cores has no room for the
copies its outputs need (two per target core, one per axon type), so the compiler makes splitter
relays; a relay is latency-free for connections of delay 2 or more and one tick late for delay 1
(docs/compiler.md), which would make some of a layer's inputs a tick later than others and mix
consecutive images. With delay 2 every path from the input to the output takes the same
2 (layers - 1) ticks, and the pipeline still takes a new image every tick.
"""

from __future__ import annotations

import numpy as np

from corelet import language, runtime

LAYER_DELAY = 2


def corelet_source(layers, channels: int, size: int, delay: int = LAYER_DELAY) -> str:
    """The source of corelet ``Eedn``: input ``x[channels, size, size]`` (one binary image per
    tick), chip layers ``layers`` (``model.Layer``), output ``y`` the last layer's features, with
    parameters K<i> (trinary, (F, Cg, k, k)) and L<i> (leaks)."""
    params, body = [], []
    h = size
    for i, layer in enumerate(layers):
        params.append(f"K{i}: int[F{i}, C{i}, kh{i}, kw{i}], L{i}: int[F{i}]")
        body.append(f"    l{i} = ConvLayer(K = K{i}, L = L{i}, H = {h}, W = {h}, "
                    f"groups = {layer.groups}, stride = {layer.stride}, pad = {layer.pad})")
        # the ConvGroup's own connection into its neurons has delay 1; this one adds the rest
        body.append("    x -> l0.x" if i == 0 else
                    f"    l{i - 1}.y -> l{i}.x" + (f" delay {delay - 1}" if delay > 1 else ""))
        h = layer.out_size(h)
    last = len(layers) - 1
    return (f'use "conv"\n'
            f'corelet Eedn({", ".join(params)}) {{\n'
            f'    """Seed 003\'s Eedn network: {len(layers)} trinary convolution layers of binary '
            f'neurons, layers {delay} ticks apart."""\n'
            f'    input x[{channels}, {size}, {size}]\n'
            f'    output y[{layers[-1].features}, {h}, {h}]\n'
            + "\n".join(body) + "\n"
            f'    y = l{last}.y\n}}\n')


def latency(layers, delay: int = LAYER_DELAY) -> int:
    """Ticks from an image's input row to its votes at the output."""
    return delay * (len(layers) - 1)


def build(layers, params: dict, channels: int, size: int, delay: int = LAYER_DELAY):
    """The logical ``Network`` of the trained (or random) parameters."""
    src = corelet_source(layers, channels, size, delay)
    values = {}
    for i in range(len(layers)):
        values[f"K{i}"] = np.asarray(params[f"K{i}"], dtype=np.int64)
        values[f"L{i}"] = np.asarray(params[f"L{i}"], dtype=np.int64)
    return language.elaborate_source(src, "eedn.corelet", params=values, top="Eedn")


def run_images(model, spikes: np.ndarray, layers, delay: int = LAYER_DELAY, stats: bool = False):
    """Run ``model`` with one image per tick (spikes (N, C, H, W) binary) and return the last
    layer's outputs per image (N, F * Ho * Wo) and, with ``stats``, the run statistics."""
    n = len(spikes)
    lat = latency(layers, delay)
    raster = spikes.reshape(n, -1).astype(np.uint8)
    fabric = runtime.fabric_from_model(model)
    result = runtime.simulate(fabric, n + lat, {"x": raster}, seed=model.seed)
    out = np.asarray(result.outputs["y"])[0][lat:lat + n]
    if stats:
        return out, runtime.run_stats(model, fabric, result)
    return out
