"""The ``Fabric``: the runtime's executable form, to which both a chip model and a logical network reduce.

A fabric is neurons, axons, synapses and routes, with no notion of cores or corelets:

* neurons ``0 .. n_neurons-1`` with one ``NeuronParams`` row each, a logical id (copies share it),
  a role (``ROLES`` of ``corelet.chip.model``) and a name ``(name_path, name_index)`` into ``paths``;
* axons ``0 .. n_axons-1``, each with a type 0..3 and the logical id of the source that drives it
  (the key of its stochastic-synapse draws);
* synapses: pairs (axon, neuron), unique;
* routes: a spike of neuron ``route_neuron[k]`` fired in tick t makes axon ``route_axon[k]`` active
  in tick t + ``route_delay[k]`` (any delay >= 1); an axon active twice in one tick is active once;
* input routes: a spike on input pin ``input_route_pin[k]`` (global pin number) in raster row t
  makes axon ``input_route_axon[k]`` active in tick t + ``input_route_delay[k]`` - 1;
* inputs: (name, width) in pin order; outputs: (name, neuron indices);
* every array has the length its row count says (N, A, S synapses, R routes, Q input routes), and
  every index lies in range (neurons 0..N-1, axons 0..A-1, pins 0..sum of input widths - 1, name
  paths 0..len(paths)-1, roles 0..len(ROLES)-1).

These invariants are checked on construction (vectorised; a ``ValueError`` names the first broken
one). ``runtime.lower.fabric_from_model`` builds one from a ``ChipModel`` (one route per neuron, the
crossbars as synapses); ``runtime.lower.fabric_from_network`` builds one from a logical ``Network``
(one axon per distinct (source, type, delay)). The simulator only ever sees a fabric.
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip import ROLES, NeuronParams, element_name


@attrs.frozen(eq=False)
class Fabric:
    params: NeuronParams
    neuron_ids: np.ndarray  # (N,) uint64
    neuron_role: np.ndarray  # (N,) int8
    paths: tuple[str, ...]
    name_path: np.ndarray  # (N,) int32 into paths
    name_index: np.ndarray  # (N,) int32
    axon_type: np.ndarray  # (A,) int8
    axon_source_id: np.ndarray  # (A,) uint64
    syn_axon: np.ndarray  # (S,) int32 or int64 (fabric_from_model: int32 while indices fit)
    syn_neuron: np.ndarray  # (S,) int32 or int64
    route_neuron: np.ndarray  # (R,) int64
    route_axon: np.ndarray  # (R,) int64
    route_delay: np.ndarray  # (R,) int32
    input_route_pin: np.ndarray  # (Q,) int64
    input_route_axon: np.ndarray  # (Q,) int64
    input_route_delay: np.ndarray  # (Q,) int32
    inputs: tuple[tuple[str, int], ...]
    outputs: tuple[tuple[str, np.ndarray], ...]

    def __attrs_post_init__(self) -> None:
        _check(self)

    @property
    def n_neurons(self) -> int:
        return len(self.params)

    @property
    def n_axons(self) -> int:
        return len(self.axon_type)

    @property
    def max_delay(self) -> int:
        delays = np.concatenate([self.route_delay, self.input_route_delay, [1]])
        return int(delays.max())

    def neuron_names(self, rows: np.ndarray) -> list[str]:
        return [element_name(self.paths[self.name_path[r]], self.name_index[r]) for r in rows]


def _check(f: Fabric) -> None:
    """The invariants of the module docstring; ``ValueError`` naming the first one broken."""
    n, a = f.n_neurons, f.n_axons
    n_pins = sum(int(width) for _, width in f.inputs)
    tables = {  # name -> (row count, {column: (array, lowest, highest)})
        "neurons": (n, {"neuron_ids": (f.neuron_ids, None, None),
                        "neuron_role": (f.neuron_role, 0, len(ROLES) - 1),
                        "name_path": (f.name_path, 0, len(f.paths) - 1),
                        "name_index": (f.name_index, 0, None)}),
        "axons": (a, {"axon_type": (f.axon_type, 0, 3), "axon_source_id": (f.axon_source_id, None, None)}),
        # ranges of the synapses: checked with their uniqueness, in one pass (below)
        "synapses": (len(f.syn_axon), {"syn_axon": (f.syn_axon, None, None),
                                       "syn_neuron": (f.syn_neuron, None, None)}),
        "routes": (len(f.route_neuron), {"route_neuron": (f.route_neuron, 0, n - 1),
                                         "route_axon": (f.route_axon, 0, a - 1),
                                         "route_delay": (f.route_delay, 1, None)}),
        "input routes": (len(f.input_route_pin), {"input_route_pin": (f.input_route_pin, 0, n_pins - 1),
                                                  "input_route_axon": (f.input_route_axon, 0, a - 1),
                                                  "input_route_delay": (f.input_route_delay, 1, None)}),
    }
    tables.update({f"output {name!r}": (len(rows), {f"output {name!r}": (rows, 0, n - 1)})
                   for name, rows in f.outputs})
    for table, (count, columns) in tables.items():
        for column, (values, low, high) in columns.items():
            values = np.asarray(values)
            if values.ndim != 1 or len(values) != count:
                raise ValueError(f"fabric: {column} has shape {values.shape}, expected ({count},) "
                                 f"(one per entry of {table})")
            if not count or (low is None and high is None):
                continue
            _check_range(column, values, low, high)
    _check_synapses(f.syn_axon, f.syn_neuron, a, n)


def _check_range(column: str, values: np.ndarray, low: int, high: int | None) -> None:
    lo, hi = int(values.min()), int(values.max())
    if lo < low or (high is not None and hi > high):
        expected = f"{low}..{'' if high is None else high}"
        raise ValueError(f"fabric: {column} holds {lo}..{hi}, expected {expected}")


def _check_synapses(axon: np.ndarray, neuron: np.ndarray, n_axons: int, n_neurons: int,
                    step: int = 1 << 17) -> None:
    """Synapse indices in range, and no (axon, neuron) pair twice.

    ``axon * N + neuron`` numbers the pairs. One pass in slices that stay in the CPU cache checks
    each slice's range and, while the numbers keep increasing (the usual case: synapses sorted by
    axon, then neuron), that no pair repeats; otherwise the numbers are sorted once.
    """
    if not len(axon):
        return
    n = max(n_neurons, 1)
    packable = n_axons <= (2**63 - 1) // n  # axon * N + neuron fits int64
    size = min(step, len(axon))
    key = np.empty(size + 1, np.int64)  # key[0]: the last key of the slice before
    increasing = packable
    for lo in range(0, len(axon), size):
        hi = min(lo + size, len(axon))
        a, b = axon[lo:hi], neuron[lo:hi]
        if a.min() < 0 or a.max() >= n_axons or b.min() < 0 or b.max() >= n_neurons:
            _check_range("syn_axon", axon, 0, n_axons - 1)  # raises, naming the whole range
            _check_range("syn_neuron", neuron, 0, n_neurons - 1)
        if increasing:
            k = key[1:hi - lo + 1]
            np.multiply(a, n, out=k, dtype=np.int64)
            np.add(k, b, out=k, dtype=np.int64)
            first = 1 if lo == 0 else 0
            increasing = bool((key[1 + first:hi - lo + 1] > key[first:hi - lo]).all())
            key[0] = key[hi - lo]
    if increasing or len(axon) < 2:
        return
    if packable:
        key = np.sort(axon.astype(np.int64) * n + neuron)
        same = key[1:] == key[:-1]
        if same.any():
            _twice(*divmod(int(key[int(np.argmax(same))]), n))
    else:
        order = np.lexsort((neuron, axon))
        a, b = axon[order], neuron[order]
        same = (a[1:] == a[:-1]) & (b[1:] == b[:-1])
        if same.any():
            i = int(np.argmax(same))
            _twice(int(a[i]), int(b[i]))


def _twice(axon: int, neuron: int) -> None:
    raise ValueError(f"fabric: synapse (axon {axon}, neuron {neuron}) appears twice; synapses are "
                     f"unique")
