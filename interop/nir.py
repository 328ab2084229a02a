"""NIR graphs (the Neuromorphic Intermediate Representation) to and from a logical ``Network``.

``network_to_nir`` / ``write_nir`` export a ``Network`` whose neurons NIR can express as ``IF``
nodes fed by ``Affine`` nodes, and refuse, naming the neuron and the field, what it cannot (linear
or no reset, stochastic parts, leak reversal, a negative floor, an initial potential).
``nir_to_network`` / ``read_nir`` import graphs of ``IF``, ``LIF`` and ``CubaLIF``
layers joined by ``Affine``, ``Linear`` or ``Conv2d`` weights, quantising each neuron's weights to
the chip's four axon-type values and its threshold, reset and leak to integers, and report the
error that introduces per layer (``NirImport.layers``). The mapping, what is lost and the
quantisation scheme: ``docs/interop.md``, section NIR.

The ``nir`` package is an optional extra (``pip install 'corelet-toolchain[nir]'``); it is imported
inside the functions that need it, so ``corelet.interop`` imports without it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import attrs
import numpy as np

from corelet.chip import TRUENORTH, ChipProfile
from corelet.chip.errors import Location
from corelet.chip.files import atomic_write
from corelet.chip.network import Connections, InputConnector, Network, OutputConnector, Population
from corelet.chip.params import NEG_SATURATE, RESET_VALUE, NeuronParams
from corelet.interop.errors import InteropError

DEFAULT_DT = 1e-3  # seconds per tick when a graph or a caller does not say
LEVELS = 4  # axon types: the distinct weights one neuron can give its inputs
# how weights are spelled: "levels" (one axon type per synapse, four k-means levels per neuron) or
# "binary" (a synapse uses the subset of four types weighted u * [1, 2, 4, -8] that sums to its
# 4-bit value: 16 evenly spaced levels, at up to four axons per source; seeds 000 and 001)
WEIGHT_MODES = ("levels", "binary")
BINARY_TYPE_WEIGHTS = np.array([1, 2, 4, -8])
_LLOYD_STEPS = 30
NEURON_NODES = ("IF", "LIF", "CubaLIF")
WEIGHT_NODES = ("Affine", "Linear", "Conv2d")
SHAPE_NODES = ("Flatten", "Identity")
DELAY_NODES = ("Delay",)


def _nir():
    """The ``nir`` package, or an error saying how to install it."""
    try:
        import nir
    except ImportError as err:  # an optional extra
        raise InteropError("reading or writing NIR graphs needs the 'nir' package",
                           hint="pip install 'corelet-toolchain[nir]'") from err
    return nir


def _error(text: str, *, node: str = "", neuron: str = "", field: str = "", file: str = "",
           hint: str = "") -> InteropError:
    # a NIR node becomes a population or a connector of the same name: it is located as one
    where = [p for p in (file, f"node '{node}'" if node else "", f"neuron {neuron}" if neuron else "",
                         f"field '{field}'" if field else "") if p]
    return InteropError(": ".join([*where, text]), hint=hint, locations=[Location(
        file=file, connector=node, neuron=neuron, field=field)])


# -- export ---------------------------------------------------------------------------------------
def network_to_nir(net: Network, *, dt: float = DEFAULT_DT, drop_floor: bool = False,
                   profile: ChipProfile = TRUENORTH):
    """A ``nir.NIRGraph`` that spikes as ``net`` does, or an ``InteropError`` naming the first
    neuron and field NIR cannot express. Each population becomes an ``IF`` node (r = 1,
    v_threshold = alpha - 1/2, v_reset = R), each (source block, population, delay) with
    connections one ``Affine`` node whose weight sums the axon-type weights and whose bias carries
    the population's leak (followed by a ``Delay`` node of (delay - 1) * dt seconds for delays
    above one tick, the hop itself being the first), each input connector an ``Input`` node and
    each output connector that is a whole population an ``Output`` node. ``drop_floor``: export neurons with a negative floor or
    negative reset as if they had none (NIR has neither), instead of refusing them."""
    nir = _nir()
    p = net.params
    _refuse_unexpressible(net, drop_floor, profile)
    pops = [pop for pop in net.populations if pop.size]
    names = [pop.path for pop in pops] + [c.name for c in net.inputs] + [c.name for c in net.outputs]
    clash = _first_duplicate(names)
    if clash:
        raise _error("a population, input or output of this name exists twice; NIR node names "
                     "are one namespace", node=clash)

    nodes: dict = {}
    edges: list[tuple[str, str]] = []
    for conn in net.inputs:
        nodes[conn.name] = nir.Input(input_type={"input": np.array([conn.width])})
    for pop in pops:
        rows = slice(pop.start, pop.start + pop.size)
        nodes[pop.path] = nir.IF(r=np.ones(pop.size),
                                 v_threshold=p.threshold[rows].astype(np.float64) - 0.5,
                                 v_reset=p.reset_value[rows].astype(np.float64))

    # one Affine per (source block, target population): blocks are populations, then inputs
    c = net.connections
    blocks = [(pop.path, pop.start, pop.size) for pop in net.populations] + [
        (conn.name, net.n_neurons + conn.offset, conn.width) for conn in net.inputs]
    block_starts = np.array([b[1] for b in blocks], dtype=np.int64)
    src_block = np.searchsorted(block_starts, c.src, side="right") - 1
    # empty populations share a start with the next block; searchsorted took the last of them
    dst_pop = net.population_of(c.dst)
    weight = p.weights[c.dst, c.axon_type].astype(np.float64)
    n_pops = len(net.populations)
    pair = (src_block * n_pops + dst_pop) * (c.delay_max() + 1) + c.delay
    order = np.argsort(pair, kind="stable")
    keys, firsts = np.unique(pair[order], return_index=True)
    bounds = np.append(firsts, len(order))
    fed = set()
    for key, lo, hi in zip(keys.tolist(), bounds[:-1].tolist(), bounds[1:].tolist()):
        sel = order[lo:hi]
        key, delay = divmod(key, c.delay_max() + 1)
        src_name, src_start, src_size = blocks[key // n_pops]
        dst = net.populations[key % n_pops]
        matrix = np.zeros((dst.size, src_size))
        np.add.at(matrix, (c.dst[sel] - dst.start, c.src[sel] - src_start), weight[sel])
        bias = np.zeros(dst.size)
        if dst.path not in fed:  # the leak is a constant input: once per population
            bias = p.leak[dst.start:dst.start + dst.size].astype(np.float64)
            fed.add(dst.path)
        name = f"{src_name}->{dst.path}" + (f"@{delay}" if delay > 1 else "")
        nodes[name] = nir.Affine(weight=matrix, bias=bias)
        edges.append((src_name, name))
        if delay > 1:  # one tick is the hop itself; the Delay node holds the rest
            nodes[name + ".delay"] = nir.Delay(delay=np.full(dst.size, (delay - 1) * dt))
            edges += [(name, name + ".delay"), (name + ".delay", dst.path)]
        else:
            edges.append((name, dst.path))
    for pop in pops:
        leaks = np.flatnonzero(p.leak[pop.start:pop.start + pop.size])
        if pop.path not in fed and len(leaks):
            raise _error("a leak on a population with no inputs: NIR carries a constant input "
                         "only as the bias of an incoming Affine node",
                         neuron=net.neuron_name(pop.start + int(leaks[0])), field="leak")

    for out in net.outputs:
        pop = _whole_population(net, out)
        nodes[out.name] = nir.Output(output_type={"output": np.array([out.width])})
        edges.append((pop.path, out.name))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"dt": float(dt), "name": net.name})


def write_nir(net: Network, path: str | os.PathLike, **options) -> None:
    """``network_to_nir(net, **options)`` written to ``path`` (HDF5, all or nothing)."""
    atomic_write(path, nir_bytes(net, **options))


def nir_bytes(net: Network, **options) -> bytes:
    """The NIR file (HDF5) of ``network_to_nir(net, **options)``, as bytes."""
    nir = _nir()
    graph = network_to_nir(net, **options)
    with tempfile.TemporaryDirectory() as tmp:  # h5py writes to a path: stage it, then hand it on
        staged = Path(tmp) / "graph.nir"
        nir.write(staged, graph)
        return staged.read_bytes()


def _refuse_unexpressible(net: Network, drop_floor: bool, profile: ChipProfile) -> None:
    p = net.params
    deepest = profile.neg_threshold_range[1]
    rules = [
        ("stochastic_weights", p.stochastic_weights.any(axis=1), "NIR has no stochastic synapses"),
        ("stochastic_leak", p.stochastic_leak, "NIR has no stochastic leak"),
        ("threshold_mask", p.threshold_mask != 0, "NIR has no stochastic threshold"),
        ("reset_mode", p.reset_mode != RESET_VALUE,
         "NIR resets to a value only: it has no linear (subtractive) reset and no 'none' reset"),
        ("leak_reversal", p.leak_reversal, "NIR has no leak that follows the sign of V"),
        ("initial", p.initial != 0, "NIR has no initial potential"),
    ]
    if not drop_floor:
        floor = (p.neg_mode != NEG_SATURATE) | (p.neg_threshold < deepest)
        rules.append(("neg_threshold", floor,
                      f"NIR has no negative floor or negative reset (only -beta = -{deepest}, the "
                      "deepest the chip holds, reads as none)"))
    for field, bad, why in rules:
        hit = np.flatnonzero(bad)
        if len(hit):
            hint = "drop_floor=True exports it without the floor" if field == "neg_threshold" else ""
            raise _error(why, neuron=net.neuron_name(int(hit[0])), field=field, hint=hint)


def _whole_population(net: Network, out: OutputConnector) -> Population:
    if out.width:
        pop = net.populations[int(net.population_of(out.neurons[:1])[0])]
        whole = np.arange(pop.start, pop.start + pop.size)
        if pop.size == out.width and np.array_equal(out.neurons, whole):
            return pop
    raise _error("an output must be one whole population, in order: a NIR Output node takes a "
                 "node's whole output", node=out.name)


def _first_duplicate(names: list[str]) -> str:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return ""


# -- import ---------------------------------------------------------------------------------------
@attrs.frozen
class LayerReport:
    """What quantising one neuron node cost, in the node's own (float) units.

    ``weight_rel_error``: ||W_chip / s - W|| / ||W|| over the layer's effective weights (the
    weights as they reach V in one tick); ``weight_max_error``: the largest |W_chip / s - W|
    relative to the neuron's threshold; ``threshold_max_error``, ``leak_max_error``,
    ``reset_max_error``: the largest such errors relative to the threshold; ``scale``: the
    smallest and largest per-neuron scale s (chip units per float unit); ``dropped``: weights that
    quantised to 0 (no synapse); ``notes``: approximations made (a leak for an exponential decay)."""

    node: str
    kind: str
    neurons: int
    synapses: int
    scale: tuple[float, float]
    weight_rel_error: float
    weight_max_error: float
    threshold_max_error: float
    leak_max_error: float
    reset_max_error: float
    dropped: int
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = (f"{self.node} ({self.kind}, {self.neurons} neurons, {self.synapses} synapses): "
                f"weight error {self.weight_rel_error:.2%} (L2), largest {self.weight_max_error:.3g} "
                f"of a threshold; threshold {self.threshold_max_error:.3g}, leak "
                f"{self.leak_max_error:.3g}, reset {self.reset_max_error:.3g}; scale "
                f"{self.scale[0]:.4g}..{self.scale[1]:.4g}; {self.dropped} weight(s) rounded to 0")
        return "; ".join([text, *self.notes])


@attrs.frozen
class NirImport:
    """An imported graph: the ``Network``, the tick length ``dt`` it was quantised for, and the
    error per neuron node."""

    network: Network
    dt: float
    layers: tuple[LayerReport, ...]

    def summary(self) -> str:
        return "\n".join([f"dt = {self.dt:g} s per tick", *map(str, self.layers)])


@attrs.frozen
class _Block:
    """Incoming weights of one neuron node, in float: synapse (src, dst, w, delay in ticks), bias
    per neuron."""

    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    bias: np.ndarray


def read_nir(path: str | os.PathLike, *, dt: float | None = None, name: str | None = None,
             profile: ChipProfile = TRUENORTH, weights: str = "levels") -> NirImport:
    """``nir_to_network`` of the graph in file ``path``; errors name the file."""
    nir = _nir()
    if not Path(path).is_file():
        raise _error("no such file", file=str(path))
    try:
        graph = nir.read(path)
    except InteropError:
        raise
    except Exception as err:  # h5py and nir raise many kinds; the file is what is wrong
        raise _error(f"not a NIR graph this nir version reads ({type(err).__name__}: {err})",
                     file=str(path)) from err
    try:
        return nir_to_network(graph, dt=dt, name=name or Path(path).stem, profile=profile,
                              weights=weights)
    except InteropError as err:
        located = [attrs.evolve(loc, file=str(path)) for loc in err.locations]
        raise InteropError(f"{path}: {err.message}", hint=err.hint, locations=located) from None


def nir_to_network(graph, *, dt: float | None = None, name: str = "nir",
                   profile: ChipProfile = TRUENORTH, weights: str = "levels") -> NirImport:
    """A logical ``Network`` for a NIR graph of IF / LIF / CubaLIF nodes joined by Affine, Linear
    or Conv2d nodes (Flatten and Identity pass through), quantised as ``docs/interop.md`` says.
    ``dt``: seconds per tick (default: the graph's metadata ``dt``, else ``DEFAULT_DT``);
    ``weights``: ``"levels"`` or ``"binary"`` (``WEIGHT_MODES``)."""
    if weights not in WEIGHT_MODES:
        raise _error(f"unknown weight mode {weights!r} (known: {', '.join(WEIGHT_MODES)})",
                     field="weights")
    meta = graph.metadata if isinstance(graph.metadata, dict) else {}
    dt = float(dt if dt is not None else meta.get("dt", DEFAULT_DT))
    if not dt > 0:
        raise _error(f"dt = {dt}: a tick must last a positive time", field="dt")
    kinds = {key: type(node).__name__ for key, node in graph.nodes.items()}
    known = ("Input", "Output", *NEURON_NODES, *WEIGHT_NODES, *SHAPE_NODES, *DELAY_NODES)
    for key, kind in kinds.items():
        if kind not in known:
            raise _error(f"a {kind} node has no counterpart on the chip (supported: "
                         f"{', '.join(known)})", node=key)
    preds: dict[str, list[str]] = {key: [] for key in graph.nodes}
    for a, b in graph.edges:
        if a not in preds or b not in preds:
            raise _error(f"edge {a} -> {b} names a node the graph does not have",
                         node=a if a not in preds else b)
        preds[b].append(a)

    inputs, pops, offsets = [], [], {}
    for key, kind in kinds.items():
        if kind == "Input":
            width = int(np.prod(graph.nodes[key].input_type["input"]))
            inputs.append(InputConnector(key, width, sum(c.width for c in inputs)))
    n = 0
    for key, kind in kinds.items():
        if kind in NEURON_NODES:
            size = int(np.asarray(graph.nodes[key].v_threshold).size)
            pops.append(Population(key, n, size))
            offsets[key] = n
            n += size
    for conn in inputs:
        offsets[conn.name] = n + conn.offset
    shapes = {key: _shape(graph.nodes[key], kind) for key, kind in kinds.items()
              if kind == "Input" or kind in NEURON_NODES}

    params, srcs, dsts, types, delays, layers = [], [], [], [], [], []
    for pop in pops:
        block = _incoming(graph, kinds, preds, pop.path, pop.size, offsets, shapes, dt)
        table, pick, conn_type, layer = _quantise(graph.nodes[pop.path], kinds[pop.path], pop.path,
                                                  block, dt, profile, weights)
        params.append(table)
        srcs.append(block.src[pick])
        dsts.append(block.dst[pick] + pop.start)
        types.append(conn_type)
        delays.append(block.delay[pick])
        layers.append(layer)

    outputs = []
    for key, kind in kinds.items():
        if kind == "Output":
            src = _pass_through(graph, kinds, preds, key)
            if kinds[src] not in NEURON_NODES:
                raise _error("an Output must be fed by a neuron node through Flatten / Identity "
                             f"only (it is fed by {kinds[src]} node '{src}')", node=key)
            pop = next(p for p in pops if p.path == src)
            outputs.append(OutputConnector(key, np.arange(pop.start, pop.start + pop.size)))

    joined = [np.concatenate(a) if a else np.zeros(0, np.int64) for a in (srcs, dsts, types, delays)]
    conns = Connections.canonical(*joined)
    net = Network(name, NeuronParams.concat(params), tuple(pops), conns, tuple(inputs),
                  tuple(outputs), provenance={"imported_from": "NIR", "dt": dt})
    return NirImport(net, dt, tuple(layers))


def _shape(node, kind: str) -> tuple[int, ...]:
    if kind == "Input":
        return tuple(int(d) for d in np.atleast_1d(node.input_type["input"]))
    return tuple(np.asarray(node.v_threshold).shape) or (1,)


def _pass_through(graph, kinds, preds, key: str) -> str:
    """The node that feeds ``key`` through Flatten / Identity nodes only."""
    node = key
    while True:
        if len(preds[node]) != 1:
            raise _error(f"expected exactly one input, found {len(preds[node])}", node=node)
        node = preds[node][0]
        if kinds[node] not in SHAPE_NODES:
            return node


def _incoming(graph, kinds, preds, target: str, size: int, offsets, shapes, dt: float) -> _Block:
    """Every path into neuron node ``target``: source node, shape and delay nodes, one weight
    node, shape and delay nodes. Several paths add up (NIR sums a node's inputs). A connection
    takes one tick (the hop) plus its Delay nodes' delays in ticks (rounded)."""
    src, dst, weight, delay, bias = [], [], [], [], np.zeros(size)
    for path in _paths(kinds, preds, target):
        source, maps = path[0], path[1:]
        weights = [m for m in maps if kinds[m] in WEIGHT_NODES]
        if len(weights) != 1:
            raise _error(f"the path {' -> '.join(path + [target])} has {len(weights)} weight nodes; "
                         "each connection between neuron layers needs exactly one "
                         "(Affine, Linear or Conv2d)", node=target)
        node = graph.nodes[weights[0]]
        s, d, w, b = _weight_entries(node, kinds[weights[0]], weights[0], shapes[source])
        n_in = int(np.prod(shapes[source]))
        if b.size != size or (len(s) and s.max() >= n_in):
            raise _error(f"weights of shape {getattr(node, 'weight').shape} join "
                         f"'{source}' ({n_in} values) to '{target}' ({size} neurons)",
                         node=weights[0])
        at = maps.index(weights[0])
        ticks = 1 + _delay_ticks(graph, kinds, maps[:at], n_in, dt)[s] + _delay_ticks(
            graph, kinds, maps[at + 1:], size, dt)[d]
        src.append(s + offsets[source])
        dst.append(d)
        weight.append(w)
        delay.append(ticks)
        bias = bias + b
    if not src:
        return _Block(*(np.zeros(0, np.int64),) * 4, bias)
    return _Block(*map(np.concatenate, (src, dst, weight, delay)), bias)


def _delay_ticks(graph, kinds, maps: list[str], size: int, dt: float) -> np.ndarray:
    """Ticks added, per element of a signal of ``size`` values, by the Delay nodes in ``maps``:
    round(delay / dt) each."""
    ticks = np.zeros(size, dtype=np.int64)
    for key in maps:
        if kinds[key] in DELAY_NODES:
            seconds = np.asarray(graph.nodes[key].delay, dtype=np.float64).ravel()
            if seconds.size not in (1, size) or (seconds < 0).any():
                raise _error(f"delay of {seconds.size} value(s), {seconds.min():g} s at least: "
                             f"expected {size} delays of 0 s or more", node=key, field="delay")
            ticks = ticks + np.round(seconds / dt).astype(np.int64)
    return ticks


def _paths(kinds, preds, target: str) -> list[list[str]]:
    """Each chain ``[source, map, ..., map]`` that ends in ``target``."""
    found, stack = [], [(p, []) for p in preds[target]]
    while stack:
        node, after = stack.pop()
        chain = [node, *after]
        if kinds[node] in ("Input", *NEURON_NODES):
            found.append(chain)
        elif kinds[node] == "Output":
            raise _error("an Output node feeds another node", node=node)
        else:
            if len(chain) > 16:
                raise _error("a cycle through weight and shape nodes only", node=node)
            stack.extend((p, chain) for p in preds[node])
    return found[::-1]


def _weight_entries(node, kind: str, key: str, in_shape):
    """(input index, output index, weight, bias per output) of one weight node, nonzeros only."""
    if kind in ("Affine", "Linear"):
        matrix = np.asarray(node.weight, dtype=np.float64)
        if matrix.ndim != 2:
            raise _error(f"weight of shape {matrix.shape}: only 2-d weights are supported", node=key)
        d, s = np.nonzero(matrix)
        bias = np.asarray(node.bias, dtype=np.float64) if kind == "Affine" else np.zeros(len(matrix))
        return s.astype(np.int64), d.astype(np.int64), matrix[d, s], np.broadcast_to(bias, (len(matrix),))
    return _conv_entries(node, key, in_shape)


def _conv_entries(node, key: str, in_shape):
    """A Conv2d node as its synapses: output (co, oy, ox) from input (ci, iy, ix), C order."""
    kernel = np.asarray(node.weight, dtype=np.float64)
    c_out, c_in_group, kh, kw = kernel.shape
    groups = int(node.groups)
    spatial = node.input_shape if node.input_shape is not None else in_shape[-2:]
    if len(in_shape) != 3 and node.input_shape is None:
        raise _error(f"a Conv2d needs its input's (channels, height, width); the input has shape "
                     f"{tuple(in_shape)} and the node no input_shape", node=key)
    h, w = (int(x) for x in np.atleast_1d(spatial))
    stride = _pair(node.stride)
    dilation = _pair(node.dilation)
    if isinstance(node.padding, str):
        if node.padding == "same" and stride != (1, 1):
            raise _error("padding 'same' with a stride other than 1", node=key, field="padding")
        same = node.padding == "same"
        pad = ((dilation[0] * (kh - 1)) // 2, (dilation[1] * (kw - 1)) // 2) if same else (0, 0)
    else:
        pad = _pair(node.padding)
    if node.padding == "same":
        oh, ow = h, w
    else:
        oh = (h + 2 * pad[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (w + 2 * pad[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    co, ci, ky, kx, oy, ox = np.meshgrid(np.arange(c_out), np.arange(c_in_group), np.arange(kh),
                                         np.arange(kw), np.arange(oh), np.arange(ow), indexing="ij")
    iy = oy * stride[0] - pad[0] + ky * dilation[0]
    ix = ox * stride[1] - pad[1] + kx * dilation[1]
    channel = (co // (c_out // groups)) * c_in_group + ci
    value = kernel[co, ci, ky, kx]
    keep = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w) & (value != 0)
    src = (channel * h + iy) * w + ix
    dst = (co * oh + oy) * ow + ox
    bias = np.repeat(np.broadcast_to(np.asarray(node.bias, dtype=np.float64), (c_out,)), oh * ow)
    return src[keep].astype(np.int64), dst[keep].astype(np.int64), value[keep], bias


def _pair(value) -> tuple[int, int]:
    pair = np.broadcast_to(np.asarray(value, dtype=np.int64), (2,))
    return int(pair[0]), int(pair[1])


def _quantise(node, kind: str, key: str, block: _Block, dt: float, profile: ChipProfile,
              mode: str = "levels"):
    """The node's neurons as chip parameters, the connections (``pick``: the block's synapse of
    each, a synapse appearing once per axon type it uses; ``conn_type``: its axon type), and the
    error report. Synapses rounded to 0 get no connection."""
    size = block.bias.size
    def full(value) -> np.ndarray:  # a parameter per neuron, in C order, from any shape
        array = np.asarray(value, dtype=np.float64)
        return array.ravel() if array.size == size else np.broadcast_to(array.ravel(), (size,))
    threshold = full(node.v_threshold)
    reset = full(node.v_reset if node.v_reset is not None else 0.0)
    r = full(node.r)
    notes = []
    if kind == "IF":
        gain, drive, decay = r, r * block.bias, np.zeros(size)
    else:
        tau = full(node.tau if kind == "LIF" else node.tau_mem)
        _check_positive(tau, key, "tau" if kind == "LIF" else "tau_mem")
        step = dt / tau
        big = np.flatnonzero(step > 1)
        if len(big):
            raise _error(f"tau = {tau[big[0]]:g} s is shorter than the tick (dt = {dt:g} s): one "
                         "Euler step would overshoot", node=key, neuron=f"{key}[{big[0]}]",
                         field="tau" if kind == "LIF" else "tau_mem")
        w_in = np.ones(size)
        if kind == "CubaLIF":
            tau_syn = full(node.tau_syn)
            slow = np.flatnonzero(~np.isclose(tau_syn, dt, rtol=1e-6))
            if len(slow):
                raise _error(f"tau_syn = {tau_syn[slow[0]]:g} s: the chip has no synaptic current; "
                             f"only tau_syn = dt ({dt:g} s), where the current is the last tick's "
                             "input, imports", node=key, neuron=f"{key}[{slow[0]}]", field="tau_syn")
            w_in = full(node.w_in)
        v_leak = full(node.v_leak)
        gain = step * r * w_in
        drive = step * (v_leak + r * w_in * block.bias)
        decay = step * np.abs(threshold) / 2  # the exponential decay's mean over 0..threshold
        notes.append("exponential decay approximated by a linear leak of dt/tau * v_threshold / 2 "
                     "per tick toward 0 (leak reversal)")
    bad = np.flatnonzero(threshold < 0)
    if len(bad):
        raise _error(f"v_threshold = {threshold[bad[0]]:g}: the chip's threshold is positive",
                     node=key, neuron=f"{key}[{bad[0]}]", field="v_threshold")

    weight = block.weight * gain[block.dst]
    if mode == "binary":
        scale, levels, value = _binary(weight, block.dst, drive, decay, threshold, reset, size,
                                       profile)
        chip_weight = levels[block.dst, 0] * value if len(block.dst) else np.zeros(0)
        kept = value != 0
        bits = ((value[:, None] & (1 << np.arange(LEVELS))) != 0) & kept[:, None]
        pick, conn_type = np.nonzero(bits)  # two's complement bits: 1, 2, 4 and -8 units
        notes.append(f"binary weights: types weighted u * {BINARY_TYPE_WEIGHTS.tolist()}, up to "
                     f"{LEVELS} axons per source; {int(bits.sum())} connections for "
                     f"{int(kept.sum())} synapses")
    else:
        scale = _scales(weight, block.dst, drive, decay, threshold, reset, size, profile)
        levels, level_of, zero = _levels(weight * scale[block.dst], block.dst, size, profile)
        chip_weight = (np.where(zero, 0, levels[block.dst, level_of]) if len(block.dst)
                       else np.zeros(0))
        kept = chip_weight != 0
        pick, conn_type = np.flatnonzero(kept), level_of[kept]

    alpha = np.floor(threshold * scale + 1e-9) + 1  # V > theta  <=>  V >= floor(theta) + 1 in integers
    # the chip stores R as sign * (2^k - 1): the nearest such value (its error is reported)
    reset_q = profile.round_reset_values(np.round(reset * scale))
    drive_q, decay_q = np.round(drive * scale), np.round(decay * scale)
    both = np.flatnonzero((drive_q != 0) & (decay_q != 0))
    if len(both):
        j = int(both[0])
        field = "bias" if block.bias[j] != 0 else "v_leak"
        raise _error(f"a constant drive ({drive[j]:g} per tick, from v_leak and the bias) and an "
                     f"exponential decay (tau) on one neuron: the chip has one linear leak per "
                     "neuron, so it holds one or the other", node=key, neuron=f"{key}[{j}]",
                     field=field, hint="an IF node carries a bias exactly")
    leak_q = np.where(decay_q != 0, -decay_q, drive_q)
    params = NeuronParams.from_fields(
        size, weights=levels.astype(np.int16), threshold=alpha, reset_value=reset_q, leak=leak_q,
        leak_reversal=decay_q != 0, reset_mode=RESET_VALUE, neg_mode=NEG_SATURATE,
        neg_threshold=profile.neg_threshold_range[1])
    violations = params.violations(profile, limit=1)
    if violations:
        v = violations[0]
        raise _error(f"{v} after quantisation", node=key, neuron=f"{key}[{v.row}]", field=v.field)

    theta = np.where(threshold > 0, threshold, 1.0)
    w_err = chip_weight / scale[block.dst] - weight
    norm = float(np.sqrt((weight ** 2).sum()))
    layer = LayerReport(
        node=key, kind=kind, neurons=size, synapses=int(kept.sum()),
        scale=(float(scale.min()), float(scale.max())) if size else (1.0, 1.0),
        weight_rel_error=float(np.sqrt((w_err ** 2).sum()) / norm) if norm else 0.0,
        weight_max_error=float((np.abs(w_err) / theta[block.dst]).max()) if len(w_err) else 0.0,
        threshold_max_error=_max_rel((alpha - 1) / scale - threshold, theta),
        leak_max_error=_max_rel(np.where(decay_q != 0, decay_q / scale - decay,
                                         drive_q / scale - drive), theta),
        reset_max_error=_max_rel(reset_q / scale - reset, theta),
        dropped=int((~kept).sum()), notes=tuple(notes))
    return params, pick, conn_type.astype(np.int8), layer


def _check_positive(values: np.ndarray, key: str, field: str) -> None:
    bad = np.flatnonzero(~(values > 0))
    if len(bad):
        raise _error(f"{field} = {values[bad[0]]:g}: a time constant must be positive", node=key,
                     neuron=f"{key}[{bad[0]}]", field=field)


def _max_rel(error: np.ndarray, theta: np.ndarray) -> float:
    return float((np.abs(error) / theta).max()) if len(error) else 0.0


def _scales(weight, dst, drive, decay, threshold, reset, size, profile: ChipProfile) -> np.ndarray:
    """Chip units per float unit, per neuron: 1 where every value is already an integer the chip
    holds (so integer graphs, ours among them, import unchanged); else the largest scale that
    keeps the weights, the leak, the threshold and the reset in their ranges (scaling a neuron's
    inputs, threshold, reset and leak together does not change when it spikes)."""
    w_max = np.zeros(size)
    np.maximum.at(w_max, dst, np.abs(weight))
    top_w = float(profile.weight_range[1])
    top_leak = float(profile.leak_range[1])
    top_alpha = float(profile.threshold_range[1] - 1)
    top_reset = float(profile.reset_value_range[1])
    with np.errstate(divide="ignore"):
        scale = np.minimum.reduce([top_w / w_max, top_leak / np.abs(drive), top_leak / decay,
                                   top_alpha / np.abs(threshold), top_reset / np.abs(reset)])
    scale = np.where(np.isfinite(scale), scale, 1.0)
    integral = np.ones(size, dtype=bool)
    np.logical_and.at(integral, dst, weight == np.round(weight))
    integral &= (drive == np.round(drive)) & (decay == 0) & (reset == np.round(reset)) & (scale >= 1)
    return np.where(integral, 1.0, scale)


def _binary(weight, dst, drive, decay, threshold, reset, size, profile: ChipProfile):
    """Per neuron: the scale s (chip units per float unit), the four type weights u * [1, 2, 4,
    -8] and each synapse's 4-bit value q in -8..7 (its chip weight is u * q).

    The float step k_j of one unit is the smallest that holds every weight in -8..7 (the largest
    of max(w) / 7 and -min(w) / 8); u is as large as the weight range (8u <= 255), the leak and the
    threshold allow, so that the threshold and leak keep the most precision; s = u / k."""
    top_w = profile.weight_range[1] // 8
    pos, neg = np.zeros(size), np.zeros(size)
    np.maximum.at(pos, dst, np.maximum(weight, 0) / 7)
    np.maximum.at(neg, dst, np.maximum(-weight, 0) / 8)
    step = np.maximum(pos, neg)
    step = np.where(step > 0, step, 1.0)  # a neuron without inputs: any unit will do
    top_leak, top_alpha = float(profile.leak_range[1]), float(profile.threshold_range[1] - 1)
    top_reset = float(profile.reset_value_range[1])
    with np.errstate(divide="ignore"):
        unit = np.minimum.reduce([np.full(size, float(top_w)),
                                  np.floor(top_leak * step / np.maximum(np.abs(drive), decay)),
                                  np.floor(top_alpha * step / np.abs(threshold)),
                                  np.floor(top_reset * step / np.abs(reset))])
    unit = np.maximum(unit, 1.0)  # below 1 the leak or threshold cannot be held: refused later
    value = np.clip(np.round(weight / step[dst]), -8, 7).astype(np.int64) if len(dst) else \
        np.zeros(0, np.int64)
    levels = unit[:, None].astype(np.int64) * BINARY_TYPE_WEIGHTS[None, :]
    return unit / step, levels, value


def _levels(x: np.ndarray, dst: np.ndarray, size: int, profile: ChipProfile):
    """Per neuron, ``LEVELS`` integer weights (ascending) and each synapse's level: a 1-d k-means
    (Lloyd) on the neuron's scaled weights with 0 as a fifth, fixed level, started at quantiles
    of its distinct values (so a neuron with at most four distinct weights keeps them exactly),
    then rounded; a synapse nearer to 0 than to every rounded level is dropped (``zero``; its
    level index is 0).

    The weights are sorted once by (neuron, value); a cluster of a neuron is then a run of that
    order between two midpoints, found by binary search, and its mean comes from prefix sums: a
    step costs O(neurons log synapses), not O(synapses)."""
    levels = np.zeros((size, LEVELS))
    if len(x) == 0:
        return levels.astype(np.int64), np.zeros(0, np.int64), np.zeros(0, dtype=bool)
    # |x| <= 255 (the scale sees to it): one float key orders by neuron, then by value
    span = 4.0 * max(1.0, float(np.abs(x).max()))
    key = dst * span + x
    order = np.argsort(key, kind="stable")
    sk, sd, sx = key[order], dst[order], x[order]
    distinct = np.ones(len(sx), dtype=bool)
    distinct[1:] = (sd[1:] != sd[:-1]) | (sx[1:] != sx[:-1])
    ud, ux = sd[distinct], sx[distinct]
    starts = np.searchsorted(ud, np.arange(size))
    counts = np.bincount(ud, minlength=size)
    has = counts > 0
    quantiles = (np.arange(LEVELS) + 0.5) / LEVELS
    picks = starts[:, None] + np.floor(quantiles[None, :] * counts[:, None]).astype(np.int64)
    levels[has] = ux[picks[has]]
    prefix = np.concatenate([[0.0], np.cumsum(sx)])
    neuron = np.arange(size)[:, None]
    first = np.searchsorted(sd, np.arange(size))[:, None]
    last = np.searchsorted(sd, np.arange(size), side="right")[:, None]
    for _ in range(_LLOYD_STEPS):  # each step is vectorised over all neurons
        # 0 is a fifth, fixed level (no synapse), placed first among equals so that it keeps
        # the weights at 0: weights it takes do not pull a level
        options = np.concatenate([np.zeros((size, 1)), levels], axis=1)
        rank = np.argsort(options, axis=1, kind="stable")
        ordered = np.take_along_axis(options, rank, axis=1)
        middles = (ordered[:, 1:] + ordered[:, :-1]) / 2
        cuts = np.searchsorted(sk, neuron * span + middles, side="right")
        bounds = np.concatenate([first, np.clip(cuts, first, last), last], axis=1)
        sums = prefix[bounds[:, 1:]] - prefix[bounds[:, :-1]]
        hits = bounds[:, 1:] - bounds[:, :-1]
        moved = np.where(hits > 0, sums / np.maximum(hits, 1), ordered)
        updated = np.empty_like(options)
        np.put_along_axis(updated, rank, moved, axis=1)
        moved = np.sort(updated[:, 1:], axis=1)  # column 0 was the fixed 0
        if np.array_equal(moved, levels):
            break
        levels = moved
    low, high = profile.weight_range
    levels = np.sort(np.clip(np.round(levels), low, high), axis=1)
    # each synapse takes the nearest of (0, the rounded levels); 0 wins ties, as in the steps
    options = np.concatenate([np.zeros((size, 1)), levels], axis=1)
    rank = np.argsort(options, axis=1, kind="stable")
    ordered = np.take_along_axis(options, rank, axis=1)
    cuts = np.searchsorted(sk, neuron * span + (ordered[:, 1:] + ordered[:, :-1]) / 2, side="right")
    step = np.zeros(len(sx) + 1, dtype=np.int64)
    np.add.at(step, np.clip(cuts, first, last).ravel(), 1)
    # the cluster of a sorted synapse: the cuts at or before it, less the LEVELS cuts of each
    # neuron before its own (those all lie at or before its neuron's first synapse)
    cluster = np.cumsum(step)[:-1] - LEVELS * sd
    column = rank[sd, cluster]  # 0: the fixed 0, else level column - 1
    nearest = np.empty(len(x), dtype=np.int64)
    nearest[order] = column
    zero = nearest == 0
    return levels.astype(np.int64), np.where(zero, 0, nearest - 1), zero
