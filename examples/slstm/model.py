"""The S-LSTM's committed weights, its encoding per phase length, and its spiking model at the level
of spike counts per phase (what examples/slstm/slstm.corelet computes, draws independent).

Encoding (seed 002, sections III.B and IV.C): a value v in a phase of PL ticks is v nS spikes, nS =
PL / mx (scaled activation, WWQ-SA) or PL / (mx sf) (scaled input, NWQ-SI), sf = 10 (the chip's
weights are the one-decimal weights times 10). The IC module sums sf nS (W z) in two channels and
emits one spike per ``scale`` units; the gates' RThR = sf nS / scale must be a power of two, so
``encoding`` picks RThR, scale and then nS and mx (close to the asked mx) per PL.

One step of the counting model, per unit:

* I/O phase: x and the bias as exact counts round(v nS) (regular trains), h_{t-1} as its counts;
  the IC's channel sums (per block of 32 inputs when there are partial sums), divided by scale
  (remainders carried to the next step), added over the blocks and each cut at
  PL - 2 spikes (one spike a tick inside the gate's store window): AMP of the four gates.
* processing phase: i, f, o fire at their hard-sigmoid rates clip(AMP / RThR + 1/2), c' at its hard
  tanh rate clip(AMP / (RThR / 2)) on its sign's channel; i AND c' gives Binomial(PL, i |c'|)
  spikes (thinned by ig_thin when C's unit is PL / 2), f AND the burst-coded C_{t-1} (|C| spikes)
  Binomial(|C|, f); C_t is their signed sum, held to |C| <= min(cell_charge, PL) spikes.
* next I/O phase: the hard tanh of C_t (its spikes thinned to 2 RThR_c / unit, RThR_c a power of two)
  AND o (relayed: o's spikes thinned to RThR_o / PL, re-emitted at count / RThR_o) AND a stream of
  rate nS / PL gives h_t in nS units; the readout is the sign of V's integers times [h, bias count].

``rate_coded_cell`` is the seed's ablation: C_{t-1} re-drawn as a rate code (Binomial(PL, |C| / PL))
instead of kept as an exact burst.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corelet.chip.files import atomic_savez
from corelet.training import lstm

DATA = Path(__file__).resolve().parent / "data"
WEIGHTS = DATA / "weights.npz"
SF = 10


def pow2_at_most(v: float) -> int:
    """The largest power of two <= v (1 for v < 2)."""
    return 1 << max(0, int(np.floor(np.log2(max(v, 1.0)))))


def encoding(PL: int, mx: float | None = None, scaled_input: bool = False, cell_range: int = 1) -> dict:
    """The integers that carry the network at phase length PL (any PL >= 8), for about ``mx``.

    The IC module's two channels emit one spike a tick into a gate's store window of about PL
    ticks, but with 10 times the one-decimal weights their counts run to sf nS sum|w| (several
    times PL): cut there, they were the main cause of the spiking network's errors
    (docs/results.md). So the IC's outputs are scaled by s (IC ``scale``: one spike per s units)
    and the gates' RThR is sf nS / s, a power of two: RThR = the largest power of two <= PL / 6
    (2 .. 128, and at most sf times the seed's nS; a channel of up to 6 RThR spikes fits the
    window), s = round(sf nS_seed / RThR), then nS = RThR s / sf and mx from it. The hard tanh of
    c' has RThR / 2.

    The cell's hard tanh (m = 2 of C, PL spikes per unit) needs 2 C / PL: a gate of RThR
    rthr_cell_tanh = the power of two <= PL / 2, fed C's spikes thinned by a host stream of rate
    cell_thin = 2 rthr_cell_tanh / PL (1 when PL is a power of two). Likewise o's relay (count of
    about o PL, re-emitted at rate count / rthr_relay) takes o's spikes thinned at rate
    relay_thin = rthr_relay / PL, rthr_relay = the power of two <= min(PL, 128).

    The burst-coded C holds at most PL spikes (a burst drains one spike a tick in the release
    phase): one unit at PL spikes per unit. ``cell_range`` = 2 halves the unit (i AND c' thinned
    by ig_thin = 1/2 before the cell), so C reaches +-2 (the Reber networks need more than 1; see
    CELL_RANGE); the cell's burst sums hold cell_charge = min(254, max(126, PL)) with `kicks`
    store kicks (2 above 126), and the cell's tanh sees the half-unit C. With cell_range 1 (parity)
    the burst sums hold 126 spikes, one kick."""

    if PL < 8:
        raise ValueError(f"phase length {PL}: must be 8 or more (a gate's store window is PL - 2 ticks)")
    mx = MX if mx is None else mx
    target = PL / (mx * SF) if scaled_input else PL / mx        # the seed's nS
    rthr = int(min(128, max(2, pow2_at_most(PL / 6)), max(1, pow2_at_most(SF * target))))
    scale = max(1, int(round(SF * target / rthr)))
    nS = rthr * scale / SF
    unit = PL / cell_range                                    # C's spikes per unit
    cell = pow2_at_most(unit / 2)
    relay = min(128, pow2_at_most(PL))
    # parity holds C to 126 spikes (0.63 of a unit at PL 200, near the tanh's saturation at 0.5):
    # measured better than 200 for the quantised parity networks (spike-count model, PL 200: 10
    # units 0.985 against 0.980, 2 units 0.995 against 0.90); Reber needs its range of 2
    charge = min(254, max(126, PL)) if cell_range > 1 else 126
    return {"PL": PL, "mx": PL / (nS * SF) if scaled_input else PL / nS, "nS": nS,
            "scaled_input": scaled_input, "scale": scale, "rthr_sigmoid": rthr,
            "rthr_tanh": max(1, rthr // 2), "rthr_cell_tanh": cell,
            "cell_thin": 2 * cell / unit, "rthr_relay": relay, "relay_thin": relay / PL,
            "cell_range": cell_range, "ig_thin": 1 / cell_range, "cell_charge": charge,
            "kicks": 1 if charge <= 126 else 2}


# the default mx: every value the network rate-codes (x, h, the bias) lies in [-1, 1], so an mx
# just above 1 uses the phase; the seed's 5 leaves four fifths of it unused and h noisier
# (parity, 10 units, PL 200, spike-count model: 0.97 at mx 5 against 0.98 at 1.25)
MX = 1.25
IC_BLOCK = 32         # the IC's inputs per block of partial sums (4 bits: 256 // 8)
# units of C the burst code holds, per task: the Reber networks' cell states reach about 2
CELL_RANGE = {"parity": 1, "reber": 2}


def task_of(name: str) -> str:
    """The task of a committed network, from its name (parity10_q, reber30_f, ...)."""
    return "reber" if name.startswith("reber") else "parity"


def input_counts(x: np.ndarray, nS: float) -> np.ndarray:
    """Spike counts of the rate-coded inputs: round(|x| nS), delivered as regular trains."""
    return np.rint(np.abs(x) * nS).astype(np.int64)


def save(path: Path, nets: dict[str, lstm.LSTMParams]) -> None:
    """Write each network's effective weights (tenths) and its configuration."""
    arrays = {}
    for name, p in nets.items():
        c = p.config
        arrays[f"{name}_W"], arrays[f"{name}_V"] = p.effective()
        arrays[f"{name}_config"] = np.array([c.n_in, c.n_hidden, c.m_sig, c.m_tanh, float(c.quantised),
                                             c.bits, c.decimals, c.n_out])
    atomic_savez(path, arrays)


def load_params(p: lstm.LSTMParams) -> lstm.LSTMParams:
    """A network as it is committed and loaded: its effective weights, as an unquantised LSTM."""
    W, V = p.effective()
    c = p.config
    return lstm.LSTMParams(W.copy(), V.copy(), lstm.LSTMConfig(c.n_in, c.n_hidden, c.m_sig, c.m_tanh,
                                                              quantised=False, n_out=c.n_out))


def names(path: Path = WEIGHTS) -> list[str]:
    """The committed networks' names."""
    with np.load(path) as z:
        return sorted(k[:-2] for k in z.files if k.endswith("_W"))


def load(name: str, path: Path = WEIGHTS) -> lstm.LSTMParams:
    """A committed network: its effective (already quantised) weights, as an unquantised LSTM."""
    with np.load(path) as z:
        if f"{name}_W" not in z:
            raise SystemExit(f"{path}: no network {name!r} (have {sorted(k[:-2] for k in z if k.endswith('_W'))})")
        cfg = z[f"{name}_config"]
        n_out = int(cfg[7]) if len(cfg) > 7 else 1
        config = lstm.LSTMConfig(int(cfg[0]), int(cfg[1]), float(cfg[2]), float(cfg[3]), quantised=False,
                                 n_out=n_out)
        return lstm.LSTMParams(z[f"{name}_W"].copy(), z[f"{name}_V"].copy(), config)


def spiking_predict(params: lstm.LSTMParams, x: np.ndarray, PL: int, seed: int = 0,
                    rate_coded_cell: bool = False, enc: dict | None = None) -> np.ndarray:
    """Class predictions (N, T) of the counting model at phase length PL (slstm.corelet's
    computation in spike counts, draws independent). The chip integers are round(10 w): exact for
    the quantised networks, the rounding-off error of the float ones."""
    return readout(params, spiking_hidden(params, x, PL, seed, rate_coded_cell, enc), PL, enc)


def spiking_hidden(params: lstm.LSTMParams, x: np.ndarray, PL: int, seed: int = 0,
                   rate_coded_cell: bool = False, enc: dict | None = None) -> np.ndarray:
    """h's signed spike counts (N, T, H) of the counting model."""
    cfg = params.config
    W = np.rint(params.W * SF).astype(np.int64)
    enc = enc or encoding(PL)
    nS, s, rthr = enc["nS"], enc["scale"], enc["rthr_sigmoid"]
    rng = np.random.default_rng(seed)
    N, T, _ = x.shape
    H = cfg.n_hidden

    def signed_counts(values, trials, rate):
        return np.sign(values) * rng.binomial(trials, np.clip(rate, 0.0, 1.0))

    h = np.zeros((N, H))
    C = np.zeros((N, H))
    blocks = [slice(b, b + IC_BLOCK) for b in range(0, W.shape[1], IC_BLOCK)]
    rem = np.zeros((len(blocks), 2, N, 4 * H))    # the IC's remainders, carried between steps
    hs = np.empty((N, T, H))
    Wp, Wn = np.maximum(W, 0).T, np.maximum(-W, 0).T
    bias = np.full((N, 1), float(input_counts(np.ones(1), nS)[0]))
    for t in range(T):
        z = np.concatenate([np.sign(x[:, t]) * input_counts(x[:, t], nS), h, bias], axis=1)
        zp, zn = np.maximum(z, 0), np.maximum(-z, 0)
        # each block of IC_BLOCK inputs is scaled on its own (the IC's partial sums)
        sums = np.stack([np.stack([zp[:, b] @ Wp[b] + zn[:, b] @ Wn[b], zp[:, b] @ Wn[b] + zn[:, b] @ Wp[b]])
                         for b in blocks]) + rem
        out = np.floor(sums / s)
        rem = sums - out * s
        out = out.sum(axis=0)
        # a channel emits one spike a tick: a gate's store window takes at most PL - 2 of them
        amp = np.minimum(out[0], PL - 2) - np.minimum(out[1], PL - 2)
        i, f, o = (np.clip(amp[:, k * H:(k + 1) * H] / rthr + 0.5, 0, 1) for k in range(3))
        g = np.clip(amp[:, 3 * H:] / enc["rthr_tanh"], -1, 1)
        if rate_coded_cell:
            C = signed_counts(C, PL, np.abs(C) / PL)
        fC = signed_counts(C, np.abs(C).astype(np.int64), f)
        ig = signed_counts(g, PL, i * np.abs(g))
        ig = signed_counts(ig, np.abs(ig).astype(np.int64), enc["ig_thin"])
        # the burst sums hold cell_charge spikes, and a burst drains at most PL of them
        C = np.clip(fC + ig, -min(enc["cell_charge"], PL), min(enc["cell_charge"], PL))
        # the cell's hard tanh sees C's spikes thinned at cell_thin, and its RThR is rthr_cell_tanh
        seen = signed_counts(fC, np.abs(fC).astype(np.int64), enc["cell_thin"]) + \
            signed_counts(ig, np.abs(ig).astype(np.int64), enc["cell_thin"])
        tanh_c = np.clip(seen / enc["rthr_cell_tanh"], -1, 1)
        o_rate = np.clip(rng.binomial(PL, o * enc["relay_thin"]) / enc["rthr_relay"], 0, 1)
        h = signed_counts(tanh_c, PL, o_rate * np.abs(tanh_c) * nS / PL)
        hs[:, t] = h
    return hs


def readout(params: lstm.LSTMParams, hs: np.ndarray, PL: int, enc: dict | None = None) -> np.ndarray:
    """The readout's predictions from h's counts: V's integers times [h count, bias count] > 0,
    (N, T) for one output, (N, T, n_out) for several."""
    enc = enc or encoding(PL)
    V = np.rint(params.V * SF).astype(np.int64)
    H = hs.shape[2]
    bias = float(input_counts(np.ones(1), enc["nS"])[0])
    score = hs @ V[:, :H].T + bias * V[:, H]
    return (score[:, :, 0] if V.shape[0] == 1 else score) > 0


def accuracy(pred, y, mask) -> float:
    """The fraction of the masked steps predicted right (multi-label: ``lstm.set_accuracy``)."""
    if pred.ndim == 3:
        return lstm.set_accuracy(pred, y, mask)
    return float(((pred == y) * mask).sum() / mask.sum())
