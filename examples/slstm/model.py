"""The S-LSTM's committed weights and its spiking model at the level of spike counts per phase.

Encoding (seed 002, sections III.B and IV.C, scaled activation): a rate-coded value v in a phase of
PL ticks is a stream of rate v nS / PL with nS = PL / mx spikes per unit, so the IC module's count
for the integer weights (sf = 10: one-decimal weights times 10) is AMP = sf nS (W z). The
store-and-release hard sigmoid fires at rate clip(AMP / RThR + 0.5, 0, 1) with RThR = nS sf / m_sig,
which must be a power of two on this chip (``encoding`` chooses mx so that it is); the hard tanh
(m = 2) has RThR / 2.

One step of the counting model, per unit (every draw independent, as the chip's streams are):

* I/O phase: x and h_{t-1} as signed counts (nS per unit) and a bias count (rate nS / PL) into the
  IC: AMP of each of the four gates, each of the IC's two channels cut at PL - 2 spikes (a burst
  neuron emits one spike a tick; the rest misses the gate's store window).
* processing phase: i, f, o fire at their hard-sigmoid rates, c' at its hard-tanh rate on its sign's
  channel; i AND c' gives Binomial(PL, i |c'|) spikes; f AND the burst-coded C_{t-1} (|C| spikes)
  gives Binomial(|C|, f); C_t is their signed sum, a burst of at most PL spikes (PL per unit).
* next I/O phase: the hard tanh of C_t (rate clip(2 C / PL)) AND o AND a stream of rate nS / PL
  gives h_t in nS units; the readout is the sign of V's integers times [h count, bias count].

``rate_coded_cell`` is the seed's ablation: C_t re-drawn as a rate code (Binomial(PL, |C| / PL))
instead of kept as an exact burst. The network on the runtime from library corelets is not built
yet (docs/results.md says so); this model is what it is to be compared against.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corelet.chip.files import atomic_savez
from corelet.training import lstm

DATA = Path(__file__).resolve().parent / "data"
WEIGHTS = DATA / "weights.npz"
SF = 10


def encoding(PL: int) -> dict:
    """mx, nS and the gates' random threshold ranges for phase length PL.

    Scaled activation: nS = PL / mx spikes per unit and RThR = nS sf / m_sig, which must be a power
    of two and at most 128 (the library gate's two-kick limit): the power of two nearest (in log)
    to the seed's PL sf / 5, capped at 128; then nS = RThR / sf and mx = PL / nS (5 for PL 16 .. 64).
    The hard tanh of C (PL spikes per unit, m = 2) has RThR PL / 2, a power of two too."""
    if PL < 4 or PL & (PL - 1):
        raise ValueError(f"phase length {PL}: must be a power of two, 4 or more (the cell's hard "
                         f"tanh has RThR = PL / 2)")
    rthr = int(min(128, max(2, 2 ** round(np.log2(PL * SF / 5)))))
    nS = rthr / SF
    return {"PL": PL, "mx": PL / nS, "nS": nS, "rthr_sigmoid": rthr, "rthr_tanh": rthr // 2,
            "rthr_cell_tanh": PL // 2}


def save(path: Path, nets: dict[str, lstm.LSTMParams]) -> None:
    """Write each network's effective weights (tenths) and its configuration."""
    arrays = {}
    for name, p in nets.items():
        c = p.config
        arrays[f"{name}_W"], arrays[f"{name}_V"] = p.effective()
        arrays[f"{name}_config"] = np.array([c.n_in, c.n_hidden, c.m_sig, c.m_tanh, float(c.quantised),
                                             c.bits, c.decimals])
    atomic_savez(path, arrays)


def load(name: str, path: Path = WEIGHTS) -> lstm.LSTMParams:
    """A committed network: its effective (already quantised) weights, as an unquantised LSTM."""
    with np.load(path) as z:
        if f"{name}_W" not in z:
            raise SystemExit(f"{path}: no network {name!r} (have {sorted(k[:-2] for k in z if k.endswith('_W'))})")
        cfg = z[f"{name}_config"]
        config = lstm.LSTMConfig(int(cfg[0]), int(cfg[1]), float(cfg[2]), float(cfg[3]), quantised=False)
        return lstm.LSTMParams(z[f"{name}_W"].copy(), z[f"{name}_V"].copy(), config)


def uncapped_encoding(PL: int, rthr: int) -> dict:
    """A what-if encoding beyond the library's gates (RThR > 128): nS = rthr / sf at phase length PL."""
    nS = rthr / SF
    return {"PL": PL, "mx": PL / nS, "nS": nS, "rthr_sigmoid": rthr, "rthr_tanh": rthr // 2,
            "rthr_cell_tanh": PL // 2}


def spiking_predict(params: lstm.LSTMParams, x: np.ndarray, PL: int, seed: int = 0,
                    rate_coded_cell: bool = False, enc: dict | None = None) -> np.ndarray:
    """Class predictions (N, T) of the counting model at phase length PL. The chip integers are
    round(10 w): exact for the quantised networks, the rounding-off error of the float ones."""
    cfg = params.config
    W = np.rint(params.W * SF).astype(np.int64)
    V = np.rint(params.V * SF).astype(np.int64)
    enc = enc or encoding(PL)
    nS = enc["nS"]
    rng = np.random.default_rng(seed)
    N, T, _ = x.shape
    H = cfg.n_hidden

    def signed_counts(values, trials, rate):
        return np.sign(values) * rng.binomial(trials, np.clip(rate, 0.0, 1.0))

    h = np.zeros((N, H))
    C = np.zeros((N, H))
    out = np.empty((N, T), dtype=np.int64)
    for t in range(T):
        counts = np.concatenate([signed_counts(x[:, t], PL, np.abs(x[:, t]) * nS / PL), h,
                                 rng.binomial(PL, nS / PL, (N, 1))], axis=1)
        # the IC's two channels are burst neurons, one spike a tick: a gate's store window takes
        # at most PL - 2 of each (inputs arrive in rows 2 .. PL - 1 of the phase)
        amp = (np.minimum(np.maximum(counts, 0) @ np.maximum(W, 0).T + np.maximum(-counts, 0) @ np.maximum(-W, 0).T, PL - 2)
               - np.minimum(np.maximum(counts, 0) @ np.maximum(-W, 0).T + np.maximum(-counts, 0) @ np.maximum(W, 0).T, PL - 2))
        i, f, o = (np.clip(amp[:, k * H:(k + 1) * H] / enc["rthr_sigmoid"] + 0.5, 0, 1) for k in range(3))
        g = np.clip(amp[:, 3 * H:] / enc["rthr_tanh"], -1, 1)
        if rate_coded_cell:
            C = signed_counts(C, PL, np.abs(C) / PL)
        C = signed_counts(C, np.abs(C).astype(np.int64), f) + signed_counts(g, PL, i * np.abs(g))
        C = np.clip(C, -PL, PL)
        tanh_c = np.clip(2 * C / PL, -1, 1)
        h = signed_counts(tanh_c, PL, o * np.abs(tanh_c) * nS / PL)
        readout = np.concatenate([h, rng.binomial(PL, nS / PL, (N, 1))], axis=1) @ V.T
        out[:, t] = readout[:, 0] > 0
    return out


def accuracy(pred, y, mask) -> float:
    """The fraction of the masked steps predicted right."""
    return float(((pred == y) * mask).sum() / mask.sum())
