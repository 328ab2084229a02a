"""``corelet run --workers N / --scheduler ADDRESS``: the same output file as a single-process
run, inputs streamed from ``.npy``; the options without Dask; the memory check before allocating."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corelet import cli, memory
from corelet.chip import ChipModel

DATA = Path(__file__).resolve().parents[1] / "data"


def corelet(*args, cwd):
    return subprocess.run([sys.executable, "-m", "corelet", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


@pytest.mark.slow
def test_run_with_two_workers_writes_the_single_process_file(tmp_path):
    pytest.importorskip("dask.distributed")
    rng = np.random.default_rng(5)
    np.save(tmp_path / "x.npy", rng.random((30, 25, 2)) < 0.4)
    model = DATA / "stochastic_v1.json"
    common = [model, "--ticks", 25, "--input", "x=x.npy", "--probe", "*", "--stats", "s.json"]
    single = corelet("run", *common, "-o", "one.npz", cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    split = corelet("run", *common[:-1], "s2.json", "-o", "two.npz", "--workers", 2, "--progress",
                    cwd=tmp_path)
    assert split.returncode == 0, split.stderr
    assert "30/30" in split.stderr  # the bar counts samples, over both workers
    assert split.stdout.replace("two.npz", "one.npz") == single.stdout
    with np.load(tmp_path / "one.npz") as one, np.load(tmp_path / "two.npz") as two:
        assert one.files == two.files
        for key in one.files:
            np.testing.assert_array_equal(one[key], two[key], err_msg=key)
    assert (tmp_path / "s.json").read_text() == (tmp_path / "s2.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.npz", "s.json", "s2.json",
                                                         "two.npz", "x.npy"]  # no spool left


def test_distributed_options_without_dask_say_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if not installed
    for option in (["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:1"]):
        code = cli.main(["run", str(DATA / "stochastic_v1.json"), "--ticks", "5", "-o", "o.npz",
                         *option])
        err = capsys.readouterr().err
        assert code != 0 and "Traceback" not in err
        assert "pip install 'corelet-toolchain[distributed]'" in err


def test_worker_options_are_checked(capsys):
    model = str(DATA / "stochastic_v1.json")
    assert cli.main(["run", model, "--ticks", "5", "-o", "o.npz", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert cli.main(["run", model, "--ticks", "5", "-o", "o.npz", "--workers", "2",
                     "--scheduler", "tcp://x:1"]) == 2
    assert "give one of them" in capsys.readouterr().err


def test_a_run_too_large_for_the_machine_is_refused_before_allocating(tmp_path):
    # 10^8 samples x 10^5 ticks of output spikes alone are 14 * 10^13 bytes
    proc = corelet("run", DATA / "stochastic_v1.json", "--ticks", 100000, "--batch", 10**8,
                   "-o", "o.npz", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "needs about" in proc.stderr and "GiB" in proc.stderr and "available" in proc.stderr
    assert not (tmp_path / "o.npz").exists()


def test_estimate_adds_the_counted_parts():
    size = memory.RunSize(neurons=10, axons=20, synapses=30, max_delay=3, recorded=4,
                          input_pins=5)
    fixed = (memory.BASE_BYTES + 30 * memory.BYTES_PER_SYNAPSE + 10 * memory.BYTES_PER_NEURON
             + 20 * memory.BYTES_PER_AXON)
    per_sample = 10 * memory.BYTES_PER_SAMPLE_NEURON + 4 * 20 + 7 * 4 + 6 * 5
    assert memory.estimate_bytes(size, ticks=7, batch=3, ticks_in=6, compiled=False) == \
        fixed + 3 * per_sample
    compiled = memory.COMPILED_BYTES + 30 * memory.COMPILED_BYTES_PER_SYNAPSE  # numba's share
    assert memory.estimate_bytes(size, ticks=7, batch=3, ticks_in=6, compiled=True) == \
        fixed + compiled + 3 * per_sample


def test_run_size_counts_the_model():
    from corelet import runtime

    model = ChipModel.load(DATA / "stochastic_v1.json")
    fabric = runtime.fabric_from_model(model)
    size = memory.RunSize.of_model(model)
    assert size.synapses == len(fabric.syn_axon)
    assert size.neurons == fabric.n_neurons
    assert size.recorded == sum(len(rows) for _, rows in fabric.outputs)
    assert size.input_pins == sum(width for _, width in fabric.inputs)


def test_check_refuses_more_than_is_available_and_says_how_much():
    size = memory.RunSize(neurons=1000, axons=1000, synapses=10**5)
    need = memory.estimate_bytes(size, 100, 5000)
    memory.check_run(size, 100, 5000, available=need)  # exactly enough
    with pytest.raises(memory.MemoryLimitError, match=f"needs about {need / 2**20:.0f} MiB .* --workers"):
        memory.check_run(size, 100, 5000, available=need - 1)
    # with workers, each holds the model and one chunk of 256 samples at a time
    workers = 3 * memory.estimate_bytes(size, 100, 0) + 2 * 256 * (need - memory.estimate_bytes(
        size, 100, 0)) // 5000
    memory.check_run(size, 100, 5000, workers=2, available=workers)
    with pytest.raises(memory.MemoryLimitError, match="2 workers with 256 samples"):
        memory.check_run(size, 100, 5000, workers=2, available=workers - 1)


@pytest.mark.slow
def test_run_on_an_existing_cluster_by_address(tmp_path):
    pytest.importorskip("dask.distributed")
    from corelet import distributed

    np.save(tmp_path / "x.npy", np.random.default_rng(2).random((9, 20, 2)) < 0.5)
    model = DATA / "stochastic_v1.json"
    single = corelet("run", model, "--ticks", 20, "--input", "x=x.npy", "-o", "one.npz",
                     cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    with distributed.dask_client(workers=1) as client:
        split = corelet("run", model, "--ticks", 20, "--input", "x=x.npy", "-o", "two.npz",
                        "--scheduler", client.scheduler.address, cwd=tmp_path)
    assert split.returncode == 0, split.stderr
    with np.load(tmp_path / "one.npz") as one, np.load(tmp_path / "two.npz") as two:
        assert one.files == two.files
        for key in one.files:
            np.testing.assert_array_equal(one[key], two[key], err_msg=key)
