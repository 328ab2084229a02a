"""corelet run, report and show on the compiled skeleton example, as a user drives them."""

import json
import re

import numpy as np
import pytest

from tests.cli.test_cli import assert_clean_failure
from tests.e2e.test_skeleton import EXAMPLE, RASTER, TICKS, expected_raster

pytestmark = pytest.mark.slow  # every test here spawns the corelet program


@pytest.fixture
def model(corelet, tmp_path):
    proc = corelet("compile", EXAMPLE, "-o", "m.json")
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "m.json"


def outputs(path):
    with np.load(path) as data:
        return data["outputs/y"]


def test_input_from_a_named_npy_file(corelet, model, tmp_path):
    np.save(tmp_path / "x.npy", RASTER)
    proc = corelet("run", model, "--ticks", TICKS, "--input", "x=x.npy", "-o", "o.npz")
    assert proc.returncode == 0, proc.stderr
    assert np.array_equal(outputs(tmp_path / "o.npz")[0], expected_raster())


def test_input_from_a_key_of_an_npz_file(corelet, model, tmp_path):
    np.savez(tmp_path / "many.npz", other=np.zeros((3, 2)), mine=RASTER)
    proc = corelet("run", model, "--ticks", TICKS, "--input", "x=many.npz:mine", "-o", "o.npz")
    assert proc.returncode == 0, proc.stderr
    assert np.array_equal(outputs(tmp_path / "o.npz")[0], expected_raster())


def test_wrong_input_shape_names_what_was_expected(corelet, model, tmp_path):
    np.savez(tmp_path / "bad.npz", x=np.zeros((4, 5), bool))
    proc = corelet("run", model, "--ticks", TICKS, "--input", "bad.npz", "-o", "o.npz")
    assert_clean_failure(proc)
    assert "x" in proc.stderr and "2" in proc.stderr and "5" in proc.stderr
    assert not (tmp_path / "o.npz").exists()


def test_rate_input_is_deterministic_per_seed(corelet, model, tmp_path):
    for name in ("a", "b"):
        proc = corelet("run", model, "--ticks", 200, "--rate", "x=0.5", "--seed", 3,
                       "-o", f"{name}.npz")
        assert proc.returncode == 0, proc.stderr
    a, b = outputs(tmp_path / "a.npz"), outputs(tmp_path / "b.npz")
    assert np.array_equal(a, b) and a.sum() > 0


def test_stats_feed_the_power_report(corelet, model, tmp_path):
    proc = corelet("run", model, "--ticks", TICKS, "--input", EXAMPLE.with_name("skeleton_input.npz"),
                   "--stats", "st.json", "--raster", "r.svg", "-o", "o.npz")
    assert proc.returncode == 0, proc.stderr
    stats = json.loads((tmp_path / "st.json").read_text())
    assert stats["ticks"] == TICKS and stats["batch"] == 1
    # 5 output spikes of the hand computation; the copy of a fires with a (twice)
    assert sum(c["spikes"] for c in stats["cores"]) == 5 + 2
    assert (tmp_path / "r.svg").read_text().startswith("<svg")
    report = corelet("report", model, "--stats", "st.json", "-o", "rep.txt")
    assert report.returncode == 0, report.stderr
    assert "measured" in (tmp_path / "rep.txt").read_text()


def test_raster_draws_the_chosen_sample_with_inputs_probes_resets_and_windows(corelet, model,
                                                                             tmp_path):
    np.save(tmp_path / "counts.npy", np.array([[1, 2], [2, 0]]))  # two 4-tick windows of counts
    proc = corelet("run", model, "--ticks", 12, "--burst", "x=counts.npy:window=4", "--batch", 2,
                   "--sample", 1, "--reset-every", 6, "--probe", "a[*]", "--raster", "r.svg",
                   "-o", "o.npz")
    assert proc.returncode == 0, proc.stderr
    svg = (tmp_path / "r.svg").read_text()
    assert "sample 1 of 2" in svg
    assert re.findall(r'<g class="panel (\w+)">', svg) == ["input", "probe", "output"]
    assert "input x" in svg and "2 pins, 5 spikes" in svg  # 1 + 2 + 2 + 0
    assert svg.count('<line class="reset"') == 1  # tick 6
    assert svg.count('<line class="window"') == 2  # ticks 4 and 8: the ends of the two windows


def test_show_finds_a_neuron_and_its_copy(corelet, model):
    proc = corelet("show", model, "--neuron", "a[0]")
    assert proc.returncode == 0, proc.stderr
    assert "1 original, 1 copy" in proc.stdout
    missing = corelet("show", model, "--neuron", "d[0]")
    assert_clean_failure(missing)


@pytest.mark.parametrize("options, message", [
    (["--trace"], "add --probe"),
    (["--reset-every", "0"], "--reset-every must be at least 1"),
    (["--rate", "x=0.1", "--burst", "x=2"], "given more than once"),
    (["--seed", "-1"], "--seed must be"),
    (["--sample", "1"], "--sample chooses the sample --raster draws: add --raster"),
    (["--raster", "r.svg", "--sample", "1"], "--sample 1: the run has 1 sample(s), 0..0"),
])
def test_meaningless_run_options_are_usage_errors(corelet, model, options, message):
    proc = corelet("run", model, "--ticks", 5, *options, "-o", "o.npz")
    assert proc.returncode == 2 and message in proc.stderr


def test_a_failed_write_leaves_no_output(corelet, model, tmp_path):
    (tmp_path / "taken").mkdir()
    proc = corelet("run", model, "--ticks", 5, "--raster", "taken", "-o", "o.npz")
    assert_clean_failure(proc)
    assert "taken: is a folder" in proc.stderr
    assert not (tmp_path / "o.npz").exists()


def test_model_bytes_do_not_depend_on_the_working_folder(corelet, tmp_path):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    first = corelet("compile", EXAMPLE, "-o", tmp_path / "one.json")
    second = corelet("compile", EXAMPLE, "-o", tmp_path / "two.json", cwd=tmp_path / "deep" / "er")
    assert first.returncode == second.returncode == 0
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
