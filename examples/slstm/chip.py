"""The S-LSTM on the chip: build ``slstm.corelet`` from a trained network's integers, compile it, run
it on the runtime and read one prediction per step.

Timing (``SRClock`` offsets 0 and PL, cycles of 2 PL ticks): step k's inputs are raster rows
2 PL k + 2 .. 2 PL k + PL - 1 (inside the gates' store window, with the IC's drain before its end);
h_k comes out in the I/O phase of cycle k + 1, so T steps run T + 1 cycles and step k's
prediction is V [count(h_pos) - count(h_neg), count(bias)] > 0 over cycle k + 1 (the readout
layer's weighted count, done here from the spike counts; one per output, several for the Reber
grammar). x and the bias: round(|v| nS) spikes spread evenly over those rows (exact counts);
the host streams at random in every tick: ``thin`` at nS / PL, ``cthin`` (the cell's tanh) and
``othin`` (o's relay), ``ithin`` (i * c' into the cell) at the rates of ``model.encoding``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import corelet
from corelet.training import lstm
from corelet.training.decode import spike_counts
from corelet.training.recurrent import even_code
from examples.slstm import model

CORELET = Path(__file__).resolve().parent / "slstm.corelet"


def network(params: lstm.LSTMParams, PL: int, enc: dict | None = None):
    """The logical network for phase length PL (encoding ``enc``, default ``model.encoding(PL)``)."""
    W = np.rint(params.W * model.SF).astype(np.int64)
    enc = enc or model.encoding(PL)
    return corelet.load(CORELET, params={"W": W.T, "nin": params.config.n_in, "PL": PL,
                                         "rthr": enc["rthr_sigmoid"], "scale": enc["scale"],
                                         "cell_rthr": enc["rthr_cell_tanh"],
                                         "relay_rthr": enc["rthr_relay"],
                                         "cell_charge": enc["cell_charge"], "kicks": enc["kicks"]})


def rasters(x: np.ndarray, PL: int, seed: int, enc: dict | None = None) -> tuple[dict, int]:
    """Input rasters for sequences x (N, T, n_in) and the run's length in ticks: x and the bias as
    regular trains of round(|x| nS) spikes in rows 2 .. PL - 1 of each I/O phase (the IC's drain
    before the store window ends), the thinning streams at random with their rates."""
    enc = enc or model.encoding(PL)
    rng = np.random.default_rng(seed)
    N, T, n_in = x.shape
    ticks = 2 * PL * (T + 1) + 2
    rows = 2 * PL * np.arange(T)[:, None] + np.arange(2, PL)[None, :]      # (T, PL - 2)
    window = PL - 2
    # round(|x| nS) spikes spread evenly over the window (corelet.training.recurrent.even_code)
    trains = even_code(model.input_counts(x, enc["nS"]) / window, window).reshape(N, T, window, n_in)
    xp = np.zeros((N, ticks, n_in), bool)
    xn = np.zeros((N, ticks, n_in), bool)
    xp[:, rows] = trains & (x > 0)[:, :, None, :]
    xn[:, rows] = trains & (x < 0)[:, :, None, :]
    one = np.zeros((N, ticks, 1), bool)
    bias = even_code(model.input_counts(np.ones((1, 1)), enc["nS"]) / window, window)[:, 0]
    one[:, rows.ravel(), 0] = np.tile(bias, T)[None, :]
    return {"x_pos": xp, "x_neg": xn, "one": one}, ticks


def predict(params: lstm.LSTMParams, x: np.ndarray, PL: int, seed: int = 0, compiled=None,
            stats: bool = False, enc: dict | None = None):
    """Predictions (N, T) of the compiled network on the runtime and the compilation; with
    ``stats`` also the run statistics (for the measured power)."""
    if compiled is None:
        compiled = corelet.compile(network(params, PL, enc))
    inputs, ticks = rasters(x, PL, seed, enc)
    N, T, _ = x.shape
    H = params.config.n_hidden
    rng = np.random.default_rng(seed + 1)
    enc = enc or model.encoding(PL)
    inputs["thin"] = rng.random((N, ticks, H)) < enc["nS"] / PL
    inputs["cthin"] = rng.random((N, ticks, 2 * H)) < enc["cell_thin"]
    inputs["othin"] = rng.random((N, ticks, H)) < enc["relay_thin"]
    inputs["ithin"] = rng.random((N, ticks, H)) < enc["ig_thin"]
    result = corelet.run(compiled.model, ticks, inputs, seed=seed)
    # the burst-coded, two-channel h of step k: its spikes in cycle k + 1 (ticks 2 PL (k + 1) ..)
    def per_cycle(raster):
        return spike_counts(raster, window=2 * PL, start=2 * PL)[:, :T]
    h = per_cycle(result.outputs["h_pos"]) - per_cycle(result.outputs["h_neg"])   # (N, T, H)
    bias = per_cycle(inputs["one"])[:, :, 0]
    V = np.rint(params.V * model.SF).astype(np.int64)
    score = h @ V[:, :H].T + bias[:, :, None] * V[:, H]
    pred = (score[:, :, 0] if V.shape[0] == 1 else score) > 0
    if not stats:
        return pred, compiled
    from corelet.runtime import fabric_from_model
    from corelet.runtime.stats import run_stats

    return pred, compiled, run_stats(compiled.model, fabric_from_model(compiled.model), result)
