"""The Elman layer on the chip: ``elman.corelet`` (library ``Dense`` over the inputs and its own
delayed spikes) compiled onto one core and run on the runtime.

A sentence of L words is L + 1 steps (the end-of-sentence zero vector last), each a 16-tick window
of evenly spread rate-coded input (``corelet.training.recurrent.even_code``); the hidden spikes of
the last window are its state h_L, which the host's softmax layer reads. Sentences run one after
another in each sample of a batch, every sentence in a segment of ``steps * 16`` ticks, left-padded
with silent steps, and the runtime's ``reset_at`` clears membranes and spikes in flight at each
segment's start (seed 001: "between different sentences we reset the neuron and synapse state").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import corelet
from corelet.training.decode import spike_counts
from corelet.training.recurrent import even_code
from examples.elman import model as m

CORELET = Path(__file__).resolve().parent / "elman.corelet"
DELAY = 15        # the chip's longest delay: fired in tick t, integrated in t + 15


def network(net: m.Net, floor: int = 0, delay: int = DELAY):
    Wi, Ui = net.integers()
    params = {"WU": np.concatenate([Wi, Ui]).astype(np.int64), "n_in": m.N_IN, "t": int(net.t),
              "floor": int(floor), "d": int(delay)}
    return corelet.load(CORELET, params=params)


def compile_net(net: m.Net, floor: int = 0, delay: int = DELAY):
    return corelet.compile(network(net, floor, delay))


def final_counts(model, x: np.ndarray, per_sample: int = 10, stats: bool = False):
    """Hidden spike counts (n, N_HID) of the last window of each sentence; x (n, steps, N_IN) as
    ``model.right_to_left`` pads it. ``per_sample`` sentences run one after another in each sample
    of the batch, reset between them."""
    n, steps, width = x.shape
    seg = steps * m.WINDOW
    rows = -(-n // per_sample)
    padded = np.zeros((rows * per_sample, steps, width))
    padded[:n] = x
    raster = even_code(padded, m.WINDOW).reshape(rows, per_sample * seg, width)
    ticks = per_sample * seg
    result = corelet.run(model, ticks, {"x": raster}, reset_at=[k * seg for k in range(1, per_sample)])
    windows = spike_counts(result.outputs["h"], window=m.WINDOW)  # (rows, per_sample * steps, N_HID)
    counts = windows.reshape(rows, per_sample, steps, m.N_HID)[:, :, -1].reshape(-1, m.N_HID)[:n]
    if not stats:
        return counts
    from corelet.runtime import fabric_from_model
    from corelet.runtime.stats import run_stats
    return counts, run_stats(model, fabric_from_model(model), result)


def predict(net: m.Net, counts: np.ndarray) -> np.ndarray:
    return np.argmax((counts / m.WINDOW) @ net.V, axis=1)
