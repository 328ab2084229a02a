"""The S-LSTM on the chip: build ``slstm.corelet`` from a trained network's integers, compile it, run
it on the runtime and read one prediction per step.

Timing (``SRClock`` offsets 0 and PL, cycles of 2 PL ticks): step k's inputs are raster rows
2 PL k + 2 .. 2 PL k + PL - 1 (inside the gates' store window, with the IC's drain before its end);
h_k comes out in the I/O phase of cycle k + 1, so T steps run T + 1 cycles and step k's
prediction is V [count(h_pos) - count(h_neg), count(bias)] > 0 over cycle k + 1 (the readout
layer's weighted count, done here from the spike counts). Rates: x and the bias at
nS / (PL - 2) in those rows (nS spikes per unit on average), ``thin`` at nS / PL in every tick.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import corelet
from corelet.training import lstm
from corelet.training.decode import spike_counts
from examples.slstm import model

CORELET = Path(__file__).resolve().parent / "slstm.corelet"


def network(params: lstm.LSTMParams, PL: int):
    """The logical network for phase length PL."""
    W = np.rint(params.W * model.SF).astype(np.int64)
    enc = model.encoding(PL)
    return corelet.load(CORELET, params={"W": W.T, "nin": params.config.n_in, "PL": PL,
                                         "rthr": enc["rthr_sigmoid"]})


def rasters(x: np.ndarray, PL: int, seed: int) -> tuple[dict, int]:
    """Input rasters for sequences x (N, T, n_in) and the run's length in ticks."""
    enc = model.encoding(PL)
    rng = np.random.default_rng(seed)
    N, T, n_in = x.shape
    ticks = 2 * PL * (T + 1) + 2
    rows = 2 * PL * np.arange(T)[:, None] + np.arange(2, PL)[None, :]      # (T, PL - 2)
    rate = enc["nS"] / (PL - 2)
    xp = np.zeros((N, ticks, n_in), bool)
    xn = np.zeros((N, ticks, n_in), bool)
    draws = rng.random((N, T, PL - 2, n_in)) < (np.abs(x)[:, :, None, :] * rate)
    xp[:, rows] = draws & (x > 0)[:, :, None, :]
    xn[:, rows] = draws & (x < 0)[:, :, None, :]
    one = np.zeros((N, ticks, 1), bool)
    one[:, rows.ravel()] = rng.random((N, rows.size, 1)) < rate
    return {"x_pos": xp, "x_neg": xn, "one": one}, ticks


def predict(params: lstm.LSTMParams, x: np.ndarray, PL: int, seed: int = 0, compiled=None,
            stats: bool = False):
    """Predictions (N, T) of the compiled network on the runtime and the compilation; with
    ``stats`` also the run statistics (for the measured power)."""
    if compiled is None:
        compiled = corelet.compile(network(params, PL))
    inputs, ticks = rasters(x, PL, seed)
    N, T, _ = x.shape
    H = params.config.n_hidden
    rng = np.random.default_rng(seed + 1)
    inputs["thin"] = rng.random((N, ticks, H)) < model.encoding(PL)["nS"] / PL
    result = corelet.run(compiled.model, ticks, inputs, seed=seed)
    # the burst-coded, two-channel h of step k: its spikes in cycle k + 1 (ticks 2 PL (k + 1) ..)
    def per_cycle(raster):
        return spike_counts(raster, window=2 * PL, start=2 * PL)[:, :T]
    h = per_cycle(result.outputs["h_pos"]) - per_cycle(result.outputs["h_neg"])   # (N, T, H)
    bias = per_cycle(inputs["one"])[:, :, 0]
    V = np.rint(params.V[0] * model.SF).astype(np.int64)
    score = h @ V[:H] + bias * V[H]
    if not stats:
        return score > 0, compiled
    from corelet.runtime import fabric_from_model
    from corelet.runtime.stats import run_stats

    return score > 0, compiled, run_stats(compiled.model, fabric_from_model(compiled.model), result)
