"""The Python builder produces the same Network as the equivalent DSL text."""

from __future__ import annotations

import numpy as np
import pytest

from corelet import language
from corelet.language import builder as cb
from .lang_helpers import TRUEHAPPINESS



def true_happiness_builder() -> cb.Corelet:
    relu = cb.template("relu", weights=[1, 2, 4, -8], threshold=16, reset="linear", floor=0)
    dense = cb.Corelet("Dense", W="int[n, m]", cell=relu)
    x, y = dense.input("x", "n"), dense.output("y", "m")
    h = dense.neurons("h", "m", dense.param("cell"))
    i, j, k = cb.var("i"), cb.var("j"), cb.var("k")
    dense.connect(x[i], h[j], type=k, loops={i: "n", j: "m", k: 4},
                  where=cb.bit(dense.param("W")[i, j], k))
    dense.connect(h, y)
    happy = cb.Corelet("TrueHappiness", W1="int[64, 64]", W2="int[64, 1]")
    word, score = happy.input("word", 64), happy.output("score", 1)
    hid = happy.instance("hid", dense, W=happy.param("W1"))
    out = happy.instance("out", dense, W=happy.param("W2"))
    happy.connect(word, hid.x)
    happy.connect(hid.y, out.x)
    happy.connect(out.y, score)
    return happy


def same_network(a: language.Network, b: language.Network) -> None:
    assert a.name == b.name
    assert [(p.path, p.start, p.size, p.corelet) for p in a.populations] == \
        [(p.path, p.start, p.size, p.corelet) for p in b.populations]
    assert a.params.equals(b.params)
    for field in ("src", "dst", "axon_type", "delay"):
        assert np.array_equal(getattr(a.connections, field), getattr(b.connections, field))
    assert [(c.name, c.width, c.offset) for c in a.inputs] == \
        [(c.name, c.width, c.offset) for c in b.inputs]
    assert [(c.name, c.neurons.tolist()) for c in a.outputs] == \
        [(c.name, c.neurons.tolist()) for c in b.outputs]
    assert [(g.name, g.neurons.tolist()) for g in a.groups] == \
        [(g.name, g.neurons.tolist()) for g in b.groups]


def test_builder_true_happiness_equals_the_dsl():
    rng = np.random.default_rng(1)
    w1, w2 = rng.integers(-8, 8, (64, 64)), rng.integers(-8, 8, (64, 1))
    built = true_happiness_builder().elaborate(W1=w1, W2=w2)
    text = language.elaborate_source(TRUEHAPPINESS, params={"W1": w1, "W2": w2})
    same_network(built, text)


def test_builder_slices_concatenation_delays_overrides_groups_and_asserts():
    dsl = """
neuron base { threshold = 3; reset = linear }
corelet Small(n: int = 4) {
    assert n % 2 == 0, "n must be even"
    input x[n]
    output y[n]
    neurons a[n // 2] = base { leak = -1 }
    neurons b[n // 2] = base
    x[0:n // 2] -> a delay 2
    x[n // 2:n] -> b type 1
    a[i] -> b[(i + 1) % (n // 2)] type 2 delay 3 for i in 0..n // 2 if i != 0 and not (i == 3)
    y = [a, b]
    group left = a[0:1]
}
"""
    base = cb.template("base", threshold=3, reset="linear")
    small = cb.Corelet("Small", n=4)
    n = small.param("n")
    small.check(n % 2 == 0, "n must be even")
    x, y = small.input("x", "n"), small.output("y", "n")
    a = small.neurons("a", n // 2, base, leak=-1)
    b = small.neurons("b", n // 2, base)
    small.connect(x[0:n // 2], a, delay=2)
    small.connect(x[n // 2:n], b, type=1)
    i = cb.var("i")
    small.connect(a[i], b[(i + 1) % (n // 2)], type=2, delay=3, loops={i: n // 2},
                  where=(i != 0) & ~(i == 3))
    small.let("y", [a, b])
    small.group("left", a[0:1])
    same_network(small.elaborate(), language.elaborate_source(dsl))


def test_builder_errors_point_at_the_python_line():
    broken = cb.Corelet("Broken")
    broken.input("x", "width")  # the error names this line
    with pytest.raises(language.LanguageError) as info:
        broken.elaborate()
    d = info.value.diagnostics[0]
    assert d.message == "unknown name `width`"
    assert d.span.file == __file__
    assert "broken.input(\"x\", \"width\")" in str(info.value)


def test_builder_checks_parameters_like_the_dsl():
    layer = cb.Corelet("Layer", W="int[n]")
    layer.input("x", "n")
    with pytest.raises(language.LanguageError) as info:
        layer.elaborate(W=np.zeros((2, 2), dtype=int))
    assert info.value.diagnostics[0].message.startswith("parameter `W` of `Layer` expects int[n]")
