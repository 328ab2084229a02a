"""Networks for the compiler tests, built directly as ``corelets.Network`` objects.

``seed000`` and ``elman`` follow the seed papers; ``random_network`` draws small networks with
recurrence, stochastic neurons, long delays and fan-out that forces copies and splitters;
``dense_layers``, ``ic_blocks`` and ``conv_groups`` are the placement benchmark shapes.
"""

from __future__ import annotations

import numpy as np

from corelet.chip import NeuronParams
from corelet.language import (Connections, CoreGroup, InputConnector, Network, OutputConnector,
                      Population)


def build(name, pops, inputs, conns, outputs, groups=(), params=None):
    """``pops``: [(path, size, corelet)]; ``inputs``: [(name, width)]; ``conns``: (src, dst, type,
    delay) arrays with sources numbered neurons first, then pins; ``outputs``: [(name, neurons)]."""
    populations, start = [], 0
    for path, size, corelet in pops:
        populations.append(Population(path, start, size, corelet))
        start += size
    ins, offset = [], 0
    for iname, width in inputs:
        ins.append(InputConnector(iname, width, offset))
        offset += width
    params = params if params is not None else NeuronParams.from_fields(start, threshold=1)
    return Network(name, params, tuple(populations), Connections.canonical(*conns), tuple(ins),
                   tuple(OutputConnector(o, np.asarray(ns, np.int64)) for o, ns in outputs),
                   tuple(CoreGroup(g, np.asarray(ns, np.int64)) for g, ns in groups))


def bits4(w):
    """Two's-complement 4-bit spelling of integer weights: (k, mask) with bit k set."""
    w = np.asarray(w) & 0xF
    return [(k, ((w >> k) & 1).astype(bool)) for k in range(4)]


def _dense4(src_ids, dst_ids, W, delay=1):
    """src i -> dst j through axon type k wherever bit k of W[i, j] is set."""
    s, d, t = [], [], []
    for k, mask in bits4(W):
        ii, jj = np.nonzero(mask)
        s.append(np.asarray(src_ids)[ii]); d.append(np.asarray(dst_ids)[jj]); t.append(np.full(len(ii), k))
    s, d, t = np.concatenate(s), np.concatenate(d), np.concatenate(t)
    return s, d, t, np.full(len(s), delay)


def _cat(*parts):
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))


def relu_params(n, rng, threshold=16):
    return NeuronParams.from_fields(n, weights=[1, 2, 4, -8], threshold=threshold, reset_mode=1,
                                    neg_threshold=0, neg_mode=1)


def seed000(rng=None):
    """64 inputs -> 64 hidden -> 1 output, 4-bit weights over axon types 0..3 (seed 000)."""
    rng = rng or np.random.default_rng(0)
    n_hid, n_out = 64, 1
    W1 = rng.integers(-8, 8, (64, 64))
    W1[:, 0] = -1  # -1 spells all four bits: every input reaches the hidden core on four axons
    W2 = rng.integers(1, 8, (64, 1)) * rng.choice([-1, 1], (64, 1))
    W2[:, 0] = np.where(np.arange(64) % 2, W2[:, 0], -1)
    hid = np.arange(n_hid)
    out = np.arange(n_hid, n_hid + n_out)
    pins = n_hid + n_out + np.arange(64)
    conns = _cat(_dense4(pins, hid, W1), _dense4(hid, out, W2))
    params = relu_params(n_hid + n_out, rng, threshold=4)
    return build("true_happiness", [("hid.h", n_hid, "Dense"), ("out.h", n_out, "Dense")],
                 [("word", 64)], conns, [("score", out)], params=params)


def elman(rng=None, delay=15):
    """48 inputs + 16 recurrent hidden units, 4-bit weights through 4 axons per input (seed 001)."""
    rng = rng or np.random.default_rng(1)
    hid = np.arange(16)
    pins = 16 + np.arange(48)
    Wx = rng.integers(-8, 8, (48, 16))
    Wx[:, 0] = -1
    Wh = rng.integers(-8, 8, (16, 16))
    Wh[:, 0] = -1
    conns = _cat(_dense4(pins, hid, Wx), _dense4(hid, hid, Wh, delay))
    return build("elman", [("rnn.h", 16, "Elman")], [("x", 48)], conns, [("h", hid)],
                 params=relu_params(16, rng))


def random_params(n, rng):
    """A mix of every neuron mode: stochastic synapses, leaks and thresholds, all reset modes."""
    stochastic = rng.random(n) < 0.3
    return NeuronParams.from_fields(
        n,
        weights=rng.integers(-6, 10, (n, 4)) * np.where(stochastic, 20, 1)[:, None],
        stochastic_weights=(rng.random((n, 4)) < 0.5) & stochastic[:, None],
        leak=rng.integers(-2, 2, n) * np.where(rng.random(n) < 0.2, 60, 1),
        stochastic_leak=rng.random(n) < 0.2,
        leak_reversal=rng.random(n) < 0.2,
        threshold=rng.integers(1, 12, n),
        neg_threshold=rng.integers(0, 20, n),
        threshold_mask=np.where(rng.random(n) < 0.25, rng.integers(1, 4, n), 0),
        reset_mode=rng.integers(0, 3, n),
        neg_mode=rng.integers(0, 2, n),
        reset_value=rng.choice([-3, -1, 0, 1, 3], n),  # values the chip holds: +-(2^k - 1)
        initial=rng.integers(-3, 5, n),
    )


def random_network(seed, *, max_fan_in=256, long_delays=True, all_outputs=False, groups=False):
    """A random network: a few populations and inputs, recurrence, long delays, wide fan-out."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, 40, rng.integers(2, 5))
    widths = rng.integers(2, 24, rng.integers(1, 3))
    n, n_pins = int(sizes.sum()), int(widths.sum())
    m = int(rng.integers(n, 8 * (n + n_pins)))
    src = rng.integers(0, n + n_pins, m)
    dst = rng.integers(0, n, m)
    hubs = rng.choice(n + n_pins, size=min(3, n + n_pins), replace=False)
    fan = rng.integers(0, n, 3 * n)  # a few sources reach many neurons: copies and splitters
    src = np.concatenate([src, np.repeat(hubs, n)[:len(fan)]])
    dst = np.concatenate([dst, fan])
    axon_type = rng.integers(0, 4, len(src))
    delay = np.where(rng.random(len(src)) < 0.7, 1, rng.integers(2, 6, len(src)))
    if long_delays:
        delay = np.where(rng.random(len(src)) < 0.1, rng.integers(16, 40, len(src)), delay)
    keep = _cap_fan_in(src, dst, axon_type, delay, max_fan_in)
    conns = (src[keep], dst[keep], axon_type[keep], delay[keep])
    pops = [(f"c{i // 2}.p{i}", int(s), f"Block{i // 2}") for i, s in enumerate(sizes)]
    inputs = [(f"in{i}", int(w)) for i, w in enumerate(widths)]
    outputs = [("all", np.arange(n))] if all_outputs else \
        [("out", np.sort(rng.choice(n, size=max(1, n // 3), replace=False)))]
    group_list = [("g0", np.arange(min(3, int(sizes[0]))))] if groups else []
    return build(f"random{seed}", pops, inputs, conns, outputs, group_list,
                 params=random_params(n, rng))


def _cap_fan_in(src, dst, axon_type, delay, limit):
    """Keep at most ``limit`` distinct (src, type, delay) inputs per neuron."""
    key = np.stack([dst, src, axon_type, delay], 1)
    _, first = np.unique(key, axis=0, return_index=True)
    keep = np.zeros(len(src), bool)
    keep[first] = True
    order = np.flatnonzero(keep)
    rank = np.zeros(len(src), np.int64)
    by_dst = order[np.argsort(dst[order], kind="stable")]
    d = dst[by_dst]
    starts = np.searchsorted(d, d)
    rank[by_dst] = np.arange(len(by_dst)) - starts
    return keep & (rank < limit)


# -- placement benchmark shapes -------------------------------------------------------------------
def dense_layers(sizes, density, seed, inputs=64, types=4):
    """Dense layers: each neuron reads a random ``density`` of the layer before it, each synapse a
    random nonzero weight spelled in two's complement over axon types 0..types-1 (4 types: the
    4-bit weights of seed 000; 1 type: binary synapses)."""
    rng = np.random.default_rng(seed)
    sizes = list(sizes)
    starts = np.cumsum([0] + sizes)
    n = int(starts[-1])
    parts = []
    prev = n + np.arange(inputs)
    for layer, size in enumerate(sizes):
        here = starts[layer] + np.arange(size)
        weights = rng.integers(1, 1 << types, (len(prev), size))
        weights[rng.random((len(prev), size)) >= density] = 0
        for k in range(types):
            ii, jj = np.nonzero((weights >> k) & 1)
            parts.append((prev[ii], here[jj], np.full(len(ii), k), np.ones(len(ii), np.int64)))
        prev = here
    pops = [(f"mlp.l{i}", s, "Dense") for i, s in enumerate(sizes)]
    return build("dense", pops, [("x", inputs)], _cat(*parts), [("y", prev)])


def ic_blocks(n_inputs, units, seed, slice_size=64):
    """The IC module of seed 002: inputs in slices of ``slice_size`` reach partial-sum neurons
    (8 per unit: f, i, o, tanh, two channels) through 4 axon types; a summing stage reads them."""
    rng = np.random.default_rng(seed)
    slices = -(-n_inputs // slice_size)
    partial = slices * units * 8
    n = partial + units * 8
    parts = []
    for s in range(slices):
        pins = n + s * slice_size + np.arange(min(slice_size, n_inputs - s * slice_size))
        here = s * units * 8 + np.arange(units * 8)
        W = rng.integers(-8, 8, (len(pins), len(here)))
        parts.append(_dense4(pins, here, W))
    for s in range(slices):  # partial sums -> summing neurons, same gate and channel
        src = s * units * 8 + np.arange(units * 8)
        parts.append((src, partial + np.arange(units * 8), np.zeros(units * 8, np.int64),
                      np.ones(units * 8, np.int64)))
    pops = [("lstm.ic.partial", partial, "IC"), ("lstm.ic.sum", units * 8, "IC")]
    return build("ic", pops, [("x", n_inputs)], _cat(*parts),
                 [("h", partial + np.arange(units * 8))])


def conv_groups(side, features, seed, group_features=8, with_groups=True):
    """A 3x3 convolution over a side x side x features map with trinary weights (types 1 and 2);
    the output features are split into groups, each group of one location sharing a core."""
    rng = np.random.default_rng(seed)
    n_in = side * side * features
    n = side * side * features
    parts, groups = [], []
    loc = np.arange(side * side).reshape(side, side)
    for r in range(side):
        for c in range(side):
            here = (r * side + c) * features + np.arange(features)
            rr, cc = np.meshgrid(np.arange(r - 1, r + 2), np.arange(c - 1, c + 2), indexing="ij")
            ok = (rr >= 0) & (rr < side) & (cc >= 0) & (cc < side)
            src_locs = loc[rr[ok], cc[ok]]
            for g in range(0, features, group_features):
                outs = here[g:g + group_features]
                ins = n + (src_locs[:, None] * features + np.arange(g, g + group_features)).ravel()
                w = rng.integers(-1, 2, (len(ins), len(outs)))
                ii, jj = np.nonzero(w)
                parts.append((ins[ii], outs[jj], np.where(w[ii, jj] > 0, 1, 2),
                              np.ones(len(ii), np.int64)))
                if with_groups:
                    groups.append((f"g{r}_{c}_{g}", outs))
    pops = [("conv.s1", n, "Conv")]
    return build("conv", pops, [("img", n_in)], _cat(*parts), [("y", np.arange(n))],
                 groups=groups)
