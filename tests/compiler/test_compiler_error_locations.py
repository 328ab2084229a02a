"""Placement errors blame a declaration: its span, corelet instance, corelet and neuron as data, and
the rendering shows the source line with a caret under it, as a language error does.

Networks come from real ``.corelet`` files written to ``tmp_path`` (so the renderer reads the source
line from disk); expected texts are written out by hand.
"""

import numpy as np
import pytest

from corelet import compiler, language
from corelet.chip import ChipProfile, Location, Span
from corelet.compiler import PlacementError
from .compiler_nets import dense_layers

HINT = ("hint: a neuron fires at most once per tick, so its fan-in cannot be split by the compiler; "
        "split it inside the corelet into partial sums over at most 256 inputs each "
        "(AXONS_PER_CORE), as the IC module of the spike-based LSTM does")

WIDE = """neuron sum { weights = [1, 0, 0, 0]; threshold = 100 }

corelet Wide() {
    input  x[300]
    output y[2]
    neurons h[2] = sum
    x[i] -> h[0] for i in 0..300
    x[i] -> h[1] for i in 0..290
    y = h
}
"""

NESTED = """neuron sum { weights = [1, 0, 0, 0]; threshold = 100 }

corelet Acc(n: int) {
    input  x[n]
    output y
    neurons total = sum
    x[i] -> total for i in 0..n
    y = total
}

corelet Top() {
    input  a[300]
    output b[2]
    neurons fine = sum
    a[0] -> fine
    big = Acc(n = 300)
    a -> big.x
    fine -> b[0]
    big.y -> b[1]
}
"""

GROUPED = """neuron relay { weights = [1, 0, 0, 0]; threshold = 1 }

corelet Big() {
    input  x[4]
    output y[300]
    neurons h[300] = relay
    x[0] -> h
    y = h
    group all = h
}
"""


def compile_file(tmp_path, name, text, **options):
    path = tmp_path / name
    path.write_text(text)
    net = language.elaborate_file(str(path))
    with pytest.raises(PlacementError) as info:
        compiler.compile_network(net, **options)
    return str(path), info.value


def test_fan_in_error_blames_the_neurons_declaration(tmp_path):
    path, err = compile_file(tmp_path, "wide.corelet", WIDE)
    declared = Span(path, 6, 5, 6, 23)
    assert err.kind == "fan_in" and err.neurons.tolist() == [0, 1]
    assert err.locations == (
        Location(span=declared, instance="", corelet="Wide", neuron="h[0]",
                 label="neuron h[0] of corelet 'Wide' needs 300 distinct input axons"),
        Location(span=declared, instance="", corelet="Wide", neuron="h[1]",
                 label="neuron h[1] of corelet 'Wide' needs 290 distinct input axons"))
    assert err.span == declared
    assert str(err) == (
        f"{path}:6:5: error: neuron h[0] of corelet 'Wide' needs 300 distinct input axons; "
        "a core has 256\n"
        "        neurons h[2] = sum\n"
        "        ^^^^^^^^^^^^^^^^^^\n"
        f"{path}:6:5: note: neuron h[1] of corelet 'Wide' needs 290 distinct input axons\n"
        + HINT)
    assert err.partial is not None  # still: what did fit


def test_fan_in_error_in_a_sub_corelet_names_its_instance_and_points_into_it(tmp_path):
    path, err = compile_file(tmp_path, "nested.corelet", NESTED)
    assert err.locations == (
        Location(span=Span(path, 6, 5, 6, 24), instance="big", corelet="Acc", neuron="big.total[0]",
                 label="neuron big.total[0] of corelet 'Acc' needs 300 distinct input axons"),)
    assert str(err) == (
        f"{path}:6:5: error: neuron big.total[0] of corelet 'Acc' needs 300 distinct input axons; "
        "a core has 256\n"
        "        neurons total = sum\n"
        "        ^^^^^^^^^^^^^^^^^^^\n"
        + HINT)


def test_core_sharing_group_error_blames_the_group_declaration(tmp_path):
    path, err = compile_file(tmp_path, "grp.corelet", GROUPED)
    assert err.kind == "group"
    assert err.locations == (Location(span=Span(path, 9, 5, 9, 18), instance="", corelet="Big",
                                      label="core-sharing group 'all'"),)
    assert str(err) == (
        f"{path}:9:5: error: core-sharing group 'all' in corelet 'Big' does not fit one core: it "
        "needs 300 neuron slots (limit 256)\n"
        "        group all = h\n"
        "        ^^^^^^^^^^^^^\n"
        "hint: make the group smaller (fewer neurons, fewer distinct inputs or targets), or drop "
        "the hint and let the placer split it")


def test_network_from_a_string_has_spans_but_no_source_line(tmp_path):
    net = language.elaborate_source(WIDE, filename="<string>")
    with pytest.raises(PlacementError) as info:
        compiler.compile_network(net)
    err = info.value
    assert err.span == Span("<string>", 6, 5, 6, 23)
    assert str(err).splitlines()[:2] == [
        "<string>:6:5: error: neuron h[0] of corelet 'Wide' needs 300 distinct input axons; "
        "a core has 256",
        "<string>:6:5: note: neuron h[1] of corelet 'Wide' needs 290 distinct input axons"]
    assert err.render({"<string>": WIDE}).splitlines()[1:3] == ["        neurons h[2] = sum",
                                                                "        ^^^^^^^^^^^^^^^^^^"]


def test_more_chips_than_allowed_keeps_its_hint_apart():
    small = ChipProfile(name="small", grid=(2, 2), max_chips=1, axons_per_core=32,
                        neurons_per_core=32)
    with pytest.raises(PlacementError) as info:
        compiler.compile_network(dense_layers([32] * 6, 0.3, 0, inputs=16, types=1), profile=small)
    err = info.value
    assert err.kind == "chips" and err.span is None
    assert err.message == ("the network needs 6 cores on 2 chips; the profile 'small' allows 1 "
                           "chips of 4 cores")
    assert err.hint == "make the network smaller, or compile for a profile with more chips"
    assert err.render(prefix="corelet compile") == (
        "corelet compile: error: the network needs 6 cores on 2 chips; the profile 'small' allows "
        "1 chips of 4 cores\n"
        "hint: make the network smaller, or compile for a profile with more chips")


def test_neuron_and_pin_locations_of_a_network(tmp_path):
    path = tmp_path / "wide.corelet"
    path.write_text(WIDE)
    net = language.elaborate_file(str(path))
    assert PlacementError.neuron_location(net, np.int64(1), core=3) == Location(
        span=Span(str(path), 6, 5, 6, 23), instance="", corelet="Wide", neuron="h[1]", core=3)
    assert PlacementError.pin_location(net, 7) == Location(span=Span(str(path), 4, 5, 4, 18),
                                                           connector="x", pin=7)
