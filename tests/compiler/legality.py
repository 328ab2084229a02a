"""An independent legality checker for compiled chip models (written from the chip rules).

It reads only the ``ChipModel`` arrays and the logical ``Network``; it never calls compiler code.
``check(model, net, retimed)`` raises AssertionError naming the first broken rule:

1. every used neuron has one target: an output pin, nothing, or a *used* axon of an existing core
   with a delay in the profile's range; input routes reach used axons with legal delays;
2. synapses only join used axons to used neurons; an axon is driven (by neurons or input routes)
   only by carriers of the logical source it is named after;
3. a copy sits on its original's core with identical parameters and an identical crossbar column;
   a relay reads exactly one axon, fires on every spike (threshold 1, positive weight, no leak) and
   never on its own;
4. every used axon is driven, and all its drivers deliver with the same total delay (relay chains
   summed);
5. the synapses onto original neurons, read as (source, target, axon type, total delay), are exactly
   the connections of ``retimed`` (the input network with added latencies);
6. each logical neuron has exactly one original; output pins read neurons that carry the right name
   and target an output.
"""

from __future__ import annotations

import numpy as np

from corelet.chip.model import ChipModel

OUTPUT, NO_TARGET = -2, -1
ORIGINAL, COPY, RELAY = 0, 1, 2


def check(model: ChipModel, net, retimed=None) -> None:
    retimed = net if retimed is None else retimed
    c, p = model.cores, model.profile
    used = c.neuron_path >= 0
    axon_used = c.axon_path >= 0
    xb = np.unpackbits(c.crossbar, axis=2).astype(bool)
    assert xb.shape[1:] == (p.axons_per_core, p.neurons_per_core)
    _targets(model, used, axon_used)
    assert not (xb & ~axon_used[:, :, None]).any(), "synapse on an unused axon"
    assert not (xb & ~used[:, None, :]).any(), "synapse on an unused neuron"
    names = _names(model)
    arrival = _arrivals(model, used, axon_used, xb, names)
    _copies_and_relays(model, used, xb)
    _connections(model, net, retimed, used, xb, names, arrival)
    _outputs(model, net)


def _names(model):
    c = model.cores
    return {"neuron": (c.neuron_path, c.neuron_index), "axon": (c.axon_path, c.axon_index)}


def _targets(model, used, axon_used):
    c, p = model.cores, model.profile
    lo, hi = p.delay_range
    for core, n in zip(*np.nonzero(used)):
        t = c.target_core[core, n]
        assert t in (OUTPUT, NO_TARGET) or 0 <= t < c.n_cores, f"core {core} neuron {n}: target {t}"
        if t >= 0:
            a = c.target_axon[core, n]
            assert 0 <= a < p.axons_per_core and axon_used[t, a], \
                f"core {core} neuron {n} targets unused axon {t}:{a}"
            assert lo <= c.delay[core, n] <= hi, f"core {core} neuron {n}: delay {c.delay[core, n]}"
    for conn in model.inputs:
        assert ((conn.delay >= lo) & (conn.delay <= hi)).all(), f"input {conn.name}: delay range"
        assert axon_used[conn.core, conn.axon].all(), f"input {conn.name} reaches an unused axon"
        assert ((conn.pin >= 0) & (conn.pin < conn.width)).all()


def _drivers(model, used):
    """(axon core, axon, driver kind, core, neuron or pin, delay, path, index) of every route."""
    c = model.cores
    rows = []
    for core, n in zip(*np.nonzero(used & (c.target_core >= 0))):
        rows.append((int(c.target_core[core, n]), int(c.target_axon[core, n]), "neuron", int(core),
                     int(n), int(c.delay[core, n]), int(c.neuron_path[core, n]),
                     int(c.neuron_index[core, n])))
    for conn in model.inputs:
        path = model.paths.index(conn.name)
        for pin, core, axon, delay in zip(conn.pin, conn.core, conn.axon, conn.delay):
            rows.append((int(core), int(axon), "pin", -1, int(pin), int(delay), path, int(pin)))
    return rows


def _arrivals(model, used, axon_used, xb, names):
    """Total delay from the logical source's spike to each used axon's activity."""
    c = model.cores
    drivers = {}
    for row in _drivers(model, used):
        drivers.setdefault((row[0], row[1]), []).append(row)
    arrival = {}

    def resolve(core, axon, depth=0):
        assert depth < 1000, "relay cycle"
        if (core, axon) in arrival:
            return arrival[(core, axon)]
        rows = drivers.get((core, axon), [])
        assert rows, f"core {core} axon {axon} is used but nothing drives it"
        times = set()
        for _, _, kind, dcore, who, delay, path, index in rows:
            assert (path, index) == (c.axon_path[core, axon], c.axon_index[core, axon]), \
                f"core {core} axon {axon} named {model.paths[c.axon_path[core, axon]]}" \
                f"[{c.axon_index[core, axon]}] is driven by {model.paths[path]}[{index}]"
            if kind == "neuron" and c.neuron_role[dcore, who] == RELAY:
                inputs = np.flatnonzero(xb[dcore, :, who])
                assert len(inputs) == 1, f"relay core {dcore} neuron {who} reads {len(inputs)} axons"
                times.add(delay + resolve(dcore, int(inputs[0]), depth + 1))
            else:
                times.add(delay)
        assert len(times) == 1, f"core {core} axon {axon}: drivers disagree on delay {times}"
        arrival[(core, axon)] = times.pop()
        return arrival[(core, axon)]

    for core, axon in zip(*np.nonzero(axon_used)):
        resolve(int(core), int(axon))
    return arrival


def _copies_and_relays(model, used, xb):
    c, n_per = model.cores, model.profile.neurons_per_core
    matrix = np.concatenate([a.reshape(len(c.params), -1).astype(np.int64)
                             for _, a in c.params.arrays()], axis=1)
    originals = {}
    for core, n in zip(*np.nonzero(used & (c.neuron_role == ORIGINAL))):
        key = (int(c.neuron_path[core, n]), int(c.neuron_index[core, n]))
        assert key not in originals, f"two originals of {key}"
        originals[key] = (int(core), int(n))
    for core, n in zip(*np.nonzero(used & (c.neuron_role == COPY))):
        key = (int(c.neuron_path[core, n]), int(c.neuron_index[core, n]))
        assert key in originals, f"copy core {core} neuron {n} has no original"
        ocore, on = originals[key]
        assert ocore == core, f"copy core {core} neuron {n} is not on its original's core {ocore}"
        assert (matrix[core * n_per + n] == matrix[ocore * n_per + on]).all(), "copy params differ"
        assert (xb[core, :, n] == xb[ocore, :, on]).all(), "copy inputs differ"
    p = c.params
    for core, n in zip(*np.nonzero(used & (c.neuron_role == RELAY))):
        r = core * n_per + n
        inputs = np.flatnonzero(xb[core, :, n])
        assert len(inputs) == 1, f"relay core {core} neuron {n} reads {len(inputs)} axons"
        t = c.axon_type[core, inputs[0]]
        # at rest (V = 0) one input spike fires it, and it returns to rest: fires once per spike
        assert p.weights[r, t] >= p.threshold[r] and not p.stochastic_weights[r, t], "relay weight"
        assert p.leak[r] == 0 and p.threshold_mask[r] == 0 and p.initial[r] == 0, "relay leak"
        assert p.reset_mode[r] == 0 and p.reset_value[r] == 0, "relay reset"


def _connections(model, net, retimed, used, xb, names, arrival):
    c = model.cores
    base = {p.path: p.start for p in net.populations}
    base.update({i.name: net.n_neurons + i.offset for i in net.inputs})
    path_base = np.array([base[p] for p in model.paths], np.int64)
    arrive = np.zeros(c.axon_type.shape, np.int64)
    for (core, axon), ticks in arrival.items():
        arrive[core, axon] = ticks
    original = used & (c.neuron_role == ORIGINAL)
    core, axon, neuron = np.nonzero(xb & original[:, None, :])
    src = path_base[c.axon_path[core, axon]] + c.axon_index[core, axon]
    dst = path_base[c.neuron_path[core, neuron]] + c.neuron_index[core, neuron]
    chip = np.stack([src, dst, c.axon_type[core, axon], arrive[core, axon]], 1)
    r = retimed.connections
    logical = np.stack([r.src, r.dst, r.axon_type, r.delay], 1).astype(np.int64)
    chip_rows = np.unique(chip, axis=0)
    assert len(chip_rows) == len(chip), "a connection is realised twice"
    same = len(chip_rows) == len(logical) and (chip_rows == np.unique(logical, axis=0)).all()
    if not same:
        as_set = lambda rows: {tuple(x) for x in rows.tolist()}  # noqa: E731
        missing, extra = as_set(logical) - as_set(chip_rows), as_set(chip_rows) - as_set(logical)
        raise AssertionError(f"missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]} "
                             "(src, dst, type, delay)")
    originals = int(original.sum())
    assert originals == net.n_neurons, f"{originals} originals for {net.n_neurons} neurons"


def _outputs(model, net):
    c = model.cores
    for out, lout in zip(model.outputs, net.outputs):
        assert out.name == lout.name and out.width == lout.width
        for pin, (core, n) in enumerate(zip(out.core, out.neuron)):
            assert c.target_core[core, n] == OUTPUT, f"output {out.name}[{pin}] is not an output"
            assert model.neuron_name(core, n) == net.neuron_name(int(lout.neurons[pin]))
