"""The runtime against the reference at the ends of every parameter range (hypothesis).

The seeded cases of test_random_compare.py use moderate values; hypothesis leans on the extremes:
weights and leaks of +-255, thresholds of 2^18 - 1, TM = 17, R = -2^17 or 2^17 - 1, V0 at either end
of the 20-bit membrane, so the clamps and the widest draws are exercised.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corelet.chip import TRUENORTH as P

from . import refsim
from tests.conftest import KERNELS, using_kernel

from .conftest import run_runtime


def _span(bounds):
    return st.integers(*bounds)


neuron_params = st.fixed_dictionaries(dict(
    weights=st.lists(_span(P.weight_range), min_size=4, max_size=4),
    stochastic_weights=st.lists(st.booleans(), min_size=4, max_size=4),
    leak=_span(P.leak_range), stochastic_leak=st.booleans(), leak_reversal=st.booleans(),
    threshold=_span(P.threshold_range), neg_threshold=_span(P.neg_threshold_range),
    threshold_mask=_span(P.threshold_mask_range), reset_mode=st.integers(0, 2),
    neg_mode=st.integers(0, 1), reset_value=_span(P.reset_value_range),
    initial=_span(P.membrane_range),
))


@st.composite
def cases(draw):
    n = draw(st.integers(1, 3))
    neurons = draw(st.lists(neuron_params, min_size=n, max_size=n))
    # axons 0..3 (types 0..3) are driven by input pins 0..3; axon 4 (type 0..3) by the neurons
    routes = [(j, draw(st.integers(0, 4)), draw(st.integers(1, 16))) for j in range(n)]
    fabric = refsim.tiny_fabric(
        neurons, axons=[0, 1, 2, 3, draw(st.integers(0, 3))],
        synapses=[(i, j) for i in range(5) for j in range(n)], routes=routes,
        inputs=[("in", 4)], input_routes=[(p, p, 1) for p in range(4)],
        outputs=[("out", range(n))])
    ticks = 24
    bits = draw(st.lists(st.booleans(), min_size=ticks * 4, max_size=ticks * 4))
    return fabric, ticks, np.array(bits).reshape(ticks, 4), draw(st.integers(0, 2**32))


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
@pytest.mark.parametrize("kernel_name", KERNELS)
def test_runtime_equals_reference_at_the_extremes(kernel_name, case):
    fabric, ticks, raster, seed = case
    ref = refsim.simulate(fabric, ticks, {"in": raster}, seed=seed)
    with using_kernel(kernel_name):
        got = run_runtime(fabric, ticks, {"in": raster}, seed=seed)
    assert np.array_equal(got.outputs["out"], ref.outputs["out"])
    assert np.array_equal(got.voltages, ref.voltages)
