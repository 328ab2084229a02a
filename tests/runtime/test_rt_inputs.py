"""Input files and encoders: names and shapes checked, rates and bursts as specified."""

import numpy as np
import pytest
from .rt_builder import ModelBuilder

from corelet import runtime
from corelet.runtime import SimulationError, burst_code, check_inputs, parse_encoder_spec, rate_code


def two_input_fabric():
    b = ModelBuilder()
    b.axon(0, 0, 0, source=("x", 0)).synapse(0, 0, 0)
    b.neuron(0, 0, "n", 0, weights=[1, 0, 0, 0])
    b.input("x", 3, [(0, 0, 0, 1)]).input("y", 2, [(1, 0, 0, 1)])
    return runtime.fabric_from_model(b.build())


def test_unknown_connector_names_the_expected_ones():
    with pytest.raises(SimulationError) as err:
        check_inputs(two_input_fabric(), {"z": np.zeros((4, 3))}, 10, None)
    msg = str(err.value)
    assert "'z'" in msg and "'x': (ticks, 3) or (batch, ticks, 3)" in msg and "'y': (ticks, 2)" in msg


@pytest.mark.parametrize("array, message", [
    (np.zeros((4, 2)), "input 'x' has shape (4, 2); expected (ticks, 3) or (1, ticks, 3)"),
    (np.zeros((4,)), "input 'x' has shape (4,)"),
    (np.zeros((4, 11, 3)), "input 'x' has 11 ticks but the run has 10"),
    (np.full((4, 3), 2), "input 'x' holds the value 2"),
])
def test_wrong_shapes_and_values_are_rejected_with_the_expected_shape(array, message):
    with pytest.raises(SimulationError) as err:
        check_inputs(two_input_fabric(), {"x": array}, 10, None)
    assert message in str(err.value)


def test_batches_must_agree():
    fabric = two_input_fabric()
    with pytest.raises(SimulationError, match="input batch sizes differ"):
        check_inputs(fabric, {"x": np.zeros((2, 4, 3)), "y": np.zeros((3, 4, 2))}, 10, None)
    with pytest.raises(SimulationError, match=r"expected \(ticks, 3\) or \(5, ticks, 3\)"):
        check_inputs(fabric, {"x": np.zeros((2, 4, 3))}, 10, 5)
    ok = check_inputs(fabric, {"x": np.ones((4, 3)), "y": np.zeros((3, 4, 2))}, 10, None)
    assert ok["x"].shape == (3, 4, 3) and ok["x"].all() and ok["y"].dtype == bool


def test_read_input_file(tmp_path):
    np.savez(tmp_path / "in.npz", x=np.eye(3, dtype=bool))
    assert np.array_equal(runtime.read_input_file(tmp_path / "in.npz")["x"], np.eye(3))
    with pytest.raises(SimulationError, match="input file .*missing.npz: no such file"):
        runtime.read_input_file(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(SimulationError, match="junk.npz: not a .npz file"):
        runtime.read_input_file(tmp_path / "junk.npz")


def test_bernoulli_rates_are_seeded_per_sample_and_near_their_rate():
    a = rate_code([0.1, 0.5, 0.9], 2000, batch=3, seed=4)
    assert a.shape == (3, 2000, 3)
    assert np.array_equal(rate_code([0.1, 0.5, 0.9], 2000, batch=1, seed=6)[0], a[2])
    assert not np.array_equal(a[0], a[1])
    n, p = 3 * 2000, np.array([0.1, 0.5, 0.9])
    assert (np.abs(a.sum(axis=(0, 1)) - n * p) < 5 * np.sqrt(n * p * (1 - p))).all()
    assert not np.array_equal(rate_code(0.5, 50, seed=1, salt=1), rate_code(0.5, 50, seed=1, salt=2))


@pytest.mark.parametrize("rate, ticks", [(0.25, 100), (0.3, 17), (1.0, 9), (0.0, 9), (0.07, 1000)])
def test_even_rate_gives_exactly_floor_of_rate_times_ticks_evenly_spaced(rate, ticks):
    r = rate_code(rate, ticks, width=2, mode="even")[0]
    assert (r.sum(axis=0) == int(np.floor(rate * ticks + 1e-9))).all()
    gaps = np.diff(np.flatnonzero(r[:, 0]))
    if len(gaps):
        assert gaps.max() - gaps.min() <= 1  # as even as whole ticks allow


def test_burst_windows_and_sequences():
    one = burst_code([0, 2, 5], 12, 5)[0]
    assert one[:, 1].tolist() == [1, 1] + [0] * 10 and one[:5, 2].all() and not one[5:].any()
    seq = burst_code([[1, 0], [3, 2]], 8, 4)[0]
    assert seq[:, 0].tolist() == [1, 0, 0, 0, 1, 1, 1, 0]
    assert seq[:, 1].tolist() == [0, 0, 0, 0, 1, 1, 0, 0]
    with pytest.raises(SimulationError, match="burst counts must lie in 0..4"):
        burst_code([5], 8, 4)


def test_encoder_specs_from_the_command_line(tmp_path):
    fabric = two_input_fabric()
    name, r = parse_encoder_spec("rate", "x=0.5:even", fabric, 10, 2, 0)
    assert name == "x" and r.shape == (2, 10, 3) and (r.sum(axis=1) == 5).all()
    np.save(tmp_path / "c.npy", np.array([[1, 2], [0, 3]]))
    name, r = parse_encoder_spec("burst", f"y={tmp_path / 'c.npy'}:window=4", fabric, 8, 1, 0)
    assert r[0, :, 1].tolist() == [1, 1, 0, 0, 1, 1, 1, 0]
    np.savez(tmp_path / "r.npz", a=np.full(3, 0.2), b=np.ones(3))
    _, r = parse_encoder_spec("rate", f"x={tmp_path / 'r.npz'}:b", fabric, 4, 1, 0)
    assert r.all()
    # a single-array file with the flag `even`: 0.2 of 10 ticks is exactly 2 spikes per pin
    np.savez(tmp_path / "one.npz", rates=np.full(3, 0.2))
    _, r = parse_encoder_spec("rate", f"x={tmp_path / 'one.npz'}:even", fabric, 10, 1, 0)
    assert (r.sum(axis=1) == 2).all()
    _, r = parse_encoder_spec("rate", f"x={tmp_path / 'r.npz'}:b:even", fabric, 4, 1, 0)
    assert r.all()
    np.savez(tmp_path / "flag.npz", even=np.ones(3), other=np.zeros(3))  # an array named like the flag
    _, r = parse_encoder_spec("rate", f"x={tmp_path / 'flag.npz'}:key=even", fabric, 4, 1, 0)
    assert r.all()
    assert parse_encoder_spec("rate", "x=0.3", fabric, 50, None, 9)[1].shape == (1, 50, 3)
    _, r1 = parse_encoder_spec("rate", "x=0.3", fabric, 50, 1, 9)
    _, r2 = parse_encoder_spec("rate", "x=0.3", fabric, 50, 2, 8)
    assert np.array_equal(r1[0], r2[1])  # sample b uses seed + b
    for spec, message in [("q=0.1", "no input connector 'q'; inputs are x (width 3), y (width 2)"),
                          ("x", "expected NAME=VALUE"), ("x=abc", "neither a number"),
                          ("x=1.5", "rates must lie in 0..1"), ("x=0.1:fast", "unknown option")]:
        with pytest.raises(SimulationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_encoder_spec("rate", spec, fabric, 10, 1, 0)
