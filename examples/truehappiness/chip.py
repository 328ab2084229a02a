"""The TrueHappiness network on the chip: build it from ``truehappiness.corelet`` (library
``Dense``), compile it, run it on the runtime with rate-coded inputs, count the output spikes.

Dense alone, with the compiler's splitters (``input_fanout="splitter"``), rather than the library's
``Splitter`` + ``Dense``: ``Dense`` takes each input as one pin that reaches its core through up to
four axon types, and the compiler then gives every input pin one host route into a splitter relay
hub that fans it out to the four axons, which is seed 000's splitter core, made where it is needed;
an explicit ``Splitter`` would need a ``Dense`` whose four axons of an input come from four
different pins, which the library's ``Dense`` does not offer. The relays add one tick of latency
to the inputs (recorded by the compiler), the hidden-to-output connection one more: a
presentation of T ticks is counted over T + 2 ticks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import corelet
from corelet.runtime.encoders import rate_code
from corelet.training.decode import spike_counts
from examples.truehappiness.model import Weights

CORELET = Path(__file__).resolve().parent / "truehappiness.corelet"
INPUT_FANOUT = "splitter"
INPUT_DELAY = 1     # the splitter relays' tick (an input row r is integrated in tick r + 1)
LATENCY = INPUT_DELAY + 1


def network(weights: Weights):
    """The logical network of a 4-bit variant (chip integers, thresholds and floors)."""
    s = weights.spiking
    if weights.variant.bits is None:
        raise ValueError(f"{weights.variant.label}: float weights do not map to the chip's axon types")
    params = {"W1": np.asarray(s.W1, np.int64), "W2": np.asarray(s.W2, np.int64),
              "t1": int(s.t1), "t2": int(s.t2), "floor1": -int(s.floor1), "floor2": -int(s.floor2)}
    return corelet.load(CORELET, params=params)


def compile_variant(weights: Weights):
    """Compile a 4-bit variant (seed 000's mapping: splitters for the inputs)."""
    return corelet.compile(network(weights), input_fanout=INPUT_FANOUT)


def input_raster(u, ticks: int, seed: int) -> np.ndarray:
    """Bernoulli rate code of the input probabilities ``u`` (words, pins); word k of the batch
    draws with seed ``seed + k``, so a word gets the same spikes in any batch that starts at it."""
    u = np.atleast_2d(u)
    return rate_code(u, ticks, batch=len(u), seed=seed)


def run(model, raster, *, stats: bool = False):
    """Output spike counts (words,) of the compiled model for a raster (words, T, pins), counted
    over T + LATENCY ticks; with ``stats`` also the run statistics (for measured power)."""
    ticks = raster.shape[1] + LATENCY
    result = corelet.run(model, ticks, {"word": raster})
    counts = spike_counts(result.outputs["score"])[:, 0]
    if not stats:
        return counts
    from corelet.runtime import fabric_from_model
    from corelet.runtime.stats import run_stats

    return counts, run_stats(model, fabric_from_model(model), result)
