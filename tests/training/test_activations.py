"""Hard activations against their definitions at hand-picked points, and their derivatives
against central finite differences away from the kinks."""

import numpy as np
import pytest

from corelet.training import activations as act


def test_relu_and_its_derivative_by_hand():
    x = np.array([-2.0, -0.0, 0.0, 0.5, 3.0])
    assert act.relu(x).tolist() == [0.0, 0.0, 0.0, 0.5, 3.0]
    assert act.relu_grad(x).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_hard_sigmoid_is_seed_002_equation_2():
    # max(0, min(1, m x + 0.5)): slope 1 is linear on -0.5 .. 0.5
    x = np.array([-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 2.0])
    assert act.hard_sigmoid(x).tolist() == [0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert act.hard_sigmoid(x, slope=2).tolist() == [0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0]


def test_hard_tanh_is_seed_002_equation_4():
    x = np.array([-1.0, -0.25, 0.0, 0.25, 0.5, 0.75])
    assert act.hard_tanh(x, slope=2).tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0, 1.0]
    assert act.hard_tanh(np.array([-3.0, 0.3, 3.0])).tolist() == [-1.0, 0.3, 1.0]


@pytest.mark.parametrize("name, slope", [("relu", None), ("hard_sigmoid", 1.0), ("hard_sigmoid", 2.0),
                                         ("hard_tanh", 1.0), ("hard_tanh", 2.0)])
def test_derivatives_match_finite_differences_off_the_kinks(name, slope):
    f, df = getattr(act, name), getattr(act, name + "_grad")
    kw = {} if slope is None else {"slope": slope}
    x = np.linspace(-2, 2, 401) + 0.0013  # no sample on a kink (-1, -0.5, -0.25, 0, 0.25, 0.5, 1 / slope)
    h = 1e-6
    numeric = (f(x + h, **kw) - f(x - h, **kw)) / (2 * h)
    assert np.allclose(df(x, **kw), numeric, atol=1e-6)
    assert df(x, **kw).max() == (1.0 if slope is None else slope)  # the linear range is reached
