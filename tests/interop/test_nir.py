"""NIR graphs to and from logical networks (``corelet.interop.nir``), checked against hand-computed
networks, a float simulation of the graph written here from NIR's equations, and the runtime."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from corelet import runtime
from corelet.chip import IDEAL, NeuronParams
from corelet.chip.network import Connections, InputConnector, Network, OutputConnector, Population
from corelet.chip.params import NEG_SATURATE, RESET_LINEAR, RESET_VALUE
from corelet.interop import InteropError
from corelet.interop import nir as cnir

NO_FLOOR = 2**18 - 1  # the deepest negative floor the chip holds: NIR's "none"


@pytest.fixture
def nir():
    return pytest.importorskip("nir", reason="the NIR tests need the optional extra: "
                               "pip install -e '.[nir]'")


# -- helpers ---------------------------------------------------------------------------------------
def effective_weights(net: Network) -> np.ndarray:
    """W[dst, src]: the sum of the axon-type weights of every connection (what a spike adds)."""
    c = net.connections
    w = np.zeros((net.n_neurons, net.n_sources))
    np.add.at(w, (c.dst, c.src), net.params.weights[c.dst, c.axon_type])
    return w


def run_network(net: Network, ticks: int, inputs: dict) -> dict:
    return runtime.simulate(runtime.fabric_from_network(net), ticks, inputs).outputs


def float_reference(graph, ticks: int, inputs: dict, dt: float) -> dict:
    """NIR's equations stepped by hand in float: each neuron node's input current in tick t is the
    sum over its Affine/Linear nodes of W @ (the source's spikes) + b, where an Input's spikes are
    its row t and a neuron node's are those it fired in tick t-1 (one tick per hop, as on the
    chip); IF: v += r I; LIF: v += dt/tau (v_leak - v + r I); CubaLIF: I_syn += dt/tau_syn
    (-I_syn + w_in I), then v += dt/tau_mem (v_leak - v + r I_syn); spike when v > v_threshold,
    then v = v_reset. Returns spike rasters (ticks, n) of every neuron node."""
    kinds = {k: type(n).__name__ for k, n in graph.nodes.items()}
    neurons = [k for k, kind in kinds.items() if kind in ("IF", "LIF", "CubaLIF")]
    size = {k: np.asarray(graph.nodes[k].v_threshold).size for k in neurons}
    into = {k: [] for k in neurons}
    for a, b in graph.edges:
        if kinds[a] in ("Affine", "Linear"):
            source = next(s for s, t in graph.edges if t == a)
            target = b
            into[target].append((source, graph.nodes[a]))
    v = {k: np.zeros(size[k]) for k in neurons}
    syn = {k: np.zeros(size[k]) for k in neurons}
    last = {k: np.zeros(size[k]) for k in neurons}
    out = {k: np.zeros((ticks, size[k]), dtype=bool) for k in neurons}
    for t in range(ticks):
        fired = {}
        for k in neurons:
            node = graph.nodes[k]
            current = np.zeros(size[k])
            for source, w in into[k]:
                spikes = inputs[source][t] if kinds[source] == "Input" else last[source]
                current += w.weight @ spikes + (w.bias if kinds_of(w) == "Affine" else 0)
            kind = kinds[k]
            if kind == "IF":
                v[k] += node.r * current
            elif kind == "LIF":
                v[k] += dt / node.tau * (node.v_leak - v[k] + node.r * current)
            else:
                syn[k] += dt / node.tau_syn * (-syn[k] + node.w_in * current)
                v[k] += dt / node.tau_mem * (node.v_leak - v[k] + node.r * syn[k])
            spike = v[k] > node.v_threshold
            v[k] = np.where(spike, node.v_reset, v[k])
            fired[k] = spike.astype(float)
            out[k][t] = spike
        last = fired
    return out


def kinds_of(node) -> str:
    return type(node).__name__


def small_network(*, reset_mode=RESET_VALUE, neg_threshold=NO_FLOOR, delay=1, mask=0) -> Network:
    """x[4] -> a[3] (a recurrent self-connection on a[0]) -> b[2]; output y = b. Each neuron
    uses each axon type for one weight value, and no source reaches a neuron twice."""
    params = NeuronParams.from_fields(
        5, weights=[[1, 2, -3, 4], [2, -1, 5, 7], [-2, 3, 1, 1], [1, 3, -2, 6], [4, -4, 2, 1]],
        threshold=[3, 4, 2, 5, 3], reset_value=[0, -1, 1, 0, 3], leak=[0, 1, -1, 0, -2],
        reset_mode=reset_mode, neg_mode=NEG_SATURATE, neg_threshold=neg_threshold, threshold_mask=mask)
    # sources: a = 0..2, b = 3..4, x = 5..8
    src = [5, 6, 7, 8, 5, 6, 0, 7, 8, 0, 1, 2, 1, 2]
    dst = [0, 0, 0, 1, 1, 2, 0, 2, 2, 3, 3, 3, 4, 4]
    typ = [0, 1, 3, 2, 0, 1, 2, 0, 2, 0, 1, 3, 2, 0]
    conns = Connections.canonical(np.array(src), np.array(dst), np.array(typ),
                                  np.full(len(src), delay))
    return Network("small", params, (Population("a", 0, 3), Population("b", 3, 2)), conns,
                   (InputConnector("x", 4),), (OutputConnector("y", np.array([3, 4])),))


# -- without the package ---------------------------------------------------------------------------
def test_interop_imports_and_explains_without_nir(tmp_path):
    code = ("import sys; sys.modules['nir'] = None\n"
            "import corelet.interop as i\n"
            "try:\n    i.read_nir('g.nir')\nexcept i.InteropError as e:\n"
            "    print(e.message, '|', e.hint)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "needs the 'nir' package" in done.stdout and "corelet-toolchain[nir]" in done.stdout


# -- export ----------------------------------------------------------------------------------------
def test_export_writes_if_nodes_and_affine_weights(nir):
    graph = cnir.network_to_nir(small_network(), dt=2e-3)
    assert graph.metadata["dt"] == 2e-3
    assert {k: type(n).__name__ for k, n in graph.nodes.items()} == {
        "x": "Input", "a": "IF", "b": "IF", "x->a": "Affine", "a->a": "Affine", "a->b": "Affine",
        "y": "Output"}
    assert sorted(graph.edges) == sorted([("x", "x->a"), ("x->a", "a"), ("a", "a->a"), ("a->a", "a"),
                                          ("a", "a->b"), ("a->b", "b"), ("b", "y")])
    a = graph.nodes["a"]
    np.testing.assert_array_equal(a.v_threshold, [2.5, 3.5, 1.5])  # V >= alpha  <=>  V > alpha - 1/2
    np.testing.assert_array_equal(a.v_reset, [0, -1, 1])
    # by hand: a[0] <- x0 type 0 (1), x1 type 1 (2), x2 type 3 (4); a[1] <- x3 type 2 (5),
    # x0 type 0 (2); a[2] <- x1 type 1 (3), x2 type 0 (-2), x3 type 2 (1)
    np.testing.assert_array_equal(graph.nodes["x->a"].weight,
                                  [[1, 2, 4, 0], [2, 0, 0, 5], [0, 3, -2, 1]])
    np.testing.assert_array_equal(graph.nodes["a->a"].weight, [[-3, 0, 0], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(graph.nodes["a->b"].weight, [[1, 3, 6], [0, 2, 4]])
    # the leak is a constant input, carried once, by the first Affine into the population
    leaks = [graph.nodes[k].bias for k in ("a->a", "x->a")]
    assert sorted(map(list, leaks)) == sorted([[0, 1, -1], [0, 0, 0]])
    np.testing.assert_array_equal(graph.nodes["a->b"].bias, [0, -2])


@pytest.mark.parametrize("change, field", [
    (dict(reset_mode=RESET_LINEAR), "reset_mode"),
    (dict(neg_threshold=0), "neg_threshold"),
    (dict(mask=3), "threshold_mask"),
])
def test_export_refuses_what_nir_cannot_say(nir, change, field):
    with pytest.raises(InteropError) as err:
        cnir.network_to_nir(small_network(**change))
    assert err.value.locations[0].field == field
    assert err.value.locations[0].neuron == "a[0]"
    assert "a[0]" in err.value.message and field in err.value.message


def test_drop_floor_exports_a_floored_network(nir):
    graph = cnir.network_to_nir(small_network(neg_threshold=0), drop_floor=True)
    assert type(graph.nodes["a"]).__name__ == "IF"


def test_export_refuses_an_output_that_is_not_a_population(nir):
    net = small_network()
    net = Network(net.name, net.params, net.populations, net.connections, net.inputs,
                  (OutputConnector("y", np.array([4, 3])),))
    with pytest.raises(InteropError, match="whole population"):
        cnir.network_to_nir(net)


# -- round trip ------------------------------------------------------------------------------------
def test_round_trip_through_a_file_keeps_the_network(nir, tmp_path):
    net = small_network()
    cnir.write_nir(net, tmp_path / "g.nir", dt=2e-3)
    back = cnir.read_nir(tmp_path / "g.nir")
    again = back.network
    assert back.dt == 2e-3
    assert [(p.path, p.start, p.size) for p in again.populations] == [("a", 0, 3), ("b", 3, 2)]
    assert [(c.name, c.width) for c in again.inputs] == [("x", 4)]
    assert [(o.name, o.neurons.tolist()) for o in again.outputs] == [("y", [3, 4])]
    for name, array in net.params.arrays():
        if name != "weights":  # the types may be numbered otherwise: compare what they add
            np.testing.assert_array_equal(getattr(again.params, name), array, err_msg=name)
    np.testing.assert_array_equal(effective_weights(again), effective_weights(net))
    assert all(layer.weight_rel_error == 0 and layer.dropped == 0 for layer in back.layers)
    assert [layer.scale for layer in back.layers] == [(1.0, 1.0), (1.0, 1.0)]
    x = (np.random.default_rng(1).random((60, 4)) < 0.4)
    np.testing.assert_array_equal(run_network(again, 60, {"x": x})["y"],
                                  run_network(net, 60, {"x": x})["y"])


# -- import ----------------------------------------------------------------------------------------
def hand_graph(nir):
    """Written with nir's own API: 3 inputs -> Affine -> IF[2] -> Output."""
    return nir.NIRGraph(
        nodes={"x": nir.Input(input_type={"input": np.array([3])}),
               "w": nir.Affine(weight=np.array([[1.0, 2.0, -1.0], [1.0, 0.0, 2.5]]),
                               bias=np.array([0.0, 1.0])),
               "h": nir.IF(r=np.ones(2), v_threshold=np.array([2.0, 3.0])),
               "y": nir.Output(output_type={"output": np.array([2])})},
        edges=[("x", "w"), ("w", "h"), ("h", "y")], metadata={})


def test_hand_written_graph_imports_as_computed_by_hand(nir):
    imported = cnir.nir_to_network(hand_graph(nir), dt=1e-3)
    net = imported.network
    # h[0]: integers, kept unscaled; v > 2 <=> V >= 3.  h[1]: scale 255 / 2.5 = 102, so weights
    # 102 and 255, leak (the bias) 102, threshold 3 * 102 = 306 -> V >= 307
    np.testing.assert_array_equal(effective_weights(net)[:, 2:], [[1, 2, -1], [102, 0, 255]])
    np.testing.assert_array_equal(net.params.threshold, [3, 307])
    np.testing.assert_array_equal(net.params.leak, [0, 102])
    np.testing.assert_array_equal(net.params.reset_value, [0, 0])
    np.testing.assert_array_equal(net.params.reset_mode, [RESET_VALUE] * 2)
    np.testing.assert_array_equal(net.params.neg_threshold, [NO_FLOOR] * 2)
    assert imported.layers[0].scale == (1.0, 102.0)
    assert imported.layers[0].weight_rel_error == 0
    x = np.random.default_rng(2).random((40, 3)) < 0.5
    ref = float_reference(hand_graph(nir), 40, {"x": x}, 1e-3)["h"]
    np.testing.assert_array_equal(run_network(net, 40, {"x": x})["y"][0], ref)


def test_reset_values_move_to_the_nearest_the_chip_holds_and_the_error_is_reported(nir):
    # integer weights and thresholds: scale 1; v_reset 5 -> 3 (3 and 7 are both 2 away: toward 0),
    # 6 -> 7, -2 -> -1 (tie), 7 stays; reported error: the largest |R - v_reset| / threshold
    resets = np.array([5.0, 6.0, -2.0, 7.0])
    graph = nir.NIRGraph(nodes={"x": nir.Input(input_type={"input": np.array([1])}),
                                "w": nir.Linear(weight=np.ones((4, 1))),
                                "h": nir.IF(r=np.ones(4), v_threshold=np.full(4, 10.0),
                                            v_reset=resets),
                                "y": nir.Output(output_type={"output": np.array([4])})},
                         edges=[("x", "w"), ("w", "h"), ("h", "y")], metadata={})
    imported = cnir.nir_to_network(graph)
    np.testing.assert_array_equal(imported.network.params.reset_value, [3, 7, -1, 7])
    assert imported.layers[0].scale == (1.0, 1.0)
    assert imported.layers[0].reset_max_error == pytest.approx(2 / 10)
    ideal = cnir.nir_to_network(graph, profile=IDEAL)  # any value in range: kept as rounded
    np.testing.assert_array_equal(ideal.network.params.reset_value, [5, 6, -2, 7])


def test_more_than_four_weights_are_quantised_to_four_levels(nir):
    rng = np.random.default_rng(3)
    w = rng.normal(0, 1, (6, 40))
    graph = nir.NIRGraph(nodes={"x": nir.Input(input_type={"input": np.array([40])}),
                                "w": nir.Linear(weight=w),
                                "h": nir.IF(r=np.ones(6), v_threshold=np.full(6, 4.0)),
                                "y": nir.Output(output_type={"output": np.array([6])})},
                         edges=[("x", "w"), ("w", "h"), ("h", "y")], metadata={})
    imported = cnir.nir_to_network(graph)
    net, layer = imported.network, imported.layers[0]
    chip = effective_weights(net)[:, 6:]
    for j in range(6):
        levels = set(np.unique(chip[j])) - {0}
        assert len(levels) <= 4
        # each weight took the level (or 0) nearest to it, at the neuron's scale 255 / max |w|
        scale = 255 / np.abs(w[j]).max()
        options = np.array(sorted(levels | {0}))
        nearest = options[np.abs(w[j][:, None] * scale - options[None, :]).argmin(axis=1)]
        np.testing.assert_array_equal(chip[j], nearest)
        assert net.params.threshold[j] == np.floor(4 * scale) + 1
    # the reported error is the error of these weights
    scales = 255 / np.abs(w).max(axis=1, keepdims=True)
    expected = np.linalg.norm(chip / scales - w) / np.linalg.norm(w)
    assert layer.weight_rel_error == pytest.approx(expected)
    # the best 5-level quantiser of a normal (Lloyd-Max: 4 levels and 0 here) leaves 0.28
    assert 0 < layer.weight_rel_error < 0.32


def one_neuron_graph(nir, w):
    return nir.NIRGraph(nodes={"x": nir.Input(input_type={"input": np.array([w.size])}),
                               "w": nir.Linear(weight=w[None, :]),
                               "h": nir.IF(r=np.ones(1), v_threshold=np.array([2.0])),
                               "y": nir.Output(output_type={"output": np.array([1])})},
                        edges=[("x", "w"), ("w", "h"), ("h", "y")], metadata={})


def test_binary_weights_spell_each_weight_with_the_types_of_its_4_bit_value(nir):
    """One float unit k = max(1.0 / 7, 1.0 / 8) = 1/7, so q = round(7 w) in -8..7; u = 31 (8u <=
    255), type weights [31, 62, 124, -248], scale 31 * 7 = 217, threshold floor(2 * 217) + 1."""
    w = np.array([1.0, -0.5, 0.25, 0.75, -1.0, 0.0625])
    imported = cnir.nir_to_network(one_neuron_graph(nir, w), weights="binary")
    net, layer = imported.network, imported.layers[0]
    np.testing.assert_array_equal(net.params.weights, [[31, 62, 124, -248]])
    np.testing.assert_array_equal(net.params.threshold, [435])
    c = net.connections
    types_of = {int(p) - 1: sorted(c.axon_type[c.src == p].tolist()) for p in np.unique(c.src)}
    # q = 7 (0111), -4 (1100: 4 - 8), 2 (0010), 5 (0101), -7 (1001: 1 - 8); 0.4375 rounds to 0
    assert types_of == {0: [0, 1, 2], 1: [2, 3], 2: [1], 3: [0, 2], 4: [0, 3]}
    np.testing.assert_array_equal(effective_weights(net)[0, 1:], 31 * np.array([7, -4, 2, 5, -7, 0]))
    assert layer.scale == (217.0, 217.0) and layer.synapses == 5 and layer.dropped == 1
    expected = np.linalg.norm(31 * np.array([7, -4, 2, 5, -7, 0]) / 217 - w) / np.linalg.norm(w)
    assert layer.weight_rel_error == pytest.approx(expected)
    # it compiles: one axon per (source, type) on the core
    from corelet import compiler
    assert compiler.compile_network(net).record["axons"] == 10


def test_binary_weights_cut_the_error_of_the_two_layer_graph(nir):
    # 16 evenly spaced levels per neuron instead of 4 k-means levels: measured weight error 8.7%
    # and 9.8% (levels: 25% and 28%), spike-count differences 3.4% and 4.1% (IF)
    graph = two_layer_graph(nir, first_kind="IF")
    binary = cnir.nir_to_network(graph, weights="binary")
    levels = cnir.nir_to_network(graph)
    for b, lv in zip(binary.layers, levels.layers):
        assert b.weight_rel_error < 0.12 < lv.weight_rel_error
    ticks = 400
    x = np.random.default_rng(5).random((ticks, 20)) < 0.3
    ref = float_reference(graph, ticks, {"x": x}, 1e-3)["l2"].sum(0)
    chip = runtime.simulate(runtime.fabric_from_network(binary.network), ticks, {"x": x})
    assert np.abs(chip.outputs["y"][0].sum(0) - ref).sum() / ref.sum() < 0.06


def test_an_unknown_weight_mode_is_refused(nir):
    with pytest.raises(InteropError) as info:
        cnir.nir_to_network(hand_graph(nir), weights="ternary")
    assert info.value.location.field == "weights" and "levels, binary" in str(info.value)


def two_layer_graph(nir, *, first_kind: str, seed: int = 4):
    rng = np.random.default_rng(seed)
    w1, w2 = rng.normal(0.3, 1, (30, 20)), rng.normal(0.3, 1, (10, 30))
    lif = first_kind != "IF"
    leaky = dict(r=np.ones(30), v_leak=np.zeros(30), v_threshold=np.full(30, 1.5),
                 v_reset=np.zeros(30))
    first = {"IF": lambda: nir.IF(r=np.ones(30), v_threshold=np.full(30, 1.5), v_reset=np.zeros(30)),
             "LIF": lambda: nir.LIF(tau=np.full(30, 20e-3), **leaky),
             "CubaLIF": lambda: nir.CubaLIF(tau_syn=np.full(30, 1e-3), tau_mem=np.full(30, 20e-3),
                                            w_in=np.full(30, 0.5), **leaky)}[first_kind]()
    return nir.NIRGraph(
        nodes={"x": nir.Input(input_type={"input": np.array([20])}),
               "w1": nir.Affine(weight=w1 * (2 if first_kind == "LIF" else 4 if lif else 1),
                                bias=np.zeros(30)),
               "l1": first,
               "w2": nir.Linear(weight=w2),
               "l2": nir.IF(r=np.ones(10), v_threshold=np.full(10, 2.0), v_reset=np.zeros(10)),
               "y": nir.Output(output_type={"output": np.array([10])})},
        edges=[("x", "w1"), ("w1", "l1"), ("l1", "w2"), ("w2", "l2"), ("l2", "y")],
        metadata={"dt": 1e-3})


@pytest.mark.parametrize("first_kind, bound", [("IF", 0.1), ("LIF", 0.15), ("CubaLIF", 0.15)])
def test_spike_counts_stay_near_the_float_reference(nir, first_kind, bound):
    """Measured spike-count difference of the quantised network against the float graph
    (docs/interop.md quotes these measurements)."""
    graph = two_layer_graph(nir, first_kind=first_kind)
    imported = cnir.nir_to_network(graph)
    ticks = 400
    x = np.random.default_rng(5).random((ticks, 20)) < 0.3
    ref = float_reference(graph, ticks, {"x": x}, 1e-3)
    chip = runtime.simulate(runtime.fabric_from_network(imported.network), ticks, {"x": x},
                            probes=["l1[*]"])
    counts_chip = {"l1": chip.probes["l1[*]"][0].sum(0), "l2": chip.outputs["y"][0].sum(0)}
    for layer in ("l1", "l2"):
        ref_counts = ref[layer].sum(0)
        assert ref_counts.sum() > 100  # the comparison means something
        diff = np.abs(counts_chip[layer] - ref_counts).sum() / ref_counts.sum()
        print(f"{first_kind} {layer}: spike-count difference {diff:.3f}")
        assert diff < bound


def test_cubalif_with_tau_syn_dt_is_the_lif(nir):
    dt = 1e-3
    common = dict(r=np.full(3, 2.0), v_leak=np.zeros(3), v_threshold=np.array([1.0, 2.0, 0.5]),
                  v_reset=np.zeros(3))
    w = np.array([[0.5, -0.25], [1.0, 0.75], [0.3, 0.2]])

    def graph(neuron, gain=1.0):
        return nir.NIRGraph(nodes={"x": nir.Input(input_type={"input": np.array([2])}),
                                   "w": nir.Linear(weight=w * gain), "h": neuron,
                                   "y": nir.Output(output_type={"output": np.array([3])})},
                            edges=[("x", "w"), ("w", "h"), ("h", "y")], metadata={})
    cuba = cnir.nir_to_network(graph(nir.CubaLIF(tau_syn=np.full(3, dt), tau_mem=np.full(3, 0.01),
                                                 w_in=np.full(3, 1.5), **common)), dt=dt).network
    # with tau_syn = dt the current is w_in times the input: a LIF with weights 1.5 times as strong
    lif = cnir.nir_to_network(graph(nir.LIF(tau=np.full(3, 0.01), **common), gain=1.5),
                              dt=dt).network
    assert cuba.params.equals(lif.params)
    np.testing.assert_array_equal(effective_weights(cuba), effective_weights(lif))
    with pytest.raises(InteropError) as err:
        cnir.nir_to_network(graph(nir.CubaLIF(tau_syn=np.full(3, 5e-3), tau_mem=np.full(3, 0.01),
                                              **common)), dt=dt)
    assert err.value.locations[0].field == "tau_syn" and "h[0]" in err.value.message


def test_lif_with_a_bias_and_a_decay_is_refused(nir):
    graph = nir.NIRGraph(nodes={"x": nir.Input(input_type={"input": np.array([1])}),
                                "w": nir.Affine(weight=np.ones((2, 1)), bias=np.array([0.0, 0.5])),
                                "h": nir.LIF(tau=np.full(2, 0.01), r=np.ones(2), v_leak=np.zeros(2),
                                             v_threshold=np.ones(2)),
                                "y": nir.Output(output_type={"output": np.array([2])})},
                         edges=[("x", "w"), ("w", "h"), ("h", "y")], metadata={})
    with pytest.raises(InteropError) as err:
        cnir.nir_to_network(graph)
    assert err.value.locations[0].field == "bias" and "h[1]" in err.value.message


def test_unsupported_nodes_are_named(nir):
    graph = nir.NIRGraph(nodes={"x": nir.Input(input_type={"input": np.array([2])}),
                                "w": nir.Linear(weight=np.eye(2)),
                                "li": nir.LI(tau=np.ones(2), r=np.ones(2), v_leak=np.zeros(2)),
                                "y": nir.Output(output_type={"output": np.array([2])})},
                         edges=[("x", "w"), ("w", "li"), ("li", "y")], metadata={})
    with pytest.raises(InteropError, match="node 'li': a LI node has no counterpart"):
        cnir.nir_to_network(graph)


def test_delays_travel_as_delay_nodes(nir, tmp_path):
    """A connection of d ticks is an Affine and a Delay of (d - 1) * dt: the hop is one tick."""
    net = small_network(delay=3)
    graph = cnir.network_to_nir(net, dt=2e-3)
    assert ("x->a@3", "x->a@3.delay") in graph.edges and ("x->a@3.delay", "a") in graph.edges
    np.testing.assert_allclose(graph.nodes["x->a@3.delay"].delay, [4e-3] * 3)
    cnir.write_nir(net, tmp_path / "g.nir", dt=2e-3)
    again = cnir.read_nir(tmp_path / "g.nir").network
    assert set(again.connections.delay.tolist()) == {3}
    np.testing.assert_array_equal(effective_weights(again), effective_weights(net))
    x = np.random.default_rng(7).random((50, 4)) < 0.4
    np.testing.assert_array_equal(run_network(again, 50, {"x": x})["y"],
                                  run_network(net, 50, {"x": x})["y"])


def test_delay_seconds_round_to_ticks(nir):
    """Delays before the weights act per source, after them per target: 1 + round(s / dt)."""
    graph = nir.NIRGraph(nodes={"x": nir.Input(input_type={"input": np.array([2])}),
                                "d1": nir.Delay(delay=np.array([0.0, 2.4e-3])),
                                "w": nir.Linear(weight=np.ones((2, 2))),
                                "d2": nir.Delay(delay=np.array([0.6e-3, 0.0])),
                                "h": nir.IF(r=np.ones(2), v_threshold=np.ones(2)),
                                "y": nir.Output(output_type={"output": np.array([2])})},
                         edges=[("x", "d1"), ("d1", "w"), ("w", "d2"), ("d2", "h"), ("h", "y")],
                         metadata={})
    c = cnir.nir_to_network(graph, dt=1e-3).network.connections
    got = {(int(s) - 2, int(d), int(k)) for s, d, k in zip(c.src, c.dst, c.delay)}
    # x0 -> h0: 1 + 0 + 1; x0 -> h1: 1 + 0 + 0; x1 -> h0: 1 + 2 + 1; x1 -> h1: 1 + 2 + 0
    assert got == {(0, 0, 2), (0, 1, 1), (1, 0, 4), (1, 1, 3)}


@pytest.mark.parametrize("flatten", [True, False])
def test_conv2d_imports_the_synapses_of_a_convolution(nir, flatten):
    """1 channel 3x3 in, 2 channels of 2x2 kernels, stride 1, no padding: 2 x 2x2 out (into a
    layer of 8 neurons through a Flatten, or straight into a (2, 2, 2) layer)."""
    kernel = np.array([[[[1, 2], [3, 4]]], [[[0, -1], [1, 0]]]], dtype=float)
    shape = (8,) if flatten else (2, 2, 2)
    nodes = {"x": nir.Input(input_type={"input": np.array([1, 3, 3])}),
             "c": nir.Conv2d(input_shape=(3, 3), weight=kernel, stride=1, padding=0, dilation=1,
                             groups=1, bias=np.zeros(2)),
             "f": nir.Flatten(input_type={"input": np.array([2, 2, 2])}, start_dim=0),
             "h": nir.IF(r=np.ones(shape), v_threshold=np.full(shape, 5.0)),
             "y": nir.Output(output_type={"output": np.array(shape)})}
    edges = [("x", "c"), ("c", "f"), ("f", "h"), ("h", "y")]
    if not flatten:
        del nodes["f"]
        edges = [("x", "c"), ("c", "h"), ("h", "y")]
    graph = nir.NIRGraph(nodes=nodes, edges=edges, metadata={})
    net = cnir.nir_to_network(graph).network
    w = effective_weights(net)[:, 8:]
    # output (co, oy, ox) sees input (iy, ix) = (oy + ky, ox + kx), inputs numbered iy * 3 + ix
    expected = np.zeros((8, 9))
    for co in range(2):
        for oy in range(2):
            for ox in range(2):
                for ky in range(2):
                    for kx in range(2):
                        expected[co * 4 + oy * 2 + ox, (oy + ky) * 3 + ox + kx] = kernel[co, 0, ky, kx]
    np.testing.assert_array_equal(w, expected)


# -- command line ----------------------------------------------------------------------------------
def test_cli_imports_a_graph_into_a_chip_model_that_runs(nir, tmp_path):
    from corelet.cli import main
    nir.write(tmp_path / "g.nir", hand_graph(nir))
    assert main(["import-nir", str(tmp_path / "g.nir"), "-o", str(tmp_path / "m.json")]) == 0
    import corelet
    x = np.random.default_rng(6).random((30, 3)) < 0.5
    result = corelet.run(tmp_path / "m.json", 30, {"x": x})
    ref = float_reference(hand_graph(nir), 30, {"x": x}, 1e-3)["h"]
    np.testing.assert_array_equal(result.outputs["y"][0], ref)


def test_cli_imports_with_binary_weights(nir, tmp_path, capsys):
    from corelet.cli import main
    w = np.array([1.0, -0.5, 0.25, 0.75, -1.0, 0.0625])
    nir.write(tmp_path / "g.nir", one_neuron_graph(nir, w))
    assert main(["import-nir", str(tmp_path / "g.nir"), "-o", str(tmp_path / "m.json"),
                 "--weights", "binary"]) == 0
    assert "binary weights" in capsys.readouterr().out
    from corelet.chip import ChipModel
    model = ChipModel.load(tmp_path / "m.json")
    assert model.cores.params.weights[0].tolist() == [31, 62, 124, -248]


def test_cli_export_refusal_exits_1_and_writes_nothing(nir, tmp_path, capsys):
    from corelet.cli import main
    assert main(["export-nir", "examples/skeleton.corelet", "-o", str(tmp_path / "g.nir")]) == 1
    assert "field 'reset_mode'" in capsys.readouterr().err
    assert not (tmp_path / "g.nir").exists()


def test_cli_bad_graph_file_is_named_and_nothing_is_written(nir, tmp_path, capsys):
    from corelet.cli import main
    (tmp_path / "bad.nir").write_text("not hdf5")
    for name in ("bad.nir", "missing.nir"):
        assert main(["import-nir", str(tmp_path / name), "-o", str(tmp_path / "m.json")]) == 1
        err = capsys.readouterr().err
        assert f"{tmp_path / name}: " in err and "Traceback" not in err
    assert not (tmp_path / "m.json").exists()
